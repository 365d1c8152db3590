/** The input allow-list (DESIGN promise 6): jobs read only from SLUICE_BUCKET and SLUICE_INPUT_BUCKETS. */
import { InvalidMessageError } from '../pipeline/errors.ts';
import type { CloudConfig } from './config.ts';

/** Throws `InvalidMessageError` (ack, never retried) for a bucket outside the allow-list. */
export function assertAllowed(config: Pick<CloudConfig, 'inputBuckets'>, bucket: string): void {
  if (!config.inputBuckets.includes(bucket)) {
    throw new InvalidMessageError(
      `bucket "${bucket}" is not allow-listed for input; allowed: ${config.inputBuckets.join(', ')} (set SLUICE_INPUT_BUCKETS)`,
    );
  }
}
