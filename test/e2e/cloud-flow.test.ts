/**
 * The cloud flow end to end on the local stack: GCS, Pub/Sub and Gemini emulators, the four
 * functions as real functions-framework processes fed by push subscriptions. Every scenario ends
 * with exactly one result per input line, in order, and results.jsonl written exactly once.
 */
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../cli/stack/local-stack.ts';
import type { PubSubChoice } from '../../cli/stack/pubsub.ts';
import { createGcsBlobStore } from '../../functions/adapters/gcs/blob-store.ts';
import { jobIdForUpload, jobPrefix } from '../../functions/pipeline/job-id.ts';
import { jobStatus, type JobStatus } from '../../functions/pipeline/job-status.ts';
import { batchMessage } from '../../functions/pipeline/plan-job.ts';
import type { BlobStore } from '../../functions/pipeline/ports.ts';
import type { Manifest, ResultRecord } from '../../functions/pipeline/types.ts';

const BUCKET = 'sluice-local';
let stack: LocalStack;
let store: BlobStore;
let pubsub: PubSub;
/** Per object name: the md5 of every generation written (finalize events of the emulator). */
const finalized = new Map<string, string[]>();
const functionErrors: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    pubsub: (process.env.SLUICE_E2E_PUBSUB as PubSubChoice | undefined) ?? 'auto',
    functionEnv: {
      SLUICE_BATCH_LINES: '100',
      SLUICE_CONCURRENCY: '50',
      SLUICE_BATCH_DEADLINE_MS: '120000',
    },
    onFunctionLine: (name, line) => {
      if (line.includes('"severity":"ERROR"')) functionErrors.push(`${name} ${line.slice(0, 300)}`);
    },
  });
  // Say loudly which Pub/Sub ran: the official emulator is optional on a machine.
  console.log(
    `\n=== cloud e2e: Pub/Sub backend = ${stack.pubsubKind.toUpperCase()} (${stack.endpoints.pubsub}) ===\n`,
  );
  store = createGcsBlobStore(
    new Storage({ apiEndpoint: stack.gcs.url, projectId: 'sluice-local' }),
    BUCKET,
  );
  pubsub = new PubSub({ apiEndpoint: stack.endpoints.pubsub, projectId: 'sluice-local' });
  stack.gcs.onFinalize(
    (o) => void finalized.set(o.name, [...(finalized.get(o.name) ?? []), o.md5Hash]),
  );
}, 180_000);

afterAll(async () => {
  await pubsub?.close();
  await stack?.close();
}, 60_000);

const sig = () => AbortSignal.timeout(60_000);
// Text prompts, with every 50th an arithmetic one the Gemini emulator answers by running real
// Python: enough to exercise code execution without 2 000 interpreters on a 2-core machine.
const promptFile = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `${tag}-${i + 1}`,
      prompt: i % 50 === 0 ? `What is ${i} + ${i}?` : `Say hello to ${tag} number ${i}.`,
    }),
  ).join('\n') + '\n';

async function upload(name: string, n: number): Promise<string> {
  const info = await store.write(`inputs/${name}.jsonl`, promptFile(name, n), { signal: sig() });
  return jobIdForUpload({
    bucket: BUCKET,
    name: `inputs/${name}.jsonl`,
    generation: info.generation,
  });
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not reached in ${timeoutMs} ms; function errors:\n${functionErrors.slice(-5).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

const statusOf = (jobId: string) => jobStatus({ store }, jobPrefix(jobId), sig());
const done = (jobId: string, ms = 150_000): Promise<JobStatus> =>
  until(`job ${jobId} done`, ms, async () => {
    const s = await statusOf(jobId);
    return s?.state === 'done' ? s : undefined;
  });
const manifestOf = (jobId: string): Promise<Manifest> =>
  until(`manifest of ${jobId}`, 60_000, async () => {
    const bytes = await store.readSmall(`${jobPrefix(jobId)}manifest.json`, sig());
    return bytes && (JSON.parse(new TextDecoder().decode(bytes)) as Manifest);
  });

async function readResults(jobId: string): Promise<ResultRecord[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of store.read(`${jobPrefix(jobId)}results.jsonl`, { signal: sig() }))
    chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ResultRecord);
}

