/**
 * jobStatus: `GET ?jobId=<id>` (or `/jobs/<id>`) → the job's progress as JSON: 200, 404 when no
 * such job, 400 for a malformed id. Read-only; guarded by IAM in the cloud (infra/iam.tf).
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { traceFields } from '../adapters/log/trace.ts';
import { InvalidMessageError, toError } from '../pipeline/errors.ts';
import { jobPrefix } from '../pipeline/job-id.ts';
import { jobStatus as readJobStatus } from '../pipeline/job-status.ts';
import { bootLogger, getApp } from '../app/runtime.ts';

/** The job id a status request asks about. */
export function requestedJobId(req: Pick<Request, 'query' | 'path'>): string | undefined {
  const q = req.query.jobId;
  if (typeof q === 'string' && q !== '') return q;
  const m = /\/jobs\/([^/]+)\/?$/.exec(req.path);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

export async function jobStatusHandler(req: Request, res: Response): Promise<void> {
  if (req.method !== 'GET') {
    res.status(405).set('Allow', 'GET').json({ error: 'use GET ?jobId=<id>' });
    return;
  }
  const app = await getApp().catch((error: unknown) => {
    bootLogger().error(`jobStatus: cannot start: ${toError(error).message}`, { error });
    return undefined;
  });
  if (app === undefined) {
    res.status(500).json({ error: 'configuration error, see the logs' });
    return;
  }
  const logger = app.logger.child({
    function: 'jobStatus',
    ...traceFields(req.headers, app.config.project),
  });
  const jobId = requestedJobId(req);
  try {
    if (jobId === undefined) throw new InvalidMessageError('missing jobId: use GET ?jobId=<id>');
    const status = await readJobStatus(
      { store: app.deps.store },
      jobPrefix(jobId),
      AbortSignal.timeout(30_000),
    );
    if (status === undefined) {
      res.status(404).json({ error: `no job "${jobId}"` });
      return;
    }
    res.status(200).json(status);
  } catch (thrown) {
    const error = toError(thrown);
    if (error instanceof InvalidMessageError) {
      res.status(400).json({ error: error.message });
      return;
    }
    logger.error(`jobStatus: ${error.message}`, { jobId, error });
    res.status(500).json({ error: error.message });
  }
}
