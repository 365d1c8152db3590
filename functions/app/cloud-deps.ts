/**
 * The composition root of the deployed functions: config → real clients → `PipelineDeps`.
 * The same code runs on the local stack: `STORAGE_EMULATOR_HOST`, `PUBSUB_EMULATOR_HOST` (read by
 * the Pub/Sub client itself) and `SLUICE_GEMINI_BASE_URL` point the clients at the emulators.
 */
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import type { Env } from '../config.ts';
import type { BlobStore, PipelineDeps } from '../pipeline/ports.ts';
import { createGcsBlobStore } from '../adapters/gcs/blob-store.ts';
import { createGeminiModelClient } from '../adapters/gemini/client.ts';
import { resolveGeminiSettings } from '../adapters/gemini/settings.ts';
import { createCloudLogger, type CloudLogger } from '../adapters/log/cloud-logger.ts';
import { createPubSubQueue } from '../adapters/pubsub/queue.ts';
import { systemClock } from '../adapters/system/clock.ts';
import { mathRandom } from '../adapters/system/random.ts';
import { loadCloudConfig, type CloudConfig } from './config.ts';
import { assertAllowed } from './input-allow-list.ts';
import type { App } from './runtime.ts';

/** Builds config, logger and deps from the environment (the default App factory). */
export function createCloudApp(env: Env): App {
  const config = loadCloudConfig(env);
  const logger = createCloudLogger({ level: config.logLevel });
  return { config, logger, deps: createCloudDeps(config, logger) };
}

/** The pipeline's ports, wired to Cloud Storage, Pub/Sub and Gemini (or their emulators). */
export function createCloudDeps(
  config: CloudConfig,
  logger: CloudLogger = createCloudLogger(),
): PipelineDeps {
  const emulatorHost = config.env.STORAGE_EMULATOR_HOST;
  const storage = new Storage({
    ...(config.project ? { projectId: config.project } : {}),
    ...(emulatorHost ? { apiEndpoint: withScheme(emulatorHost) } : {}),
  });
  const pubsub = new PubSub(config.project ? { projectId: config.project } : {});
  // SLUICE_GEMINI_BASE_URL alone means "the emulator there" (settings.ts decides).
  const gemini = resolveGeminiSettings(config.env);
  const stores = new Map<string, BlobStore>();
  const storeFor = (bucket: string): BlobStore => {
    let store = stores.get(bucket);
    if (store === undefined) {
      store = createGcsBlobStore(storage, bucket);
      stores.set(bucket, store);
    }
    return store;
  };
  return {
    store: storeFor(config.bucket),
    inputStore: (bucket) => {
      assertAllowed(config, bucket);
      return storeFor(bucket);
    },
    queue: createPubSubQueue(pubsub),
    topics: { batches: config.topics.batches, jobEvents: config.topics.jobEvents },
    model: createGeminiModelClient(gemini),
    clock: systemClock,
    random: mathRandom,
    logger,
  };
}

function withScheme(host: string): string {
  return /^https?:\/\//.test(host) ? host : `http://${host}`;
}
