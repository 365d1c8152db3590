/**
 * The unary RPCs of google.pubsub.v1 Publisher and Subscriber that the Node client uses.
 * Every handler validates names, journals its request and answers with the service's status
 * codes (NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT).
 */
import {
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedHandleCall,
} from '@grpc/grpc-js';
import type { Broker, SubscriptionResource } from './broker.ts';
import { createPushSink } from './push.ts';
import {
  servePull,
  serveStreamingPull,
  type Journal,
  type PullRequest,
  type PullResponse,
} from './pull.ts';
import { checkName, grpcError, type WireMessage } from './resources.ts';

type Request = Record<string, unknown> & {
  name?: string;
  topic?: string;
  subscription?: string;
  project?: string;
  ackIds?: string[];
  ackDeadlineSeconds?: number;
  messages?: WireMessage[];
};

type Handlers = Record<string, UntypedHandleCall>;

function unary(
  journal: Journal,
  rpc: string,
  body: (request: Request) => unknown,
): UntypedHandleCall {
  return (call: ServerUnaryCall<Request, unknown>, callback: sendUnaryData<unknown>) => {
    journal(rpc, call.request);
    try {
      callback(null, body(call.request));
    } catch (error) {
      callback(error as Error);
    }
  };
}

function ackIds(request: Request): string[] {
  const ids = request.ackIds ?? [];
  if (ids.length === 0) throw grpcError(status.INVALID_ARGUMENT, 'No ack ids specified');
  return ids;
}

export function publisherHandlers(broker: Broker, journal: Journal): Handlers {
  return {
    CreateTopic: unary(journal, 'Publisher/CreateTopic', (r) =>
      broker.createTopic(checkName(r.name, 'topics', 'name'), r),
    ),
    GetTopic: unary(journal, 'Publisher/GetTopic', (r) =>
      broker.getTopic(checkName(r.topic, 'topics', 'topic')),
    ),
    DeleteTopic: unary(journal, 'Publisher/DeleteTopic', (r) => {
      broker.deleteTopic(checkName(r.topic, 'topics', 'topic'));
      return {};
    }),
    Publish: unary(journal, 'Publisher/Publish', (r) => {
      const topic = checkName(r.topic, 'topics', 'topic');
      const messages = r.messages ?? [];
      if (messages.length === 0)
        throw grpcError(status.INVALID_ARGUMENT, 'Publish: messages must not be empty');
      return { messageIds: broker.publish(topic, messages) };
    }),
    ListTopics: unary(journal, 'Publisher/ListTopics', (r) => ({
      topics: [...broker.topics.values()].filter((t) =>
        t.name.startsWith(`${r.project ?? ''}/topics/`),
      ),
      nextPageToken: '',
    })),
    ListTopicSubscriptions: unary(journal, 'Publisher/ListTopicSubscriptions', (r) => {
      const topic = broker.getTopic(checkName(r.topic, 'topics', 'topic')).name;
      const subs = [...broker.subscriptions.values()].filter((s) => s.resource.topic === topic);
      return { subscriptions: subs.map((s) => s.resource.name), nextPageToken: '' };
    }),
  };
}

function checkSubscription(r: Request): SubscriptionResource {
  const resource = { ...r } as SubscriptionResource;
  resource.name = checkName(r.name, 'subscriptions', 'name');
  resource.topic = checkName(r.topic, 'topics', 'topic');
  const deadline = resource.ackDeadlineSeconds || 10;
  if (deadline < 10 || deadline > 600) {
    throw grpcError(status.INVALID_ARGUMENT, `ackDeadlineSeconds must be 10..600, got ${deadline}`);
  }
  resource.ackDeadlineSeconds = deadline;
  const policy = resource.deadLetterPolicy;
  if (policy?.deadLetterTopic) {
    checkName(policy.deadLetterTopic, 'topics', 'deadLetterPolicy.deadLetterTopic');
    const max = policy.maxDeliveryAttempts || 5;
    if (max < 5 || max > 100) {
      throw grpcError(
        status.INVALID_ARGUMENT,
        `deadLetterPolicy.maxDeliveryAttempts must be 5..100, got ${max}`,
      );
    }
    resource.deadLetterPolicy = {
      deadLetterTopic: policy.deadLetterTopic,
      maxDeliveryAttempts: max,
    };
  }
  const endpoint = resource.pushConfig?.pushEndpoint ?? '';
  if (endpoint && !/^https?:\/\//.test(endpoint)) {
    throw grpcError(
      status.INVALID_ARGUMENT,
      `pushConfig.pushEndpoint must be an http(s) URL, got ${endpoint}`,
    );
  }
  resource.pushConfig = { ...resource.pushConfig, pushEndpoint: endpoint };
  return resource;
}

export function subscriberHandlers(
  broker: Broker,
  journal: Journal,
  options: { pushRetryDelayMs: number; onPushSink: (stop: () => void) => void },
): Handlers {
  const subscriptionOf = (r: Request) =>
    broker.subscription(checkName(r.subscription, 'subscriptions', 'subscription'));
  return {
    CreateSubscription: unary(journal, 'Subscriber/CreateSubscription', (r) => {
      const resource = broker.createSubscription(checkSubscription(r));
      if (resource.pushConfig?.pushEndpoint) {
        const sub = broker.subscription(resource.name);
        const sink = createPushSink(broker, sub, { retryDelayMs: options.pushRetryDelayMs });
        options.onPushSink(() => sink.stop());
        broker.attach(sub, sink);
      }
      return resource;
    }),
    GetSubscription: unary(
      journal,
      'Subscriber/GetSubscription',
      (r) => subscriptionOf(r).resource,
    ),
    DeleteSubscription: unary(journal, 'Subscriber/DeleteSubscription', (r) => {
      broker.deleteSubscription(checkName(r.subscription, 'subscriptions', 'subscription'));
      return {};
    }),
    ListSubscriptions: unary(journal, 'Subscriber/ListSubscriptions', (r) => ({
      subscriptions: [...broker.subscriptions.values()]
        .map((s) => s.resource)
        .filter((s) => s.name.startsWith(`${r.project ?? ''}/subscriptions/`)),
      nextPageToken: '',
    })),
    Acknowledge: unary(journal, 'Subscriber/Acknowledge', (r) => {
      broker.acknowledge(subscriptionOf(r), ackIds(r));
      return {};
    }),
    ModifyAckDeadline: unary(journal, 'Subscriber/ModifyAckDeadline', (r) => {
      const seconds = r.ackDeadlineSeconds ?? 0;
      if (seconds < 0 || seconds > 600) {
        throw grpcError(
          status.INVALID_ARGUMENT,
          `ackDeadlineSeconds must be 0..600, got ${seconds}`,
        );
      }
      broker.modifyAckDeadline(subscriptionOf(r), ackIds(r), seconds);
      return {};
    }),
    Pull: (
      call: ServerUnaryCall<PullRequest, PullResponse>,
      callback: sendUnaryData<PullResponse>,
    ) => {
      journal('Subscriber/Pull', call.request);
      try {
        servePull(broker, call, callback);
      } catch (error) {
        callback(error as Error);
      }
    },
    StreamingPull: (call: Parameters<typeof serveStreamingPull>[2]) =>
      serveStreamingPull(broker, journal, call),
  };
}
