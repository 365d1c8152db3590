/**
 * The composition seam of the deployed functions. Each instance builds its `App` (config,
 * pipeline deps, logger) lazily on the first request, so a configuration error becomes one clear
 * log line and a 500 per request instead of a crash loop without a message. Tests swap the
 * factory with `setAppFactory` (no module mocks).
 */
import { processEnv } from '../config.ts';
import type { PipelineDeps } from '../pipeline/ports.ts';
import {
  createCloudLogger,
  parseLogLevel,
  type CloudLogger,
} from '../adapters/log/cloud-logger.ts';
import type { CloudConfig } from './config.ts';

export interface App {
  config: CloudConfig;
  deps: PipelineDeps;
  logger: CloudLogger;
}

export type AppFactory = () => App | Promise<App>;

/** Default: the real Google clients, imported only when first needed. */
const cloudFactory: AppFactory = async () => {
  const { createCloudApp } = await import('./cloud-deps.ts');
  return createCloudApp(processEnv());
};

let factory: AppFactory = cloudFactory;
let pending: Promise<App> | undefined;

/** Replaces how the App is built (tests, the local stack); the next request builds it anew. */
export function setAppFactory(next: AppFactory | undefined): void {
  factory = next ?? cloudFactory;
  pending = undefined;
}

/** The instance's App, built once. A failed build is retried by the next request. */
export function getApp(): Promise<App> {
  if (pending === undefined) {
    const building = Promise.resolve().then(factory);
    pending = building;
    building.catch(() => {
      if (pending === building) pending = undefined;
    });
  }
  return pending;
}

/** Logger used before the App exists (config errors): same format, level from the env. */
export function bootLogger(): CloudLogger {
  return createCloudLogger({ level: parseLogLevel(processEnv().SLUICE_LOG_LEVEL) });
}
