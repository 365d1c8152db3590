/**
 * Runs model-generated Python for real, confined: fresh temp cwd (removed afterwards), minimal env,
 * `python -I`, RLIMIT_CPU/AS/FSIZE set by a preamble, no network (`unshare -rn` when the OS allows
 * it, else a preamble that disables sockets), process group SIGKILLed at the deadline, output capped.
 * Runs are concurrent but capped (default 4) by a small FIFO queue.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Outcome } from './types.ts';

export interface CodeRun {
  outcome: Outcome;
  stdout: string;
  stderr: string;
  /** PNG files the code left in its working directory. */
  images: Buffer[];
}

export interface SandboxOptions {
  python: string;
  timeoutMs: number;
  memoryLimitMb: number;
  concurrency?: number;
}

export interface Sandbox {
  run(code: string, signal?: AbortSignal): Promise<CodeRun>;
  /** Which network-isolation layer is in use. */
  network: 'unshare' | 'socket-guard';
  close(): void;
}

const OUTPUT_CAP = 1 << 20;
const MAX_IMAGES = 4;

/** Sets limits, optionally disables sockets, then runs main.py as __main__. */
const PREAMBLE = `
import resource, sys
_cpu, _mem, _guard = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == 'guard'
resource.setrlimit(resource.RLIMIT_CPU, (_cpu, _cpu))
if _mem: resource.setrlimit(resource.RLIMIT_AS, (_mem, _mem))
resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
if _guard:
    import socket, _socket
    def _no_network(*a, **k):
        raise PermissionError(1, 'network access is disabled in the code sandbox')
    class _NoSocket(socket.socket):
        def __init__(self, *a, **k): _no_network()
    socket.socket = _NoSocket
    _socket.socket = _NoSocket
    socket.create_connection = _no_network
    socket.socket.connect = _no_network
sys.argv = ['main.py']
del _cpu, _mem, _guard
with open('main.py') as _f: _src = _f.read()
exec(compile(_src, 'main.py', 'exec'), {'__name__': '__main__', '__builtins__': __builtins__})
`;

/** The real interpreter path (pyenv shims need the parent env, the sandbox has none). */
function resolvePython(python: string): string {
  const r = spawnSync(python, ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const exe = r.stdout?.trim();
  if (r.status !== 0 || !exe)
    throw new Error(`python interpreter ${python} is not usable: ${r.stderr ?? r.error}`);
  return exe;
}

const canUnshare = (): boolean =>
  spawnSync('unshare', ['-rn', 'true'], { timeout: 5000 }).status === 0;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Creates the sandbox; probes the interpreter and `unshare` once. */
export function createSandbox(opts: SandboxOptions): Sandbox {
  const python = resolvePython(opts.python);
  const network = canUnshare() ? 'unshare' : 'socket-guard';
  const limit = opts.concurrency ?? 4;
  let active = 0;
  const waiting: (() => void)[] = [];
  const running = new Set<AbortController>();

  async function slot(): Promise<() => void> {
    if (active >= limit) await new Promise<void>((r) => waiting.push(r));
    active++;
    return () => {
      active--;
      waiting.shift()?.();
    };
  }

  async function runOnce(code: string, signal?: AbortSignal): Promise<CodeRun> {
    const dir = await mkdtemp(join(tmpdir(), 'gemini-emu-'));
    const ac = new AbortController();
    running.add(ac);
    const onAbort = (): void => ac.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await writeFile(join(dir, 'main.py'), code);
      const cpu = Math.ceil(opts.timeoutMs / 1000) + 1;
      const mem = opts.memoryLimitMb * 1024 * 1024;
      const args = [
        '-I',
        '-u',
        '-c',
        PREAMBLE,
        String(cpu),
        String(mem),
        network === 'unshare' ? 'ns' : 'guard',
      ];
      const [cmd, argv] =
        network === 'unshare' ? ['unshare', ['-rn', python, ...args]] : [python, args];
      const env = {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: dir,
        LANG: 'C.UTF-8',
        MPLBACKEND: 'Agg',
        OPENBLAS_NUM_THREADS: '1',
        OMP_NUM_THREADS: '1',
        MKL_NUM_THREADS: '1',
      };
      const child = spawn(cmd, argv, {
        cwd: dir,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        const have = into.reduce((n, b) => n + b.length, 0);
        if (have < OUTPUT_CAP) into.push(chunk.subarray(0, OUTPUT_CAP - have));
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, opts.timeoutMs);
      const kill = (): void => killGroup(child.pid);
      ac.signal.addEventListener('abort', kill, { once: true });
      // Kill stragglers on exit too, so a background grandchild cannot hold the pipes open.
      child.on('exit', () => killGroup(child.pid));
      const [status, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
        child.on('error', (e) => {
          err.push(Buffer.from(String(e)));
          resolve([127, null]);
        });
        child.on('close', (c, s) => resolve([c, s]));
      });
      clearTimeout(timer);
      ac.signal.removeEventListener('abort', kill);
      const stdout = Buffer.concat(out).toString('utf8');
      // Drop the preamble's own frame so tracebacks start at main.py, as the real sandbox's do.
      const stderr = Buffer.concat(err)
        .toString('utf8')
        .replace(/^ {2}File "<string>", line \d+, in <module>\n/m, '');
      // SIGXCPU (RLIMIT_CPU) is a deadline too; our own SIGKILL at the wall-clock limit is the usual one.
      const outcome: Outcome =
        timedOut || sig === 'SIGXCPU'
          ? 'OUTCOME_DEADLINE_EXCEEDED'
          : status === 0
            ? 'OUTCOME_OK'
            : 'OUTCOME_FAILED';
      const images = outcome === 'OUTCOME_OK' ? await pngsIn(dir) : [];
      return {
        outcome,
        stdout,
        stderr: sig && !timedOut ? `${stderr}\nKilled by ${sig}` : stderr,
        images,
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      running.delete(ac);
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    network,
    async run(code, signal) {
      const release = await slot();
      try {
        if (signal?.aborted)
          return { outcome: 'OUTCOME_FAILED', stdout: '', stderr: 'cancelled', images: [] };
        return await runOnce(code, signal);
      } finally {
        release();
      }
    },
    close() {
      for (const ac of running) ac.abort();
    },
  };
}

async function pngsIn(dir: string): Promise<Buffer[]> {
  const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.png')).sort();
  const files = await Promise.all(names.slice(0, MAX_IMAGES).map((n) => readFile(join(dir, n))));
  return files.filter((b) => b.length <= 5 << 20);
}
