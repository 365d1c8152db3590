/**
 * The Pub/Sub backend of the local stack: Google's emulator (gcloud's Java one) when installed,
 * else the in-project emulator (emulators/pubsub), which passes the same contract suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startPubSubEmulator } from '../../emulators/pubsub/index.ts';
import { freePort, waitFor } from './net.ts';

export type PubSubKind = 'official' | 'in-project';
export type PubSubChoice = PubSubKind | 'auto';

export interface PubSubBackend {
  kind: PubSubKind;
  /** `127.0.0.1:PORT`, for PUBSUB_EMULATOR_HOST. */
  host: string;
  close(): Promise<void>;
}

const RELATIVE = 'platform/pubsub-emulator/bin/cloud-pubsub-emulator';

/** Path of gcloud's Pub/Sub emulator launcher, or undefined when it is not installed. */
export function findOfficialEmulator(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const roots = [
    env.CLOUDSDK_ROOT_DIR,
    '/usr/lib/google-cloud-sdk',
    '/usr/share/google-cloud-sdk',
    '/opt/google-cloud-sdk',
  ];
  for (const dir of (env.PATH ?? '').split(':')) {
    const gcloud = join(dir, 'gcloud');
    if (dir && existsSync(gcloud)) roots.push(dirname(dirname(realpathSync(gcloud))));
  }
  for (const root of roots) {
    if (root && existsSync(join(root, RELATIVE))) return join(root, RELATIVE);
  }
  return undefined;
}

/** Starts the chosen backend; `auto` prefers the official emulator. */
export async function startPubSub(
  choice: PubSubChoice,
  env: Readonly<Record<string, string | undefined>>,
): Promise<PubSubBackend> {
  const official = choice === 'in-project' ? undefined : findOfficialEmulator(env);
  if (choice === 'official' && official === undefined) {
    throw new Error(
      `--pubsub official: gcloud's Pub/Sub emulator is not installed (looked for ${RELATIVE})`,
    );
  }
  if (official === undefined) {
    // Retries at 1, 2, 4, 8 s: a function restarting (a few seconds) gets its messages back
    // before the 5th delivery dead-letters them. Pub/Sub itself backs off from 10 s.
    const emulator = await startPubSubEmulator({ pushRetryDelayMs: 1000 });
    return { kind: 'in-project', host: emulator.host, close: () => emulator.close() };
  }
  return startOfficial(official);
}

async function startOfficial(launcher: string): Promise<PubSubBackend> {
  const port = await freePort();
  const child: ChildProcess = spawn(launcher, ['--host=127.0.0.1', `--port=${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on(
    'data',
    (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)),
  );
  const host = `127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(`Pub/Sub emulator on ${host}`, 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`Pub/Sub emulator exited: ${stderr}`);
      const res = await fetch(`http://${host}/`).catch(() => undefined);
      return res?.ok === true;
    });
  } catch (error) {
    killGroup(child);
    throw error;
  }
  return {
    kind: 'official',
    host,
    close: async () => {
      killGroup(child);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

/** The launcher is a shell script that starts java: end the whole process group it leads. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}
