import type { EventPayload, StoredEvent } from '../domain/event-envelope.ts';
import type { ContainerdApi } from './containerd-api.ts';
import { anyFromJson, type ProtoAny } from './proto-any.ts';
import { toProtoTimestamp, type ProtoTimestamp } from './proto-timestamp.ts';

/** containerd's `events.v1.Envelope`, as sent on `Events/Subscribe`. */
export interface ProtoEnvelope {
  /** When the event was committed to the log. */
  readonly timestamp: ProtoTimestamp;
  /** The namespace of the object it is about. */
  readonly namespace: string;
  /** containerd's topic, e.g. `/tasks/exit`. */
  readonly topic: string;
  /** The event message; its type URL is the bare message name, as containerd's typeurl writes it. */
  readonly event: ProtoAny | null;
}

/** The protobuf message of each containerd topic taskledger records. */
export const eventTypeOfTopic: Readonly<Record<string, string>> = {
  '/containers/create': 'containerd.events.ContainerCreate',
  '/containers/update': 'containerd.events.ContainerUpdate',
  '/containers/delete': 'containerd.events.ContainerDelete',
  '/tasks/create': 'containerd.events.TaskCreate',
  '/tasks/start': 'containerd.events.TaskStart',
  '/tasks/exit': 'containerd.events.TaskExit',
  '/tasks/delete': 'containerd.events.TaskDelete',
  '/tasks/oom': 'containerd.events.TaskOOM',
  '/tasks/exec-added': 'containerd.events.TaskExecAdded',
  '/tasks/exec-started': 'containerd.events.TaskExecStarted',
  '/tasks/paused': 'containerd.events.TaskPaused',
  '/tasks/resumed': 'containerd.events.TaskResumed',
  '/tasks/checkpointed': 'containerd.events.TaskCheckpointed',
  '/namespaces/create': 'containerd.events.NamespaceCreate',
  '/namespaces/update': 'containerd.events.NamespaceUpdate',
  '/namespaces/delete': 'containerd.events.NamespaceDelete',
  '/images/create': 'containerd.services.images.v1.ImageCreate',
  '/images/update': 'containerd.services.images.v1.ImageUpdate',
  '/images/delete': 'containerd.services.images.v1.ImageDelete',
  '/snapshot/prepare': 'containerd.events.SnapshotPrepare',
  '/snapshot/commit': 'containerd.events.SnapshotCommit',
  '/snapshot/remove': 'containerd.events.SnapshotRemove',
};

/**
 * A stored event as containerd's envelope. The payload already has containerd's field names;
 * what differs is made protobuf here: RFC 3339 times become Timestamps, stored runtime options
 * become their Any again, and a TaskDelete of the init process leaves `id` empty, as containerd
 * does. Fields beyond containerd's message (labels, spec, ...) are not part of it and drop out.
 */
export function toEnvelope(api: ContainerdApi, e: StoredEvent): ProtoEnvelope {
  const typeName = eventTypeOfTopic[e.topic];
  const event =
    typeName === undefined
      ? null
      : { type_url: typeName, value: api.encode(typeName, protoPayload(e.topic, e.event)) };
  return {
    timestamp: toProtoTimestamp(e.timestamp),
    namespace: e.namespace,
    topic: e.topic,
    event,
  };
}

function protoPayload(topic: string, p: EventPayload): Record<string, unknown> {
  switch (topic) {
    case '/containers/create': {
      const runtime = (p.runtime ?? {}) as { name?: unknown; options?: unknown };
      return { ...p, runtime: { name: runtime.name, options: anyFromJson(runtime.options) } };
    }
    case '/tasks/exit':
      return { ...p, exited_at: toProtoTimestamp(p.exited_at as string | null) };
    case '/tasks/delete':
      return {
        ...p,
        exited_at: toProtoTimestamp(p.exited_at as string | null),
        id: p.id === p.container_id ? '' : p.id,
      };
    default:
      return p;
  }
}
