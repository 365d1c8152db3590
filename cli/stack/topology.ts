/**
 * Topics and subscriptions of the local stack, the same shape as infra/pubsub.tf: one push
 * subscription per Pub/Sub-driven function with a dead-letter topic (and a pull subscription on
 * each dead-letter topic so dead letters are kept), plus a pull subscription on job events.
 */
import type { PubSub } from '@google-cloud/pubsub';
import type { FunctionName } from './function-process.ts';

export interface Topology {
  uploads: string;
  jobs: string;
  batches: string;
  jobEvents: string;
}

/** Topic ids for a name prefix (`sluice` → `sluice-jobs`, ... as Terraform names them). */
export function topologyFor(prefix: string): Topology {
  return {
    uploads: `${prefix}-uploads`,
    jobs: `${prefix}-jobs`,
    batches: `${prefix}-batches`,
    jobEvents: `${prefix}-job-events`,
  };
}

/** Creates topics and subscriptions; push endpoints end in `/projects/<p>/topics/<t>`. */
export async function createTopology(
  pubsub: PubSub,
  project: string,
  topology: Topology,
  endpoints: Record<FunctionName, string>,
  maxDeliveryAttempts: number,
): Promise<void> {
  const pushed: Array<[string, FunctionName]> = [
    [topology.uploads, 'onUpload'],
    [topology.jobs, 'onJob'],
    [topology.batches, 'onBatch'],
  ];
  for (const [topic] of pushed) {
    await pubsub.createTopic(`${topic}-dead`);
    await pubsub
      .topic(`${topic}-dead`)
      .createSubscription(`${topic}-dead`, { ackDeadlineSeconds: 60 });
  }
  await pubsub.createTopic(topology.jobEvents);
  await pubsub
    .topic(topology.jobEvents)
    .createSubscription(topology.jobEvents, { ackDeadlineSeconds: 60 });
  for (const [topic, fn] of pushed) {
    await pubsub.createTopic(topic);
    await pubsub.topic(topic).createSubscription(`${topic}-push`, {
      ackDeadlineSeconds: 600,
      pushConfig: { pushEndpoint: `${endpoints[fn]}/projects/${project}/topics/${topic}` },
      deadLetterPolicy: {
        deadLetterTopic: `projects/${project}/topics/${topic}-dead`,
        maxDeliveryAttempts,
      },
      retryPolicy: {
        minimumBackoff: { seconds: 0, nanos: 100_000_000 },
        maximumBackoff: { seconds: 2 },
      },
    });
  }
}
