import { describe, expect, it } from 'vitest';
import { loadCloudConfig } from '../../functions/app/config.ts';
import { assertAllowed } from '../../functions/app/input-allow-list.ts';
import { parseDotenv } from '../../cli/stack/cloud-env.ts';
import { notificationMessage } from '../../cli/stack/storage-notifications.ts';
import { decodeStorage } from '../../functions/triggers/decode-storage.ts';
import type { FinalizeEvent } from '../../emulators/gcs/index.ts';

describe('loadCloudConfig', () => {
  it('reads the cloud env with defaults and the allow-list', () => {
    const c = loadCloudConfig({
      SLUICE_BUCKET: 'bk1',
      SLUICE_INPUT_BUCKETS: 'bk2, bk3',
      SLUICE_MODEL: 'm',
    });
    expect(c.inputBuckets).toEqual(['bk1', 'bk2', 'bk3']);
    expect(c.topics).toEqual({
      jobs: 'sluice-jobs',
      batches: 'sluice-batches',
      jobEvents: 'sluice-job-events',
    });
    expect(c.jobDefaults).toMatchObject({ model: 'm', concurrency: 8, batchLines: 100 });
    expect(c.maxDeliveries).toBe(5);
    expect(() => assertAllowed(c, 'evil')).toThrow(/"evil" is not allow-listed/);
  });

  it.each([
    [{}, /SLUICE_BUCKET is not set/],
    [{ SLUICE_BUCKET: 'Bad_Bucket!' }, /SLUICE_BUCKET="Bad_Bucket!" is not valid/],
    [{ SLUICE_BUCKET: 'bk1', SLUICE_CONCURRENCY: '0' }, /SLUICE_CONCURRENCY="0"/],
    [{ SLUICE_BUCKET: 'bk1', SLUICE_LOG_LEVEL: 'loud' }, /SLUICE_LOG_LEVEL="loud"/],
    [{ SLUICE_BUCKET: 'bk1', SLUICE_INPUT_BUCKETS: 'ok1,NO!' }, /SLUICE_INPUT_BUCKETS="NO!"/],
  ])('names the variable at fault: %o', (env, message) => {
    expect(() => loadCloudConfig(env)).toThrow(message);
  });
});

describe('local stack helpers', () => {
  it('parses .sluice/dev.env lines', () => {
    expect(parseDotenv('# c\nA=1\nexport B=http://x:2\n\nbad line\n')).toEqual({
      A: '1',
      B: 'http://x:2',
    });
  });

  it('builds Storage notifications the upload trigger decodes', () => {
    const object = {
      bucket: 'b',
      name: 'inputs/a.jsonl',
      generation: '17',
      size: '5',
      updated: '2026-11-28T00:00:00Z',
    } as FinalizeEvent;
    const m = notificationMessage(object);
    const body = {
      message: { data: m.data.toString('base64'), attributes: m.attributes, messageId: '1' },
    };
    expect(decodeStorage({}, body)).toEqual({
      eventType: 'OBJECT_FINALIZE',
      bucket: 'b',
      name: 'inputs/a.jsonl',
      generation: '17',
      size: 5,
    });
  });
});
