/**
 * The cloud in a box: the GCS, Pub/Sub and Gemini emulators plus the four functions as real
 * functions-framework processes, wired exactly as Terraform wires the cloud (push subscriptions
 * with dead letters; a Storage notification for `inputs/` onto the uploads topic).
 */
import { PubSub } from '@google-cloud/pubsub';
import { startGcsEmulator, type GcsEmulator } from '../../emulators/gcs/index.ts';
import {
  startGeminiEmulator,
  type FaultConfig,
  type GeminiEmulator,
} from '../../emulators/gemini/index.ts';
import {
  createFunctionProcess,
  FUNCTION_NAMES,
  type FunctionName,
  type FunctionProcess,
} from './function-process.ts';
import { freePort } from './net.ts';
import { startPubSub, type PubSubBackend, type PubSubChoice } from './pubsub.ts';
import { forwardUploads } from './storage-notifications.ts';
import { createTopology, topologyFor, type Topology } from './topology.ts';

export interface LocalStackOptions {
  /** 0 = free ports; otherwise the four functions listen on portBase+1..portBase+4. */
  portBase?: number;
  pubsub?: PubSubChoice;
  project?: string;
  bucket?: string;
  /** Extra environment for the functions (SLUICE_BATCH_LINES, SLUICE_CONCURRENCY, ...). */
  functionEnv?: Record<string, string>;
  geminiFaults?: FaultConfig;
  /** Every log line of every function process. */
  onFunctionLine?: (name: FunctionName, line: string) => void;
  /** Dead-letter threshold of the push subscriptions and SLUICE_MAX_DELIVERIES; default 5. */
  maxDeliveries?: number;
}

export interface LocalStack {
  /** What the CLI and client libraries need to talk to the stack. */
  env: Record<string, string>;
  endpoints: Record<FunctionName, string> & { storage: string; pubsub: string; gemini: string };
  pubsubKind: PubSubBackend['kind'];
  topics: Topology;
  gcs: GcsEmulator;
  gemini: GeminiEmulator;
  functions: Record<FunctionName, FunctionProcess>;
  close(): Promise<void>;
}

/** Starts everything; on failure, stops what already started. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const project = options.project ?? 'sluice-local';
  const bucket = options.bucket ?? 'sluice-local';
  const maxDeliveries = options.maxDeliveries ?? 5;
  const topics = topologyFor('sluice');
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    closers.length = 0;
  };
  try {
    const gcs = await startGcsEmulator({ buckets: [bucket] });
    closers.push(() => gcs.close());
    const pubsubBackend = await startPubSub(options.pubsub ?? 'auto', process.env);
    closers.push(() => pubsubBackend.close());
    const gemini = await startGeminiEmulator({ faults: options.geminiFaults ?? {} });
    closers.push(() => gemini.close());

    const env: Record<string, string> = {
      STORAGE_EMULATOR_HOST: gcs.url,
      PUBSUB_EMULATOR_HOST: pubsubBackend.host,
      SLUICE_BUCKET: bucket,
      GOOGLE_CLOUD_PROJECT: project,
      SLUICE_TOPIC_JOBS: topics.jobs,
      // Offline there is no metadata server: skip the probe instead of warning on every client.
      METADATA_SERVER_DETECTION: 'none',
    };
    const functionEnv: Record<string, string> = {
      ...env,
      PUBSUB_PROJECT_ID: project,
      SLUICE_GEMINI_BASE_URL: gemini.url,
      // Only the emulator: a key or Vertex switch in the caller's shell must not leak into it.
      GEMINI_API_KEY: '',
      GOOGLE_API_KEY: '',
      GOOGLE_GENAI_USE_VERTEXAI: '',
      SLUICE_TOPIC_BATCHES: topics.batches,
      SLUICE_TOPIC_JOB_EVENTS: topics.jobEvents,
      SLUICE_MAX_DELIVERIES: String(maxDeliveries),
      ...options.functionEnv,
    };
    const functions = {} as Record<FunctionName, FunctionProcess>;
    for (const [i, name] of FUNCTION_NAMES.entries()) {
      const port = options.portBase ? options.portBase + i + 1 : await freePort();
      functions[name] = createFunctionProcess({
        name,
        port,
        env: functionEnv,
        onLine: options.onFunctionLine,
      });
      closers.push(() => functions[name].stop());
    }
    await Promise.all(FUNCTION_NAMES.map((name) => functions[name].start()));
    const urls = Object.fromEntries(FUNCTION_NAMES.map((n) => [n, functions[n].url])) as Record<
      FunctionName,
      string
    >;

    const pubsub = new PubSub({ projectId: project, apiEndpoint: pubsubBackend.host });
    closers.push(() => pubsub.close());
    await createTopology(pubsub, project, topics, urls, maxDeliveries);
    const stopForwarding = forwardUploads(gcs, pubsub.topic(topics.uploads));
    closers.push(() => Promise.resolve(stopForwarding()));

    env.SLUICE_STATUS_URL = urls.jobStatus;
    return {
      env,
      endpoints: { ...urls, storage: gcs.url, pubsub: pubsubBackend.host, gemini: gemini.url },
      pubsubKind: pubsubBackend.kind,
      topics,
      gcs,
      gemini,
      functions,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `export A=... B=...` lines for a shell, and the same as a dotenv file. */
export function formatEnv(env: Record<string, string>): { exports: string; dotenv: string } {
  const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return { exports: `export ${pairs.join(' ')}`, dotenv: pairs.join('\n') + '\n' };
}
