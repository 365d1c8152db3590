/**
 * The two ways to pull: the StreamingPull bidi stream the Node client uses for `on('message')`,
 * and unary Pull (used by tests that must not have their leases auto-extended).
 */
import {
  status,
  type ServiceError,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import type { Broker, ReceivedMessage, Sink, SubscriptionState } from './broker.ts';
import { checkName, grpcError } from './resources.ts';

export interface StreamingPullRequest {
  subscription?: string;
  ackIds?: string[];
  modifyDeadlineSeconds?: number[];
  modifyDeadlineAckIds?: string[];
  streamAckDeadlineSeconds?: number;
  clientId?: string;
  maxOutstandingMessages?: string | number;
  maxOutstandingBytes?: string | number;
  protocolVersion?: string | number;
}

export interface StreamingPullResponse {
  receivedMessages?: ReceivedMessage[];
  subscriptionProperties?: { exactlyOnceDeliveryEnabled: boolean; messageOrderingEnabled: boolean };
}

/** How long a unary Pull with no message ready waits before answering empty. */
const PULL_WAIT_MS = 1000;

export type Journal = (rpc: string, request: unknown) => void;

/** Handles one StreamingPull call until the client closes or cancels it. */
export function serveStreamingPull(
  broker: Broker,
  journal: Journal,
  call: ServerDuplexStream<StreamingPullRequest, StreamingPullResponse>,
): void {
  let sub: SubscriptionState | undefined;
  let sink: Sink | undefined;
  let finished = false;

  const finish = (error?: unknown): void => {
    if (finished) return;
    finished = true;
    if (sub && sink) broker.detach(sub, sink);
    if (call.cancelled) return;
    if (error === undefined) call.end();
    else call.emit('error', error);
  };

  const applyAcks = (target: SubscriptionState, request: StreamingPullRequest): boolean => {
    const acks = request.ackIds ?? [];
    const modIds = request.modifyDeadlineAckIds ?? [];
    const modSeconds = request.modifyDeadlineSeconds ?? [];
    if (modIds.length !== modSeconds.length) {
      throw grpcError(
        status.INVALID_ARGUMENT,
        'modifyDeadlineAckIds and modifyDeadlineSeconds differ in length',
      );
    }
    if (acks.length > 0) broker.acknowledge(target, acks);
    modIds.forEach((ackId, i) => broker.modifyAckDeadline(target, [ackId], modSeconds[i] ?? 0));
    return acks.length > 0 || modIds.length > 0;
  };

  const open = (request: StreamingPullRequest): void => {
    const name = checkName(request.subscription, 'subscriptions', 'subscription');
    const target = broker.subscription(name);
    let deadline = request.streamAckDeadlineSeconds ?? 0;
    if (deadline < 10 || deadline > 600) {
      throw grpcError(
        status.INVALID_ARGUMENT,
        `streamAckDeadlineSeconds must be 10..600, got ${deadline}`,
      );
    }
    const max = Number(request.maxOutstandingMessages ?? 0);
    const streamSink: Sink = {
      outstanding: 0,
      free: () => (finished ? 0 : max > 0 ? max - streamSink.outstanding : Infinity),
      ackDeadlineSeconds: () => deadline,
      deliver: (messages) => {
        if (!call.cancelled) call.write({ receivedMessages: messages });
      },
      gone: () =>
        finish(grpcError(status.NOT_FOUND, `Subscription does not exist (resource=${name})`)),
    };
    sub = target;
    sink = streamSink;
    call.on('data', (next: StreamingPullRequest) => {
      journal('Subscriber/StreamingPull', next);
      try {
        if (next.streamAckDeadlineSeconds) deadline = next.streamAckDeadlineSeconds;
        // Anything that is not an ack is a keepalive ping: answer it, or the client (protocol
        // version 1) drops the stream after 15 s without a server message.
        if (!applyAcks(target, next) && !finished && !call.cancelled) call.write({});
      } catch (error) {
        finish(error);
      }
    });
    applyAcks(target, request);
    call.write({
      subscriptionProperties: {
        exactlyOnceDeliveryEnabled: false,
        messageOrderingEnabled: target.resource['enableMessageOrdering'] === true,
      },
    });
    broker.attach(target, streamSink);
  };

  call.once('data', (first: StreamingPullRequest) => {
    journal('Subscriber/StreamingPull', first);
    try {
      open(first);
    } catch (error) {
      finish(error);
    }
  });
  call.on('end', () => finish());
  call.on('cancelled', () => finish());
  call.on('error', () => finish());
}

export interface PullRequest {
  subscription?: string;
  returnImmediately?: boolean;
  maxMessages?: number;
}

export interface PullResponse {
  receivedMessages: ReceivedMessage[];
}

/** Unary Pull: answers with what is ready, or waits up to PULL_WAIT_MS for the first message. */
export function servePull(
  broker: Broker,
  call: ServerUnaryCall<PullRequest, PullResponse>,
  callback: sendUnaryData<PullResponse>,
): void {
  const name = checkName(call.request.subscription, 'subscriptions', 'subscription');
  const sub = broker.subscription(name);
  const max = call.request.maxMessages ?? 0;
  if (max <= 0) throw grpcError(status.INVALID_ARGUMENT, 'maxMessages must be > 0');
  let done = false;
  const answer = (messages: ReceivedMessage[], error?: ServiceError): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    broker.detach(sub, sink);
    if (error) callback(error);
    else callback(null, { receivedMessages: messages });
  };
  const sink: Sink = {
    outstanding: 0,
    free: () => (done ? 0 : max),
    ackDeadlineSeconds: () => sub.resource.ackDeadlineSeconds ?? 10,
    deliver: (messages) => answer(messages),
    gone: () =>
      answer([], grpcError(status.NOT_FOUND, `Subscription does not exist (resource=${name})`)),
  };
  // Created before attach so that an immediate delivery can clear it.
  const timer = setTimeout(() => answer([]), call.request.returnImmediately ? 0 : PULL_WAIT_MS);
  call.on('cancelled', () => answer([]));
  broker.attach(sub, sink);
}
