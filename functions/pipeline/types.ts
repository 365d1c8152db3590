/**
 * Shared data types of the pure core, with the glossary every module uses.
 *
 * - **job**: one run of one input file with one set of options. Its id is derived, never random
 *   (upload: `bucket/name#generation`, hashed into a safe id; message: the given `jobId` or a hash
 *   of the spec).
 * - **batch**: a contiguous slice of a job's input lines (a byte range of the input object), small
 *   enough that one function invocation finishes it inside its deadline.
 * - **prompt**: one input line, turned into one GenerateContent **request**.
 * - **attempt**: one call to Gemini for one prompt. A prompt has 1..maxAttempts attempts.
 * - **result**: one output line; exactly one per input line, in input order, `status: ok | error`.
 * - **step**: one part of the model's answer: text, code, a code result, or an image.
 * - **ledger**: the checkpoint files of a batch, from which finished results are recovered.
 * - **summary**: mergeable counters over results (per batch, then per job).
 *
 * Wire shapes (GenerateContent request/response) are kept as plain JSON records in camelCase, the
 * form the REST API and `@google/genai` both use.
 */

/** JSON value, for fields the core passes through without interpreting. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------- GenerateContent wire shapes

export interface Part {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  executableCode?: { language: string; code: string; id?: string };
  codeExecutionResult?: { outcome: CodeOutcome; output?: string; id?: string };
  [key: string]: unknown;
}

export interface Content {
  role?: string;
  parts: Part[];
}

/** A GenerateContent request body in camelCase (snake_case input is normalised before this). */
export interface GenerateRequest {
  contents: Content[];
  systemInstruction?: Content;
  tools?: JsonObject[];
  toolConfig?: JsonObject;
  generationConfig?: JsonObject;
  safetySettings?: JsonObject[];
  cachedContent?: string;
  labels?: Record<string, string>;
}

export const CODE_OUTCOMES = [
  'OUTCOME_UNSPECIFIED',
  'OUTCOME_OK',
  'OUTCOME_FAILED',
  'OUTCOME_DEADLINE_EXCEEDED',
] as const;
export type CodeOutcome = (typeof CODE_OUTCOMES)[number];

export interface UsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
  [key: string]: unknown;
}

export interface Candidate {
  content?: Content;
  finishReason?: string;
  finishMessage?: string;
  index?: number;
  [key: string]: unknown;
}

export interface GenerateResponse {
  candidates?: Candidate[];
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string; [key: string]: unknown };
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- prompts and results

/** One parsed, valid input line, ready to become a request. */
export interface Prompt {
  id: string;
  /** 1-based physical line number in the input file. */
  line: number;
  model: string;
  request: GenerateRequest;
  expected?: Json;
  metadata?: JsonObject;
}

export type Step =
  | { type: 'text'; text: string; thought?: boolean }
  | { type: 'code'; language: string; code: string }
  | { type: 'code_result'; outcome: CodeOutcome; output: string }
  /** Images are saved beside the results; `file` is the object name relative to the job prefix. */
  | { type: 'image'; mimeType: string; file: string; bytes: number };

export interface Usage {
  promptTokens: number;
  cachedTokens: number;
  candidatesTokens: number;
  toolUsePromptTokens: number;
  thoughtsTokens: number;
  totalTokens: number;
}

export interface ResultError {
  kind: ErrorKind;
  /** HTTP status or canonical status (e.g. 429 / "RESOURCE_EXHAUSTED") when the model said so. */
  status?: number | string;
  message: string;
  /** For invalid input: the field at fault, as a JSON pointer-ish path (`request.contents`). */
  field?: string;
}

export interface Score {
  expected: Json;
  pass: boolean;
  method: string;
}

export interface ResultRecord {
  id: string;
  line: number;
  status: 'ok' | 'error';
  model?: string;
  modelVersion?: string;
  responseId?: string;
  text?: string;
  steps: Step[];
  finishReason?: string;
  usage?: Usage;
  attempts: number;
  latencyMs: number;
  error?: ResultError;
  score?: Score;
  metadata?: JsonObject;
}

/**
 * Error kinds a result can carry. Retryable ones (see `RETRYABLE_KINDS` in errors.ts) are
 * what can succeed later; the rest are final.
 */
