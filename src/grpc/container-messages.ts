import type { Container, CreateContainer, UpdateContainer } from '../domain/container.ts';
import { invalidArgument } from '../domain/errors.ts';
import {
  anyFromJson,
  anyToJson,
  jsonAny,
  objectFromJsonAny,
  specTypeUrl,
  type ProtoAny,
} from './proto-any.ts';
import { toProtoTimestamp, type ProtoTimestamp } from './proto-timestamp.ts';

/** containerd's `containers.v1.Container` message, as proto-loader reads and writes it. */
export interface ProtoContainer {
  /** The container id. */
  readonly id: string;
  /** Its labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Image reference; empty for a rootfs directory. */
  readonly image: string;
  /** Runtime name and its opaque options (`containerd.runc.v1.Options` from `ctr`). */
  readonly runtime: { readonly name: string; readonly options: ProtoAny | null } | null;
  /** The OCI spec as JSON bytes under {@link specTypeUrl}. */
  readonly spec: ProtoAny | null;
  /** Snapshotter of `snapshot_key`; always empty here. */
  readonly snapshotter: string;
  /** Snapshot holding the rootfs; empty for a rootfs directory. */
  readonly snapshot_key: string;
  /** When it was created. */
  readonly created_at: ProtoTimestamp | null;
  /** When it last changed. */
  readonly updated_at: ProtoTimestamp | null;
  /** Client blobs; refused when given, always empty when sent. */
  readonly extensions: Readonly<Record<string, ProtoAny>>;
}

/** A taskledger container as containerd's message; the spec goes back as JSON in an Any. */
export function containerToProto(c: Container): ProtoContainer {
  return {
    id: c.id,
    labels: { ...c.labels },
    image: c.image,
    runtime: { name: c.runtime.name, options: anyFromJson(c.runtime.options) },
    spec: jsonAny(specTypeUrl, c.spec),
    snapshotter: '',
    snapshot_key: c.snapshotKey,
    created_at: toProtoTimestamp(c.createdAt),
    updated_at: toProtoTimestamp(c.updatedAt),
    extensions: {},
  };
}

/**
 * The create command for a container sent by a containerd client. `ctr run --rootfs DIR` names
 * its root filesystem only in the spec's `root.path`; that absolute path becomes the container's
 * rootfs directory. Runtime options are opaque protobuf: they are kept byte for byte.
 */
export function createCommandFromProto(container: ProtoContainer | null): CreateContainer {
  if (!container) throw invalidArgument('container is required');
  refuseExtensions(container);
  const spec = objectFromJsonAny(container.spec, specTypeUrl, 'container spec');
  const root = spec.root as { path?: unknown } | undefined;
  const rootPath = typeof root?.path === 'string' && root.path.startsWith('/') ? root.path : '';
  return {
    id: container.id,
    labels: container.labels,
    spec,
    rootfs: container.snapshot_key ? '' : rootPath,
    image: container.image,
    snapshotKey: container.snapshot_key,
    runtime: { name: container.runtime?.name, options: anyToJson(container.runtime?.options) },
  };
}

/**
 * The update command for `Containers/Update`: only the masked paths apply (`ctr containers
 * label` sends a nearly empty container with a mask like `labels.team`). With no mask, every
 * updatable field is taken from the message, as containerd does.
 */
export function updateCommandFromProto(
  container: ProtoContainer,
  paths: readonly string[],
): UpdateContainer {
  refuseExtensions(container);
  const wantsSpec = paths.length === 0 ? container.spec !== null : paths.includes('spec');
  return {
    labels: container.labels,
    spec: wantsSpec ? objectFromJsonAny(container.spec, specTypeUrl, 'container spec') : undefined,
    updateMask: paths,
  };
}

// Extensions are client blobs taskledger has nowhere to keep; dropping them silently would lose data.
function refuseExtensions(container: ProtoContainer): void {
  if (Object.keys(container.extensions ?? {}).length > 0) {
    throw invalidArgument('container extensions are not supported by taskledger');
  }
}
