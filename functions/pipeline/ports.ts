/**
 * Ports: the only way the pure core reaches the world. Adapters (functions/adapters/*) implement
 * them for Cloud Storage, Pub/Sub, Gemini, a local folder and memory. Every I/O method takes an
 * AbortSignal so every wait has a deadline (DESIGN promise 3).
 */
import type { GenerateRequest, GenerateResponse, Json } from './types.ts';

export interface ObjectInfo {
  name: string;
  size: number;
  /** Storage generation as a decimal string (int64 arrives as a string on the wire). */
  generation: string;
}

export interface ReadOptions {
  /** First byte, inclusive. */
  start?: number;
  /** Last byte, EXCLUSIVE (unlike HTTP Range); omitted = to the end. */
  end?: number;
  generation?: string;
  signal: AbortSignal;
}

export interface WriteOptions {
  /** `0` = create only if absent (DESIGN promise 2); a generation = replace only that one. */
  ifGenerationMatch?: number | string;
  contentType?: string;
  signal: AbortSignal;
}

/**
 * One bucket (or one local folder). Names are `/`-separated object names, never absolute paths.
 * Failures: `NotFoundError` when the object is missing, `PreconditionFailedError` on a failed
 * `ifGenerationMatch`, anything else is transient (retry by redelivery).
 */
export interface BlobStore {
  /** Streams bytes of an object (or a byte range of it). Never loads the whole object. */
  read(name: string, options: ReadOptions): AsyncIterable<Uint8Array>;
  /** Whole small object (manifest, stats, ledger chunk); undefined when absent. */
  readSmall(name: string, signal: AbortSignal): Promise<Uint8Array | undefined>;
  write(name: string, data: Uint8Array | string, options: WriteOptions): Promise<ObjectInfo>;
  /** Streams a large object from chunks (results.jsonl). */
  writeStream(
    name: string,
    chunks: AsyncIterable<Uint8Array | string>,
    options: WriteOptions,
  ): Promise<ObjectInfo>;
  stat(name: string, signal: AbortSignal): Promise<ObjectInfo | undefined>;
  /** All objects whose names start with `prefix`, sorted by name. */
  list(prefix: string, signal: AbortSignal): AsyncIterable<ObjectInfo>;
  /** Deleting a missing object is not an error. */
  delete(name: string, signal: AbortSignal): Promise<void>;
  /** Concatenates `sources` in order into `dest` (any count; adapters handle service limits). */
  compose(sources: string[], dest: string, options: WriteOptions): Promise<ObjectInfo>;
}

export interface QueueMessage {
  data: Json;
  attributes?: Record<string, string>;
}

/** Publishes to a topic; resolves only when the message is accepted (awaited publishes). */
export interface Queue {
  publish(topic: string, message: QueueMessage, signal: AbortSignal): Promise<string>;
}

export interface ModelCall {
  model: string;
  request: GenerateRequest;
  /** Use `:streamGenerateContent?alt=sse` and merge the chunks. */
  stream: boolean;
  /** Aborted by the core when the attempt times out or the deadline passes. */
  signal: AbortSignal;
}

/**
 * Gemini. Resolves with the whole (merged) response. Rejects with `ModelCallError` for every
 * failure it can classify; the core classifies anything else as `internal`.
 */
export interface ModelClient {
  generate(call: ModelCall): Promise<GenerateResponse>;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Uniform [0, 1). Seedable in tests so jitter is reproducible. */
export type Random = () => number;

export type LogFields = Record<string, unknown>;
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Topic names as configured (config.ts); the core never hard-codes them. */
export interface Topics {
  batches: string;
  jobEvents: string;
}

/** Everything the core functions (plan, run batch, finish job) need. */
export interface PipelineDeps {
  /** Where job outputs, manifests and ledgers live. */
  store: BlobStore;
  /** Opens the store holding a job's input; throws `InvalidMessageError` if not allow-listed. */
  inputStore(bucket: string): BlobStore;
  queue: Queue;
  topics: Topics;
  model: ModelClient;
  clock: Clock;
  random: Random;
  logger: Logger;
}
