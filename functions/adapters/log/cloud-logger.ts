/**
 * A `Logger` that writes one JSON line per entry to stdout in the shape Cloud Logging lifts into a
 * structured entry (reference/gcp.md §8): `severity`, `message`, `time`, labels and trace. Keys
 * that look like secrets are redacted at any depth, so a caller can pass a config or an error
 * object without thinking (DESIGN promise 6).
 */
import type { LogFields, Logger } from '../../pipeline/ports.ts';
import { redact } from './redact.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SEVERITY: Record<LogLevel, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
};

/** Fields lifted into `logging.googleapis.com/labels` (searchable, indexed) instead of the payload. */
const LABEL_KEYS = new Set(['jobId', 'batch', 'function']);

/** A Logger that can derive children carrying extra fields (labels, trace). */
export interface CloudLogger extends Logger {
  child(fields: LogFields): CloudLogger;
}

export interface CloudLoggerOptions {
  /** Lowest level written; default `info`. */
  level?: LogLevel;
  /** Where lines go; default `process.stdout`. Tests capture lines here. */
  write?: (line: string) => void;
  /** Fields on every entry (labels are lifted). */
  fields?: LogFields;
  /** Clock for `time`; default `Date.now`. */
  now?: () => number;
}

/** Parses `SLUICE_LOG_LEVEL`-style text; unknown text falls back to `info`. */
export function parseLogLevel(raw: string | undefined): LogLevel {
  const v = (raw ?? '').toLowerCase();
  if (v === 'warning') return 'warn';
  return (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : 'info';
}

/** Creates the Cloud Logging JSON logger. */
export function createCloudLogger(options: CloudLoggerOptions = {}): CloudLogger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => void process.stdout.write(line + '\n'));
  const now = options.now ?? Date.now;

  const make = (base: LogFields): CloudLogger => {
    const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      write(formatEntry(level, message, { ...base, ...fields }, now()));
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

/** One entry as a single JSON line (no newlines inside: Cloud Logging parses line by line). */
export function formatEntry(
  level: LogLevel,
  message: string,
  fields: LogFields,
  at: number,
): string {
  const labels: Record<string, string> = {};
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (LABEL_KEYS.has(key)) labels[key] = labelText(value);
    else payload[key] = value;
  }
  const entry: Record<string, unknown> = {
    severity: SEVERITY[level],
    message,
    time: new Date(at).toISOString(),
    ...(redact(payload) as Record<string, unknown>),
  };
  if (Object.keys(labels).length > 0) entry['logging.googleapis.com/labels'] = labels;
  return JSON.stringify(entry, jsonSafe);
}

/** Errors become `{name, message, stack}` (stack lets Error Reporting group them); bigints print. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Label values must be strings. */
function labelText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}
