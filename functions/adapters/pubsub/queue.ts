/**
 * Queue port on Cloud Pub/Sub (@google-cloud/pubsub 6.3.0). Publishing is awaited: a Cloud
 * Function must not return before its messages have landed, because the instance's CPU is
 * throttled once the response is sent and an unsent batch would time out (gcp.md §5).
 */
import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { Queue, QueueMessage } from '../../pipeline/ports.ts';
import { raceAbort } from '../../pipeline/abort.ts';
import { encodeQueueData } from '../../pipeline/queue-message.ts';

/**
 * Creates a Queue that publishes JSON messages. `topic` may be a short id (`batches`) or a full
 * name (`projects/P/topics/batches`). Topic objects are cached so their publish batchers are
 * reused across calls.
 */
export function createPubSubQueue(pubsub: PubSub): Queue {
  const topics = new Map<string, Topic>();

  function topicFor(name: string): Topic {
    let topic = topics.get(name);
    if (!topic) {
      topic = pubsub.topic(name);
      topics.set(name, topic);
    }
    return topic;
  }

  return {
    async publish(topic: string, message: QueueMessage, signal: AbortSignal): Promise<string> {
      signal.throwIfAborted();
      const encoded = encodeQueueData(topic, message);
      const publishing = topicFor(topic).publishMessage({
        data: Buffer.from(encoded, 'utf8'),
        attributes: message.attributes ?? {},
      });
      // The publish itself cannot be recalled once batched; abort only stops the wait (the
      // message may still land, which is why consumers are idempotent: DESIGN promise 2).
      return await raceAbort(publishing, signal);
    },
  };
}
