import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';

/** The proto files of the containerd API subset, relative to the `proto/` folder. */
const protoFiles = [
  'containerd/services/version/v1/version.proto',
  'containerd/services/introspection/v1/introspection.proto',
  'containerd/services/namespaces/v1/namespace.proto',
  'containerd/services/leases/v1/leases.proto',
  'containerd/services/containers/v1/containers.proto',
  'containerd/services/tasks/v1/tasks.proto',
  'containerd/services/events/v1/events.proto',
  'containerd/events/task.proto',
  'containerd/events/container.proto',
  'containerd/events/namespace.proto',
  'containerd/events/image.proto',
  'containerd/events/snapshot.proto',
  'containerd/runc/v1/process-details.proto',
  'containerd/cgroups/v1/metrics.proto',
] as const;

/** The services served, by their short name. */
export const serviceNames = {
  version: 'containerd.services.version.v1.Version',
  introspection: 'containerd.services.introspection.v1.Introspection',
  namespaces: 'containerd.services.namespaces.v1.Namespaces',
  leases: 'containerd.services.leases.v1.Leases',
  containers: 'containerd.services.containers.v1.Containers',
  tasks: 'containerd.services.tasks.v1.Tasks',
  events: 'containerd.services.events.v1.Events',
} as const;

/** Short name of a served service. */
export type ServiceName = keyof typeof serviceNames;

/** The loaded containerd API: grpc-js service definitions and an encoder for Any payloads. */
export interface ContainerdApi {
  /** grpc-js definitions of each service, for `server.addService`. */
  readonly services: Readonly<Record<ServiceName, ServiceDefinition>>;
  /** Protobuf bytes of `value` as the message `typeName` (e.g. `containerd.events.TaskExit`). */
  encode(typeName: string, value: Record<string, unknown>): Buffer;
  /** Decodes protobuf bytes of the message `typeName` into a snake_case object. */
  decode(typeName: string, bytes: Uint8Array): Record<string, unknown>;
}

/**
 * How messages become objects. Field names stay snake_case (`keepCase`), or `container_id` and
 * `exit_status` would silently vanish; `google.protobuf.Any` values stay `{type_url, value}` with
 * raw bytes (no `json`), because specs arrive as JSON inside an Any and must be kept as sent.
 */
const conversion = {
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
} as const;

/** Parses the proto files (a few ms): call it once and share the immutable result. */
export function loadContainerdApi(): ContainerdApi {
  const dir = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : `${dir}/${target}`;
  root.loadSync([...protoFiles], { keepCase: true });
  root.resolveAll();
  // proto-loader builds the grpc-js definitions from the same parsed root, so both agree.
  const definition = fromJSON(root.toJSON(), conversion);
  const services = Object.fromEntries(
    Object.entries(serviceNames).map(([short, full]) => [
      short,
      definition[full] as ServiceDefinition,
    ]),
  ) as Record<ServiceName, ServiceDefinition>;
  return Object.freeze({
    services: Object.freeze(services),
    encode(typeName: string, value: Record<string, unknown>): Buffer {
      const type = root.lookupType(typeName);
      return Buffer.from(type.encode(type.fromObject(value)).finish());
    },
    decode(typeName: string, bytes: Uint8Array): Record<string, unknown> {
      const type = root.lookupType(typeName);
      return type.toObject(type.decode(bytes), conversion);
    },
  });
}

/**
 * The `proto/` folder at the package root: two levels up from `src/grpc/` when run from source,
 * three from `dist/src/grpc/` when compiled.
 */
function protoDir(): string {
  for (const up of ['../../proto', '../../../proto']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}/containerd`)) return dir;
  }
  throw new Error(`cannot find the proto/ folder above ${fileURLToPath(import.meta.url)}`);
}