/** The promise every scenario ends with. */
async function expectExactlyOnce(jobId: string, tag: string, n: number): Promise<ResultRecord[]> {
  const results = await readResults(jobId);
  expect(results.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => `${tag}-${i + 1}`));
  expect(results.map((r) => r.line)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  // One results.jsonl, written exactly once (create-once compose: racing finishers get a 412).
  const names: string[] = [];
  for await (const o of store.list(jobPrefix(jobId), sig()))
    if (o.name.endsWith('results.jsonl')) names.push(o.name);
  expect(names).toEqual([`${jobPrefix(jobId)}results.jsonl`]);
  const writes = finalized.get(`${jobPrefix(jobId)}results.jsonl`) ?? [];
  expect(writes).toHaveLength(1);
  return results;
}

describe(`cloud flow on the local stack`, () => {
  it('2 000 lines uploaded → 2 000 results in order and a correct summary', async () => {
    const jobId = await upload('big', 2000);
    const status = await done(jobId);
    expect(status.counts).toEqual({ total: 2000, ok: 2000, error: 0, pending: 0 });
    expect(status.batchesTotal).toBe(20);
    const results = await expectExactlyOnce(jobId, 'big', 2000);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    const summary = JSON.parse(
      new TextDecoder().decode(await store.readSmall(`${jobPrefix(jobId)}summary.json`, sig())),
    ) as { jobId: string; counts: Record<string, number> };
    expect(summary).toMatchObject({ jobId, counts: { total: 2000, ok: 2000, error: 0 } });
  }, 240_000);

  it('the same batch message published three more times changes nothing', async () => {
    const jobId = await upload('thrice', 300);
    const manifest = await manifestOf(jobId);
    const message = batchMessage(manifest, manifest.batches[1]!);
    const topic = pubsub.topic(stack.topics.batches);
    await Promise.all([1, 2, 3].map(() => topic.publishMessage({ json: message })));
    await done(jobId);
    await expectExactlyOnce(jobId, 'thrice', 300);
  }, 200_000);

  it('one batch delivered twice at once still yields one result per line', async () => {
    const jobId = await upload('twice', 200);
    const manifest = await manifestOf(jobId);
    const body = {
      message: {
        data: Buffer.from(JSON.stringify(batchMessage(manifest, manifest.batches[0]!))).toString(
          'base64',
        ),
        messageId: 'dup',
      },
      subscription: 'projects/sluice-local/subscriptions/manual',
      deliveryAttempt: 1,
    };
    const post = () =>
      fetch(stack.endpoints.onBatch, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const answers = await Promise.all([post(), post()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await done(jobId);
    await expectExactlyOnce(jobId, 'twice', 200);
  }, 200_000);

  it('onBatch killed in the middle of a batch and restarted: nothing lost, nothing doubled', async () => {
    stack.gemini.setFaults({ latencyMs: { min: 100, max: 300 }, seed: 3 });
    try {
      const before = stack.gemini.journal().length;
      const jobId = await upload('killed', 400);
      // Kill once this job's prompts are reaching Gemini: a batch is in the middle of its work.
      await until('a batch in flight', 60_000, () =>
        Promise.resolve(stack.gemini.journal().length > before + 20 ? true : undefined),
      );
      await stack.functions.onBatch.kill();
      await new Promise((r) => setTimeout(r, 500));
      await stack.functions.onBatch.start();
      stack.gemini.setFaults({});
      await done(jobId, 200_000);
      await expectExactlyOnce(jobId, 'killed', 400);
    } finally {
      stack.gemini.setFaults({});
    }
  }, 300_000);

  it('20% Gemini faults and 5% Storage 503s: every line still gets exactly one result', async () => {
    const jobId = await upload('faulty', 500);
    stack.gemini.setFaults({
      rate429: 0.05,
      rate500: 0.05,
      rate503: 0.05,
      rate504: 0.05,
      retryDelaySeconds: 0,
      seed: 7,
    });
    stack.gcs.setFaults([{ route: 'any', status: 503, rate: 0.05 }], 11);
    try {
      await done(jobId, 200_000);
    } finally {
      stack.gcs.setFaults([]);
      stack.gemini.setFaults({});
    }
    const results = await expectExactlyOnce(jobId, 'faulty', 500);
    const retried = results.filter((r) => r.attempts > 1).length;
    console.log(
      `faulty job: ${retried} prompts retried, ${results.filter((r) => r.status === 'error').length} error results`,
    );
    expect(retried).toBeGreaterThan(0);
  }, 300_000);
});
