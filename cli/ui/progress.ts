/**
 * Progress while a job runs: a cli-progress bar on a terminal, plain periodic lines otherwise
 * (CI logs and pipes must not fill up with carriage-return redraws).
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  start(total: number): void;
  tick(status: 'ok' | 'error'): void;
  stop(): void;
}

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  /** Seconds between plain lines when not a TTY. */
  intervalMs?: number;
  now?: () => number;
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream } = options;
  let done = 0;
  let errors = 0;
  let total = 0;
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        stream,
        format:
          '  {bar} {percentage}% | {value}/{total} lines | {errors} errors | {eta_formatted} left',
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    return {
      start(n) {
        total = n;
        bar.start(n, 0, { errors: 0 });
      },
      tick(status) {
        done += 1;
        if (status === 'error') errors += 1;
        bar.update(done, { errors });
      },
      stop() {
        bar.update(Math.max(done, total), { errors });
        bar.stop();
      },
    };
  }
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 2000;
  let last = 0;
  let printed = -1;
  const line = (): void => {
    if (printed === done && done > 0) return;
    printed = done;
    const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
    stream.write(`progress: ${done}/${total} lines (${pct}%), ${errors} errors\n`);
  };
  return {
    start(n) {
      total = n;
      last = now();
      line();
    },
    tick(status) {
      done += 1;
      if (status === 'error') errors += 1;
      if (now() - last >= interval) {
        last = now();
        line();
      }
    },
    stop() {
      line();
    },
  };
}
