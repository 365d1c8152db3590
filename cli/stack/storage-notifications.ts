/**
 * What `google_storage_notification` does in the cloud (infra/storage.tf): every finalized
 * object under `inputs/` becomes a Pub/Sub message on the uploads topic, in the JSON_API_V1
 * payload format (attributes eventType, bucketId, objectId, objectGeneration, ...; data = the
 * object resource).
 */
import type { Topic } from '@google-cloud/pubsub';
import type { FinalizeEvent, GcsEmulator } from '../../emulators/gcs/index.ts';

/** The notification message for one finalized object. */
export function notificationMessage(object: FinalizeEvent): {
  data: Buffer;
  attributes: Record<string, string>;
} {
  return {
    data: Buffer.from(JSON.stringify(object)),
    attributes: {
      notificationConfig: `projects/_/buckets/${object.bucket}/notificationConfigs/1`,
      eventType: 'OBJECT_FINALIZE',
      payloadFormat: 'JSON_API_V1',
      bucketId: object.bucket,
      objectId: object.name,
      objectGeneration: object.generation,
      eventTime: object.updated,
    },
  };
}

/** Forwards finalize events under `prefix` to `topic`; returns the unsubscribe function. */
export function forwardUploads(gcs: GcsEmulator, topic: Topic, prefix = 'inputs/'): () => void {
  return gcs.onFinalize(async (object) => {
    if (!object.name.startsWith(prefix)) return;
    await topic.publishMessage(notificationMessage(object));
  });
}
