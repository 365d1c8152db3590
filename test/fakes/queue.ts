/** A recording Queue: keeps every published message; can be told to fail the next publishes. */
import type { Queue, QueueMessage } from '../../functions/pipeline/ports.ts';

export interface RecordingQueue extends Queue {
  messages: Array<{ topic: string; message: QueueMessage }>;
  on(topic: string): QueueMessage[];
  failNext(count: number): void;
}

export function createRecordingQueue(): RecordingQueue {
  const messages: Array<{ topic: string; message: QueueMessage }> = [];
  let failures = 0;
  return {
    messages,
    on: (topic) => messages.filter((m) => m.topic === topic).map((m) => m.message),
    failNext(count) {
      failures = count;
    },
    async publish(topic, message, signal) {
      await Promise.resolve();
      signal.throwIfAborted();
      if (failures > 0) {
        failures -= 1;
        throw new Error(`fake publish failure on ${topic}`);
      }
      messages.push({ topic, message: structuredClone(message) });
      return String(messages.length);
    },
  };
}
