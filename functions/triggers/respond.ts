/**
 * The one place that maps a trigger's outcome to an HTTP answer (2xx = ack for Pub/Sub push):
 * done → 200; `InvalidMessageError` (can never succeed) → logged with its reason, then 200 so the
 * message is acked and never loops; anything else (Storage, Pub/Sub, a bug) → 500 so Pub/Sub
 * redelivers, bounded by the subscription's dead-letter policy. Also builds the App lazily and
 * gives each request its own logger (trace, function name) and AbortSignal (deadline).
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { CloudLogger } from '../adapters/log/cloud-logger.ts';
import { traceFields } from '../adapters/log/trace.ts';
import { InvalidMessageError, toError } from '../pipeline/errors.ts';
import type { PipelineDeps } from '../pipeline/ports.ts';
import { bootLogger, getApp, type App } from '../app/runtime.ts';

export interface TriggerContext {
  app: App;
  /** The app's deps with this request's logger. */
  deps: PipelineDeps;
  logger: CloudLogger;
  req: Request;
  signal: AbortSignal;
}

/** What a trigger hands back: logged and returned as the JSON body of a 200. */
export type TriggerResult = Record<string, unknown>;

export interface TriggerOptions {
  /** Upper bound of one request, after which its signal aborts. */
  timeoutMs: (app: App) => number;
}

/** Wraps a trigger body into a functions-framework HTTP handler. */
export function pubsubTrigger(
  name: string,
  body: (ctx: TriggerContext) => Promise<TriggerResult>,
  options: TriggerOptions = { timeoutMs: () => 540_000 },
): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    let app: App;
    try {
      app = await getApp();
    } catch (error) {
      bootLogger().error(`${name}: cannot start: ${toError(error).message}`, {
        function: name,
        error,
      });
      res.status(500).json({ error: 'configuration', message: toError(error).message });
      return;
    }
    const logger = app.logger.child({
      function: name,
      ...traceFields(req.headers, app.config.project),
    });
    const closed = new AbortController();
    res.on('close', () => closed.abort(new Error('request closed')));
    const signal = AbortSignal.any([closed.signal, AbortSignal.timeout(options.timeoutMs(app))]);
    try {
      const result = await body({ app, deps: { ...app.deps, logger }, logger, req, signal });
      logger.info(`${name}: done`, result);
      res.status(200).json({ ack: true, ...result });
    } catch (thrown) {
      const error = toError(thrown);
      if (error instanceof InvalidMessageError) {
        logger.warn(`${name}: message rejected, acked: ${error.message}`, {
          reason: error.message,
        });
        res.status(200).json({ ack: true, rejected: error.message });
        return;
      }
      logger.error(`${name}: failed, Pub/Sub will redeliver: ${error.message}`, { error });
      res.status(500).json({ ack: false, error: error.message });
    }
  };
}

/** Throws an `InvalidMessageError`: for a message that is fine but not ours to act on. */
export function reject(reason: string): never {
  throw new InvalidMessageError(reason);
}
