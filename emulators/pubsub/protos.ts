/**
 * Loads the Pub/Sub v1 service definitions from the .proto files that ship inside
 * @google-cloud/pubsub (imports resolved from google-gax), so the emulator speaks exactly the
 * wire format of the client version installed.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const require = createRequire(import.meta.url);

function packageRoot(name: string): string {
  // Resolve package.json through the package's main entry (its exports map may hide package.json).
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(join('node_modules', ...name.split('/')))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot locate the ${name} package folder`);
    dir = parent;
  }
  return dir;
}

export const SERVICE_NAMES = ['Publisher', 'Subscriber', 'SchemaService'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The three google.pubsub.v1 services, keyed by short name. */
export function loadPubSubServices(): Record<ServiceName, ServiceDefinition> {
  const pubsubProtos = join(packageRoot('@google-cloud/pubsub'), 'build', 'protos');
  const gaxRequire = createRequire(require.resolve('@google-cloud/pubsub'));
  const gaxProtos = join(dirname(gaxRequire.resolve('google-gax')), '..', 'protos');
  const definition = loadSync(['google/pubsub/v1/pubsub.proto', 'google/pubsub/v1/schema.proto'], {
    includeDirs: [pubsubProtos, gaxProtos],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition);
  const v1 = walk(root, ['google', 'pubsub', 'v1']);
  const services = {} as Record<ServiceName, ServiceDefinition>;
  for (const name of SERVICE_NAMES) {
    const entry = v1[name];
    if (typeof entry !== 'function' || !('service' in entry)) {
      throw new Error(`google.pubsub.v1.${name} not found in the shipped protos`);
    }
    services[name] = entry.service;
  }
  return services;
}

function walk(root: GrpcObject, path: string[]): GrpcObject {
  let node: GrpcObject = root;
  for (const part of path) {
    const next = node[part];
    if (!next || typeof next !== 'object' || 'format' in next) {
      throw new Error(`proto namespace ${path.join('.')} not found`);
    }
    node = next;
  }
  return node;
}
