/** Human-readable log lines on stderr for the CLI (the functions log Cloud Logging JSON instead). */
import type { LogFields, Logger } from '../../functions/pipeline/ports.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function format(fields: LogFields | undefined): string {
  if (!fields) return '';
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length > 0 ? ` (${parts.join(' ')})` : '';
}

export function createConsoleLogger(level: LogLevel, write: (line: string) => void): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at =
    (name: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields?: LogFields): void => {
      if (LOG_LEVELS.indexOf(name) >= threshold) write(`${name}: ${message}${format(fields)}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
