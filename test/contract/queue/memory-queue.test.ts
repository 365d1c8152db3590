import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryQueue, type Delivery } from '../../../functions/adapters/memory/queue.ts';

const signal = new AbortController().signal;

function record<T>(list: T[], item: T): Promise<void> {
  list.push(item);
  return Promise.resolve();
}

afterEach(() => {
  vi.useRealTimers();
});

describe('memory queue', () => {
  it('delivers data and attributes to every subscriber of the topic, and acks on resolve', async () => {
    const queue = createMemoryQueue();
    const a: Delivery[] = [];
    const b: Delivery[] = [];
    queue.subscribe('jobs', (d) => record(a, d));
    queue.subscribe('jobs', (d) => record(b, d));
    queue.subscribe('other', () => Promise.reject(new Error('must not be called')));
    const id = await queue.publish('jobs', { data: { n: 1 }, attributes: { k: 'v' } }, signal);
    await queue.idle();
    const expected = {
      id,
      data: { n: 1 },
      attributes: { k: 'v' },
      deliveryAttempt: 1,
      topic: 'jobs',
    };
    expect(a).toEqual([expected]);
    expect(b).toEqual([expected]);
    expect(queue.deadLetters()).toEqual([]);
    expect(queue.published('jobs')).toEqual([expected]);
    expect(queue.published('other')).toEqual([]);
  });

  it('never runs a handler inline, and hands it a copy of the data', async () => {
    const queue = createMemoryQueue();
    const seen: Delivery[] = [];
    queue.subscribe('t', (d) => record(seen, d));
    const data = { list: [1] };
    const publishing = queue.publish('t', { data }, signal);
    expect(seen).toEqual([]);
    data.list.push(2);
    await publishing;
    await queue.idle();
    expect(seen[0]?.data).toEqual({ list: [1] });
  });

  it('redelivers a nacked message with deliveryAttempt + 1 after redeliveryDelayMs', async () => {
    vi.useFakeTimers();
    const queue = createMemoryQueue({ redeliveryDelayMs: 1000 });
    const attempts: number[] = [];
    queue.subscribe('t', (d) => {
      attempts.push(d.deliveryAttempt);
      return d.deliveryAttempt < 3 ? Promise.reject(new Error('transient')) : Promise.resolve();
    });
    await queue.publish('t', { data: 'x' }, signal);
    let idle = false;
    void queue.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toEqual([1]);
    await vi.advanceTimersByTimeAsync(999);
    expect(attempts).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([1, 2]);
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toEqual([1, 2, 3]);
    expect(idle).toBe(true);
    expect(queue.deadLetters()).toEqual([]);
  });

  it('dead-letters after maxDeliveries and reports the last error', async () => {
    vi.useFakeTimers();
    const reported: Array<[number, unknown]> = [];
    const queue = createMemoryQueue({
      maxDeliveries: 3,
      redeliveryDelayMs: 10,
      onDeadLetter: (d, error) => reported.push([d.deliveryAttempt, error]),
    });
    let calls = 0;
    queue.subscribe('t', (d) => {
      calls += 1;
      return Promise.reject(new Error(`boom ${d.deliveryAttempt}`));
    });
    const id = await queue.publish('t', { data: { poison: true } }, signal);
    const idle = queue.idle();
    await vi.advanceTimersByTimeAsync(100);
    await idle;
    expect(calls).toBe(3);
    expect(queue.deadLetters()).toEqual([
      { id, data: { poison: true }, attributes: {}, deliveryAttempt: 3, topic: 't' },
    ]);
    expect(reported).toEqual([[3, new Error('boom 3')]]);
  });

  it('treats a synchronous throw like a rejection', async () => {
    const queue = createMemoryQueue({ maxDeliveries: 2 });
    queue.subscribe('t', () => {
      throw new Error('sync');
    });
    await queue.publish('t', { data: 1 }, signal);
    await queue.idle();
    expect(queue.deadLetters().map((d) => d.deliveryAttempt)).toEqual([2]);
  });

  it('idle() waits for messages that handlers publish (cascades)', async () => {
    const queue = createMemoryQueue();
    const done: string[] = [];
    queue.subscribe('plan', async (d, s) => {
      for (let i = 0; i < 3; i++)
        await queue.publish('batch', { data: `${JSON.stringify(d.data)}-${i}` }, s);
    });
    queue.subscribe('batch', async (d, s) => {
      await new Promise((r) => setTimeout(r, 1));
      await queue.publish('done', { data: d.data }, s);
    });
    queue.subscribe('done', (d) => record(done, JSON.stringify(d.data)));
    await queue.publish('plan', { data: 'job' }, signal);
    await queue.idle();
    expect(done.sort()).toEqual(['"job"-0', '"job"-1', '"job"-2'].map((s) => JSON.stringify(s)));
    expect(queue.published().map((d) => d.topic)).toEqual([
      'plan',
      'batch',
      'batch',
      'batch',
      'done',
      'done',
      'done',
    ]);
  });

  it('idle() resolves at once when empty and rejects when its signal aborts', async () => {
    const queue = createMemoryQueue();
    await queue.idle();
    queue.subscribe('t', () => new Promise<void>(() => undefined));
    await queue.publish('t', { data: 1 }, signal);
    const controller = new AbortController();
    const waiting = queue.idle(controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
  });

  it('unsubscribe aborts in-flight handlers, cancels redeliveries and settles idle()', async () => {
    vi.useFakeTimers();
    const queue = createMemoryQueue({ redeliveryDelayMs: 5000 });
    let inflight: AbortSignal | undefined;
    const unsubscribeSlow = queue.subscribe('slow', (_d, s) => {
      inflight = s;
      return new Promise<void>(() => undefined);
    });
    let failing = 0;
    const unsubscribeFailing = queue.subscribe('failing', () => {
      failing += 1;
      return Promise.reject(new Error('no'));
    });
    await queue.publish('slow', { data: 1 }, signal);
    await queue.publish('failing', { data: 2 }, signal);
    await vi.advanceTimersByTimeAsync(0);
    const idle = queue.idle();
    unsubscribeSlow();
    unsubscribeFailing();
    await idle;
    expect(inflight?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(failing).toBe(1);
  });

  it('drops messages for topics without subscribers (as Pub/Sub does) but records them', async () => {
    const queue = createMemoryQueue();
    await queue.publish('nobody', { data: 1 }, signal);
    await queue.idle();
    expect(queue.published('nobody')).toHaveLength(1);
  });

  it('rejects bad input with a clear message', async () => {
    const queue = createMemoryQueue();
    expect(() => createMemoryQueue({ maxDeliveries: 0 })).toThrow(/maxDeliveries/);
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(queue.publish('t', { data: 1 }, aborted)).rejects.toThrow('stop');
    await expect(queue.publish('', { data: 1 }, signal)).rejects.toThrow(/topic/);
    await expect(queue.publish('t', { data: undefined as never }, signal)).rejects.toThrow(/JSON/);
  });
});
