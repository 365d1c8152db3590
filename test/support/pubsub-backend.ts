/**
 * Pub/Sub backends for tests: the in-project emulator always, and the official (Java) emulator
 * from the gcloud SDK when it is installed. Contract suites run once per available backend.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPubSubEmulator } from '../../emulators/pubsub/index.ts';

export type PubSubBackendKind = 'official-emulator' | 'in-project-emulator';

export interface PubSubBackend {
  kind: PubSubBackendKind;
  /** `127.0.0.1:PORT` for `PUBSUB_EMULATOR_HOST` / `new PubSub({ apiEndpoint })`. */
  host: string;
  close(): Promise<void>;
}

const KNOWN_SDK_ROOTS = [
  '/usr/lib/google-cloud-sdk',
  '/usr/share/google-cloud-sdk',
  '/opt/google-cloud-sdk',
];
const START_TIMEOUT_MS = 60_000;

let cachedEmulatorPath: string | null | undefined;
let skipReason = '';

/** Path of `cloud-pubsub-emulator` from the gcloud SDK, or undefined when it is not installed. */
export function findOfficialEmulator(): string | undefined {
  if (cachedEmulatorPath !== undefined) return cachedEmulatorPath ?? undefined;
  const roots: string[] = [];
  const info = spawnSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
  });
  const fromGcloud = info.status === 0 ? info.stdout.trim() : '';
  if (fromGcloud) roots.push(fromGcloud);
  roots.push(...KNOWN_SDK_ROOTS);
  for (const root of roots) {
    const candidate = join(root, 'platform', 'pubsub-emulator', 'bin', 'cloud-pubsub-emulator');
    if (existsSync(candidate)) {
      cachedEmulatorPath = candidate;
      return candidate;
    }
  }
  skipReason =
    info.error || info.status !== 0
      ? `gcloud not usable (${info.error?.message ?? `exit ${info.status}`}) and no SDK at ${KNOWN_SDK_ROOTS.join(', ')}`
      : `no platform/pubsub-emulator under ${roots.join(', ')} (install google-cloud-cli-pubsub-emulator)`;
  cachedEmulatorPath = null;
  return undefined;
}

let announced = false;

/** Backends to run: in-project always, official when found. Announces the choice loudly, once. */
export function availablePubSubBackends(): PubSubBackendKind[] {
  const official = findOfficialEmulator();
  const kinds: PubSubBackendKind[] = official
    ? ['official-emulator', 'in-project-emulator']
    : ['in-project-emulator'];
  if (!announced) {
    announced = true;
    const banner = '='.repeat(78);
    const lines = [banner, `Pub/Sub contract backends: ${kinds.join(', ')}`];
    if (official) lines.push(`Pub/Sub backend: official-emulator (${official})`);
    else lines.push(`Pub/Sub backend: official-emulator SKIPPED: ${skipReason}`);
    lines.push('Pub/Sub backend: in-project-emulator (emulators/pubsub)', banner);
    console.warn(lines.join('\n'));
  }
  return kinds;
}

/** Starts one backend; `close()` stops it (the official one: its whole process group). */
export async function startPubSubBackend(kind: PubSubBackendKind): Promise<PubSubBackend> {
  if (kind === 'in-project-emulator') {
    const emulator = await startPubSubEmulator();
    return { kind, host: emulator.host, close: () => emulator.close() };
  }
  const binary = findOfficialEmulator();
  if (!binary) throw new Error(`official Pub/Sub emulator not installed: ${skipReason}`);
  const port = await freePort();
  const config = mkdtempSync(join(tmpdir(), 'pubsub-emulator-'));
  const child = spawn(binary, ['--host=127.0.0.1', `--port=${port}`], {
    detached: true, // own process group: the launcher script starts java as a child
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CLOUDSDK_CONFIG: config },
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const killer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(config, { recursive: true, force: true });
  };
  const host = `127.0.0.1:${port}`;
  try {
    await waitUntilReady(
      host,
      () => child.exitCode !== null,
      () => output,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { kind, host, close };
}

async function waitUntilReady(
  host: string,
  hasExited: () => boolean,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited())
      throw new Error(`official Pub/Sub emulator exited during start-up:\n${output()}`);
    try {
      const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(2000) });
      if ((await response.text()).trim() === 'Ok') return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `official Pub/Sub emulator did not answer GET / within ${START_TIMEOUT_MS} ms:\n${output()}`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
