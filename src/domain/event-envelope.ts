import type { Timestamp } from './timestamp.ts';

/** An event's payload: containerd's event message as JSON with snake_case field names. */
export type EventPayload = Record<string, unknown>;

/** What a decider produces: a topic and its payload, before the store gives it a place in the log. */
export interface NewEvent {
  /** containerd topic (`/tasks/exit`) or a bookkeeping topic under `/taskledger/`. */
  readonly topic: string;
  /** The event message with containerd's field names. */
  readonly event: EventPayload;
}

/** What caused an event: the request or the daemon's own work, kept for audit. */
export interface EventCause {
  /** Id shared by every event one request caused. */
  readonly correlationId: string;
  /** Who asked: `api POST /v1/containers`, `cli containers create`, `daemon recovery`, ... */
  readonly source: string;
}

/** An event as stored in the log. */
export interface StoredEvent {
  /** Global position in the log: gap-free and increasing from 1. */
  readonly seq: number;
  /** The stream (aggregate) it belongs to, e.g. `container/default/web`. */
  readonly streamId: string;
  /** Position within its stream, from 1. */
  readonly streamVersion: number;
  /** containerd namespace of the object. */
  readonly namespace: string;
  /** containerd topic or `/taskledger/...` bookkeeping topic. */
  readonly topic: string;
  /** The payload. */
  readonly event: EventPayload;
  /** When it was appended, RFC 3339 with nanoseconds. */
  readonly timestamp: Timestamp;
  /** Request that caused it. */
  readonly correlationId: string;
  /** Who caused it. */
  readonly source: string;
  /** Hex SHA-256 chained over the previous event's hash and this event's content. */
  readonly hash: string;
}

/** Topics of bookkeeping events start with this; they never alter the containerd topic sequence. */
export const internalTopicPrefix = '/taskledger/';

/** True for bookkeeping topics (intents and their outcomes). */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith(internalTopicPrefix);
}
