/** JSON shapes of the audit endpoints: `GET /v1/history/{id}` and `GET /v1/replay`. */
import type { TaskJson } from './client.ts';
import type { ContainerJson } from './wire-types.ts';

/** One event of a container's timeline. */
export interface HistoryEntryJson {
  /** Position in the log. */
  readonly seq: number;
  /** When it was recorded. */
  readonly timestamp: string;
  /** Its topic. */
  readonly topic: string;
  /** `container`, `task` or `exec`. */
  readonly subject: 'container' | 'task' | 'exec';
  /** The exec, for exec entries. */
  readonly exec_id: string | null;
  /** What happened, in one line. */
  readonly summary: string;
  /** Milliseconds since this incarnation of the container was created (null: unknown). */
  readonly since_created_ms: number | null;
  /** Milliseconds that what this event ends lasted: a run, a pause, a life (null: none). */
  readonly duration_ms: number | null;
  /** Who caused it. */
  readonly source: string;
  /** The request that caused it. */
  readonly correlation_id: string;
  /** A `/taskledger/` bookkeeping event. */
  readonly bookkeeping: boolean;
  /** Bookkeeping not worth showing by default (a resolved intent). */
  readonly hidden: boolean;
  /** Why an operation failed. */
  readonly error: string | null;
  /** The payload. */
  readonly event: Record<string, unknown>;
}

/** `GET /v1/history/{id}`. */
export interface HistoryJson {
  /** Container id. */
  readonly id: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Whether it exists now. */
  readonly exists: boolean;
  /** When its latest incarnation was created, if known. */
  readonly created_at: string | null;
  /** When it was deleted, if it no longer exists. */
  readonly deleted_at: string | null;
  /** Present when retention compacted part of its history. */
  readonly compacted: {
    /** Seq of the last compacted event of the log. */
    readonly through_seq: number;
    /** Its timestamp. */
    readonly through_timestamp: string;
    /** Events of this container that were compacted. */
    readonly events: number;
    /** The container at that point. */
    readonly container: ContainerJson | null;
    /** Its task at that point. */
    readonly task: TaskJson | null;
  } | null;
  /** The timeline, in log order. */
  readonly entries: readonly HistoryEntryJson[];
}

/** `GET /v1/replay?until=`: the namespace's containers and tasks as they were after `until_seq`. */
export interface ReplayJson {
  /** The last event folded in. */
  readonly until_seq: number;
  /** Its timestamp (null for the empty log). */
  readonly timestamp: string | null;
  /** As `GET /v1/containers` answered then. */
  readonly containers: readonly ContainerJson[];
  /** As `GET /v1/tasks` answered then. */
  readonly tasks: readonly TaskJson[];
}
