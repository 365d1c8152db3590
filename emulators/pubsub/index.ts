/**
 * In-project Pub/Sub emulator: a gRPC server (on @grpc/grpc-js, with the protos shipped in
 * @google-cloud/pubsub) that the real client uses unchanged. See README.md for what it models.
 */
import {
  Server,
  ServerCredentials,
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServiceDefinition,
  type UntypedHandleCall,
} from '@grpc/grpc-js';
import { createBroker } from './broker.ts';
import { loadPubSubServices, SERVICE_NAMES } from './protos.ts';
import { grpcError } from './resources.ts';
import { publisherHandlers, subscriberHandlers } from './services.ts';

export interface PubSubEmulator {
  /** `127.0.0.1:PORT`, for `PUBSUB_EMULATOR_HOST` or `new PubSub({ apiEndpoint })`. */
  host: string;
  port: number;
  close(): Promise<void>;
  /** Every RPC received (StreamingPull: every request on every stream), oldest first. */
  journal(): Array<{ rpc: string; request: unknown }>;
}

export interface PubSubEmulatorOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (a free one). */
  port?: number;
  /** First delay before a failed push is retried; default 100 ms, doubling up to 64×. */
  pushRetryDelayMs?: number;
}

/** Starts the emulator and resolves once it listens. */
export async function startPubSubEmulator(
  options: PubSubEmulatorOptions = {},
): Promise<PubSubEmulator> {
  const bindHost = options.host ?? '127.0.0.1';
  const entries: Array<{ rpc: string; request: unknown }> = [];
  const journal = (rpc: string, request: unknown): void => void entries.push({ rpc, request });
  const broker = createBroker();
  const stops: Array<() => void> = [];
  const implemented: Record<string, Record<string, UntypedHandleCall>> = {
    Publisher: publisherHandlers(broker, journal),
    Subscriber: subscriberHandlers(broker, journal, {
      pushRetryDelayMs: options.pushRetryDelayMs ?? 100,
      onPushSink: (stop) => stops.push(stop),
    }),
    SchemaService: {},
  };

  const server = new Server();
  const services = loadPubSubServices();
  for (const name of SERVICE_NAMES) {
    server.addService(
      services[name],
      withUnimplemented(name, services[name], implemented[name] ?? {}, journal),
    );
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${bindHost}:${options.port ?? 0}`,
      ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });

  let closed: Promise<void> | undefined;
  return {
    host: `${bindHost}:${port}`,
    port,
    journal: () => [...entries],
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const stop of stops) stop();
        broker.close();
        // Client streams live for minutes; an emulator going away cancels them, as a crash would.
        server.forceShutdown();
        resolve();
      });
      return closed;
    },
  };
}

/** Fills every method we do not serve with an UNIMPLEMENTED answer that names it. */
function withUnimplemented(
  service: string,
  definition: ServiceDefinition,
  handlers: Record<string, UntypedHandleCall>,
  journal: (rpc: string, request: unknown) => void,
): Record<string, UntypedHandleCall> {
  const all: Record<string, UntypedHandleCall> = { ...handlers };
  for (const [method, spec] of Object.entries(definition)) {
    if (all[method]) continue;
    const rpc = `${service}/${method}`;
    const error = () =>
      grpcError(
        status.UNIMPLEMENTED,
        `google.pubsub.v1.${rpc} is not implemented by the in-project Pub/Sub emulator`,
      );
    const streaming: handleServerStreamingCall<unknown, unknown> = (call) => {
      journal(rpc, call.request);
      call.emit('error', error());
    };
    const single: handleUnaryCall<unknown, unknown> = (call, callback) => {
      journal(rpc, call.request);
      callback(error());
    };
    all[method] = spec.responseStream ? streaming : single;
  }
  return all;
}
