import type { EventCause, NewEvent, StoredEvent } from '../domain/event-envelope.ts';
import type { Projection, ProjectionRow } from '../domain/projection.ts';
import type { Timestamp } from '../domain/timestamp.ts';

/** Expected stream version for an append: a number (0 = the stream must not exist yet) or `any`. */
export type ExpectedVersion = number | 'any';

/** One stream's part of an atomic append. */
export interface AppendRequest {
  /** Stream to append to, e.g. `container/default/web`. */
  readonly streamId: string;
  /** Namespace recorded on each event. */
  readonly namespace: string;
  /** Version the stream must be at; a mismatch is a Conflict and nothing is written. */
  readonly expectedVersion: ExpectedVersion;
  /** Events to append, in order. */
  readonly events: readonly NewEvent[];
}

/** Where retention cut the log: events up to and including `seq` were deleted. */
export interface CompactionMark {
  /** Seq of the last compacted event; the log goes on at seq + 1. */
  readonly seq: number;
  /** Hash of that event: the first kept event chains from it. */
  readonly hash: string;
  /** Timestamp of that event. */
  readonly timestamp: Timestamp;
}

/** Filters for reading the whole log. */
export interface ReadAllQuery {
  /**
   * Only events with seq greater than this (default: from the first kept event). A position
   * before the {@link EventStore.compaction} point throws FailedPrecondition: those events are
   * gone, and a reader continuing from there would silently miss them.
   */
  readonly afterSeq?: number;
  /** Only events with seq at most this. */
  readonly untilSeq?: number;
  /** At most this many events. */
  readonly limit?: number;
  /** Only these topics. */
  readonly topics?: readonly string[];
  /** Only this namespace. */
  readonly namespace?: string;
  /** Only events appended at or after this time. */
  readonly since?: Timestamp;
  /** Only events appended at or before this time. */
  readonly until?: Timestamp;
}

/** The append-only log with inline projections, after emmett's `EventStore`. All calls are synchronous. */
export interface EventStore {
  /**
   * Appends events to one or more streams in one transaction, updating the inline projections in
   * the same transaction; throws Conflict (writing nothing) when a stream is not at its expected
   * version. Subscribers hear of the events only after the commit.
   */
  append(requests: readonly AppendRequest[], cause: EventCause): StoredEvent[];
  /** Current version of a stream (0 when it has no events); compacted events still count. */
  streamVersion(streamId: string): number;
  /** All kept (not compacted) events of one stream, in order. */
  readStream(streamId: string): StoredEvent[];
  /** Events of the whole log in seq order, filtered. */
  readAll(query?: ReadAllQuery): StoredEvent[];
  /** The seq of the last event (0 for an empty log). */
  lastSeq(): number;
  /** The projected state of one stream, read from its projection table. */
  load<S>(projection: Projection<S>, streamId: string): S | undefined;
  /** Projection rows whose columns equal `where`, ordered by key; at most `limit` of them. */
  list<S>(projection: Projection<S>, where?: ProjectionRow, options?: { limit?: number }): S[];
  /** The retention cut, or undefined while the log is whole (never compacted). */
  compaction(): CompactionMark | undefined;
  /**
   * Every state of `projection` as it was right after event `untilSeq` (the compaction snapshot,
   * then a replay of the kept events). FailedPrecondition before the {@link compaction} point.
   */
  stateAt<S>(projection: Projection<S>, untilSeq: number): S[];
}