export const ERROR_KINDS = [
  'invalid_input', // the line itself is bad: JSON, missing prompt, wrong type, too long, duplicate id
  'rate_limited', // 429 RESOURCE_EXHAUSTED / quota
  'server', // 500, 502, 503
  'timeout', // attempt timeout, 408, 504 DEADLINE_EXCEEDED
  'network', // connection refused / reset, fetch failed
  'truncated', // SSE stream ended early or carried an error event
  'code_timeout', // code execution hit the sandbox limit (OUTCOME_DEADLINE_EXCEEDED)
  'blocked', // prompt or answer blocked (promptFeedback.blockReason, SAFETY, ...)
  'bad_request', // 400 INVALID_ARGUMENT / FAILED_PRECONDITION
  'auth', // 401 / 403
  'not_found', // 404 model not found
  'deadline', // the prompt, batch or job deadline ran out before the prompt could finish
  'internal', // a bug or an unexpected error: never retried
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What running one prompt produced: a response, an error, or both (e.g. a final code timeout). */
export interface PromptOutcome {
  response?: GenerateResponse;
  error?: ResultError;
  attempts: number;
  latencyMs: number;
}

// ---------------------------------------------------------------- jobs, batches, manifests

/** Options of a job after defaults are applied (schemas/job-options.schema.json). */
export interface JobOptions {
  model: string;
  system?: string;
  generationConfig?: JsonObject;
  /** Add the code-execution tool to every request that does not set `tools` itself. */
  codeExecution: boolean;
  stream: boolean;
  concurrency: number;
  maxAttempts: number;
  attemptTimeoutMs: number;
  promptDeadlineMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Retry a prompt whose code run hit the sandbox limit (OUTCOME_DEADLINE_EXCEEDED). */
  retryCodeTimeout: boolean;
  maxLineBytes: number;
  batchLines: number;
  batchBytes: number;
}

/** Where a job reads its input: one object of one bucket (locally: one file). */
export interface InputRef {
  bucket: string;
  name: string;
  /** Pinned generation, so a re-upload never changes a running job. */
  generation?: string;
}

export interface BatchPlan {
  index: number;
  /** Byte range [start, end) of the input object. */
  start: number;
  end: number;
  /** 1-based line number of the first physical line in the range. */
  firstLine: number;
  /** Physical lines in the range (blank lines included). */
  lines: number;
  /** Lines in this batch whose id was already used by an earlier line (found while planning). */
  duplicates?: Array<{ line: number; id: string; firstLine: number }>;
}

export interface Manifest {
  jobId: string;
  input: InputRef & { size: number };
  /** Output prefix inside the output store, ending in `/` or empty (local runs). */
  prefix: string;
  options: JobOptions;
  batches: BatchPlan[];
  totalLines: number;
  createdAt: string;
}

/** Pub/Sub batch message: a pointer, never the prompts (Eventarc caps events at 512 KB). */
export interface BatchMessage {
  jobId: string;
  prefix: string;
  batch: number;
  input: InputRef;
  start: number;
  end: number;
  firstLine: number;
}

/** Published on the job-events topic when a job's results.jsonl and summary.json are written. */
export interface JobDoneEvent {
  type: 'job.done';
  jobId: string;
  prefix: string;
  results: string;
  summary: string;
  counts: { total: number; ok: number; error: number };
}

// ---------------------------------------------------------------- summaries

/**
 * Mergeable counters over results. A batch writes one; the finisher merges them without
 * re-reading results. Latency is a fixed-bucket histogram so percentiles survive merging.
 */
export interface Summary {
  total: number;
  ok: number;
  error: number;
  errorKinds: Partial<Record<ErrorKind, number>>;
  finishReasons: Record<string, number>;
  tokens: Usage;
  attempts: { total: number; retriedPrompts: number };
  codeRuns: Partial<Record<CodeOutcome, number>>;
  images: number;
  latency: {
    /** Upper bounds in ms of each bucket; the last bucket is open-ended. Fixed for all summaries. */
    boundsMs: number[];
    counts: number[];
    sumMs: number;
    maxMs: number;
  };
  score: { scored: number; passed: number };
}
