import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '../../../functions/pipeline/errors.ts';
import { planJob } from '../../../functions/pipeline/plan-job.ts';
import type { BlobStore } from '../../../functions/pipeline/ports.ts';
import {
  batchMessages,
  createHarness,
  jobRequest,
  promptLines,
  TOPICS,
} from '../../fakes/pipeline.ts';

const never = new AbortController().signal;
const request = jobRequest;

describe('planJob', () => {
  it('cuts contiguous byte ranges at line boundaries within the line and byte limits', async () => {
    const h = createHarness();
    const lines = [...promptLines(3), '', 'é'.repeat(30), ...promptLines(6).slice(3)];
    const text = lines.join('\n') + '\n';
    await h.input.put('in.jsonl', text);
    const { manifest, published, created } = await planJob(
      h.deps,
      request({ batchLines: 3, batchBytes: 60 }),
      never,
    );
    expect(created).toBe(true);
    const bytes = new TextEncoder().encode(text);
    expect(manifest.input).toMatchObject({
      size: bytes.length,
      generation: expect.any(String) as string,
    });
    expect(manifest.totalLines).toBe(7); // the blank line yields no result
    let at = 0;
    let line = 1;
    for (const b of manifest.batches) {
      expect(b.start).toBe(at);
      expect(b.firstLine).toBe(line);
      expect(b.lines).toBeLessThanOrEqual(3);
      // A range ends just after a '\n' and holds whole lines only.
      expect(bytes[b.end - 1]).toBe(0x0a);
      if (b.lines > 1) expect(b.end - b.start).toBeLessThanOrEqual(60);
      at = b.end;
      line += b.lines;
    }
    expect(at).toBe(bytes.length);
    expect(published).toBe(manifest.batches.length);
    expect(
      batchMessages(h.queue).map((m) => [m.batch, m.start, m.end, m.input.generation]),
    ).toEqual(manifest.batches.map((b) => [b.index, b.start, b.end, manifest.input.generation]));
    expect(h.store.has('jobs/j1/planned.json')).toBe(true);
  });

  it('records duplicate ids per batch, against the first line anywhere in the input', async () => {
    const h = createHarness();
    await h.input.put(
      'in.jsonl',
      [
        '{"id":"a","prompt":"1"}',
        '{"id":"b","prompt":"2"}',
        '{"prompt":"3"}',
        '{"id":"a","prompt":"4"}',
        '{"id":"line-3","prompt":"5"}',
      ].join('\n'),
    );
    const { manifest } = await planJob(h.deps, request({ batchLines: 2 }), never);
    expect(manifest.batches.map((b) => b.duplicates ?? [])).toEqual([
      [],
      [{ line: 4, id: 'a', firstLine: 1 }],
      [{ line: 5, id: 'line-3', firstLine: 3 }],
    ]);
  });

  it('re-plan does nothing new; a crash between manifest and planned.json re-publishes', async () => {
    const h = createHarness();
    await h.input.put('in.jsonl', promptLines(5).join('\n'));
    const first = await planJob(h.deps, request(), never);
    const again = await planJob(h.deps, request(), never);
    expect(again).toMatchObject({ published: 0, created: false });
    expect(again.manifest).toEqual(first.manifest);
    expect(h.queue.on(TOPICS.batches)).toHaveLength(2);
    await h.store.remove('jobs/j1/planned.json'); // as if the planner died before marking
    const resumed = await planJob(h.deps, request(), never);
    expect(resumed).toMatchObject({ published: 2, created: false });
    expect(h.store.has('jobs/j1/planned.json')).toBe(true);
  });

  it('a publish failure fails the plan (redelivery), and the retry completes it', async () => {
    const h = createHarness();
    await h.input.put('in.jsonl', promptLines(5).join('\n'));
    h.queue.failNext(1);
    await expect(planJob(h.deps, request(), never)).rejects.toThrow(/publish failure/);
    expect(h.store.has('jobs/j1/planned.json')).toBe(false);
    expect((await planJob(h.deps, request(), never)).published).toBe(2);
  });

  it('two planners of one job at once: one manifest, the loser adopts it', async () => {
    const h = createHarness();
    await h.input.put('in.jsonl', promptLines(5).join('\n'));
    const [a, b] = await Promise.all([
      planJob(h.deps, request(), never),
      planJob(h.deps, request(), never),
    ]);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(a.manifest).toEqual(b.manifest);
  });

  it('a 412 on the manifest (another planner won) adopts the existing manifest', async () => {
    const h = createHarness();
    await h.input.put('in.jsonl', promptLines(2).join('\n'));
    const store: BlobStore = {
      ...h.store,
      write: async (name, data, options) => {
        if (name.endsWith('manifest.json')) {
          await h.store.put(name, data);
          throw new PreconditionFailedError('raced');
        }
        return h.store.write(name, data, options);
      },
    };
    h.deps.store = store;
    expect((await planJob(h.deps, request(), never)).created).toBe(false);
  });

  it('an empty input still plans one (empty) batch; a missing input is a clear error', async () => {
    const h = createHarness();
    await h.input.put('in.jsonl', '');
    const { manifest } = await planJob(h.deps, request(), never);
    expect(manifest.batches).toEqual([{ index: 0, start: 0, end: 0, firstLine: 1, lines: 0 }]);
    expect(manifest.totalLines).toBe(0);
    const h2 = createHarness();
    await expect(planJob(h2.deps, request(), never)).rejects.toThrow(/no such object/);
  });
});
