/** Public option/record types of the Gemini emulator, plus the internal shapes its modules share. */

/**
 * Fault injection settings. Every rate is a probability in 0..1. Decisions are a pure function of
 * (seed, prompt key, how many requests that prompt key has made so far), so the same prompts and
 * attempts fault on every run regardless of concurrency or request interleaving.
 */
export interface FaultConfig {
  /** Seed for every fault and latency decision (default 0). */
  seed?: number;
  rate429?: number;
  rate500?: number;
  rate503?: number;
  rate504?: number;
  /** RetryInfo.retryDelay on 429s, in seconds (default 1). */
  retryDelaySeconds?: number;
  /** Never answer; the client must give up. Sockets are closed when the emulator closes. */
  hangRate?: number;
  /** Destroy the socket before any response. */
  resetRate?: number;
  /** Streaming: end the SSE body in the middle of an event (unary: end mid-JSON). */
  truncateRate?: number;
  /** Streaming: send `data: {"error":{...}}` after the first chunk (ignored on unary calls). */
  midStreamErrorRate?: number;
  /** Extra latency before answering, uniform in [min, max] ms, seeded. */
  latencyMs?: { min: number; max: number };
  /** Requests per rolling 60 s; excess → 429 RESOURCE_EXHAUSTED with RetryInfo. */
  rpm?: number;
}

/** One API request as the emulator saw it (control endpoints are not journaled). */
export interface JournalEntry {
  /** Arrival time, ms since the epoch. */
  at: number;
  method: string;
  path: string;
  /** Query string without the leading `?` (`key=` values masked). */
  query: string;
  /** Headers of interest, lower-case names; credentials masked. */
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** HTTP status sent; 0 when no status was sent (hang, reset). */
  status: number;
  /** The injected fault, if any: `429`, `503`, `hang`, `reset`, `truncate`, `midstream`, `slow`, `rpm`... */
  fault?: string;
}

export interface GeminiEmulatorOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0 = any free port). */
  port?: number;
  faults?: FaultConfig;
  /** Wall-clock limit of one code run (default 30000, like the real sandbox). */
  codeTimeoutMs?: number;
  /** Python interpreter (default python3). */
  python?: string;
  /** How many times the model may regenerate failed code (default 2). */
  maxCodeRetries?: number;
  /** Journal ring size (default 10000 entries). */
  journalLimit?: number;
  /** RLIMIT_AS of a code run in MiB (default 1024). */
  memoryLimitMb?: number;
}

export interface GeminiEmulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  journal(): JournalEntry[];
  /** Replaces the fault configuration (throws on invalid values). */
  setFaults(f: FaultConfig): void;
  /** Clears the journal, per-prompt counters and the rpm window. */
  reset(): void;
  /** Stops listening, drops hanging sockets and kills running code. */
  close(): Promise<void>;
}

/** A Gemini part as the emulator produces it. */
export type Part =
  | { text: string }
  | { executableCode: { language: 'PYTHON'; code: string } }
  | { codeExecutionResult: { outcome: Outcome; output?: string } }
  | { inlineData: { mimeType: string; data: string } };

export type Outcome = 'OUTCOME_OK' | 'OUTCOME_FAILED' | 'OUTCOME_DEADLINE_EXCEEDED';

/** The request after routing, auth and body normalisation. */
export interface ModelRequest {
  api: 'developer' | 'vertex';
  version: string;
  /** Bare model id, e.g. `gemini-3-flash`. */
  model: string;
  /** Resource name used in messages, e.g. `models/x` or `projects/p/.../models/x`. */
  resource: string;
  stream: boolean;
  /** Last user text with fault markers removed. */
  prompt: string;
  /** System instruction text ('' if none). */
  system: string;
  /** Every text of the request (contents + system), for the fault key and token counts. */
  allText: string;
  codeExecution: boolean;
  maxOutputTokens?: number;
}
