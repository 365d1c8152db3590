/** The Queue port's rule for message bodies, shared by the Pub/Sub and in-process queues. */
import type { QueueMessage } from './ports.ts';

/** The message data as JSON text; throws naming the topic when it cannot be sent. */
export function encodeQueueData(topic: string, message: QueueMessage): string {
  if (!topic) throw new TypeError('publish: `topic` must be a non-empty topic name');
  const encoded = JSON.stringify(message.data);
  if (encoded === undefined) {
    throw new TypeError(`publish to ${topic}: \`data\` is not JSON-serialisable`);
  }
  return encoded;
}
