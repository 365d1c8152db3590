/** Produces the model's answer parts: text, or the code → result → (retry) → final text loop. */
import { fixCode, planCode } from './templates.ts';
import type { Sandbox } from './sandbox.ts';
import type { ModelRequest, Part } from './types.ts';

export interface Answer {
  parts: Part[];
  /** Text of the tool results fed back to the model (→ toolUsePromptTokenCount). */
  toolText: string;
}

const FINAL_TEXT_CAP = 2000;

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);
const lastLine = (s: string): string => s.trim().split('\n').pop() ?? '';

/** The deterministic plain-text answer: an echo of the prompt, never random. */
export function textAnswer(req: ModelRequest): string {
  const words = req.prompt.split(/\s+/).filter(Boolean).length;
  const system = req.system ? ` Following the system instruction "${clip(req.system, 60)}".` : '';
  return `Emulated answer to "${clip(req.prompt, 200)}" (${words} words).${system}`;
}

export async function answer(
  req: ModelRequest,
  sandbox: Sandbox,
  opts: { maxCodeRetries: number; timeoutMs: number },
  signal?: AbortSignal,
): Promise<Answer> {
  const plan = req.codeExecution ? planCode(req.prompt) : undefined;
  if (!plan) return { parts: [{ text: textAnswer(req) }], toolText: '' };
  // Text parts before code end with a paragraph break, as the real model's markdown does, so the
  // joined answer text reads as separate paragraphs.
  const parts: Part[] = [{ text: `${plan.intro}\n\n` }];
  let toolText = '';
  let code = plan.code;
  for (let attempt = 0; ; attempt++) {
    const run = await sandbox.run(code, signal);
    parts.push({ executableCode: { language: 'PYTHON', code } });
    const output = run.outcome === 'OUTCOME_FAILED' ? run.stderr : run.stdout;
    parts.push({ codeExecutionResult: { outcome: run.outcome, ...(output ? { output } : {}) } });
    toolText += output;
    for (const png of run.images)
      parts.push({ inlineData: { mimeType: 'image/png', data: png.toString('base64') } });
    if (run.outcome === 'OUTCOME_OK') {
      const out = run.stdout.trim();
      parts.push({
        text: out
          ? `The result is ${clip(out, FINAL_TEXT_CAP)}.`
          : 'The code ran without printing anything.',
      });
      break;
    }
    if (run.outcome === 'OUTCOME_DEADLINE_EXCEEDED') {
      parts.push({
        text: `The code timed out: it did not finish within ${opts.timeoutMs / 1000} s.`,
      });
      break;
    }
    const fixed = attempt < opts.maxCodeRetries ? fixCode(code, run.stderr) : undefined;
    if (!fixed) {
      parts.push({ text: `The code failed: ${clip(lastLine(run.stderr), FINAL_TEXT_CAP)}.` });
      break;
    }
    parts.push({
      text: `The code failed with ${lastLine(run.stderr)}; I'll add the missing import and run it again.\n\n`,
    });
    code = fixed;
  }
  return { parts, toolText };
}
