import type { Container } from './container.ts';
import { notFound } from './errors.ts';
import { isInternalTopic, type EventPayload, type StoredEvent } from './event-envelope.ts';
import { commandText, exitStatusText, labelChangeText, labelsText } from './history-text.ts';
import { taskInternalTopics as internal, taskTopics as topics } from './task-topics.ts';
import type { Task } from './task-state.ts';
import { durationNs, type Timestamp } from './timestamp.ts';

/** What a history entry is about. */
export type HistorySubject = 'container' | 'task' | 'exec';

/** One event of a container's timeline, with what it means and how long things took. */
export interface HistoryEntry {
  /** The event's position in the log. */
  readonly seq: number;
  /** When it was recorded. */
  readonly timestamp: Timestamp;
  /** Its topic. */
  readonly topic: string;
  /** Whether it is about the container, its task, or one of the task's execs. */
  readonly subject: HistorySubject;
  /** The exec, for exec entries. */
  readonly execId: string | undefined;
  /** One line saying what happened: `task exited with status 137 (SIGKILL)`. */
  readonly summary: string;
  /** Time since this incarnation of the container was created; undefined before any creation is known. */
  readonly sinceCreatedNs: bigint | undefined;
  /** How long what this event ends lasted: a run for an exit, a pause for a resume, a life for a delete. */
  readonly durationNs: bigint | undefined;
  /** Who caused it (`cli run`, `api POST /v1/containers`, `daemon runtime monitor`). */
  readonly source: string;
  /** The request that caused it. */
  readonly correlationId: string;
  /** A `/taskledger/` bookkeeping event rather than one of containerd's. */
  readonly bookkeeping: boolean;
  /** Bookkeeping that adds nothing to the story (an intent whose outcome follows): hidden by default. */
  readonly hidden: boolean;
  /** Why an operation failed (a failed task create). */
  readonly error: string | undefined;
  /** The payload. */
  readonly event: EventPayload;
}

/** What is known of a container's history that retention compacted away. */
export interface CompactedHistory {
  /** Seq of the last compacted event of the log. */
  readonly throughSeq: number;
  /** Its timestamp. */
  readonly throughTimestamp: Timestamp;
  /** How many events of this container's streams were compacted. */
  readonly events: number;
  /** The container as it was at that point (undefined: it did not exist then). */
  readonly container: Container | undefined;
  /** Its task as it was at that point (undefined: it had none). */
  readonly task: Task | undefined;
}

/** A container's whole timeline, its task and exec events included, deleted or not. */
export interface ContainerHistory {
  /** Namespace of the container. */
  readonly namespace: string;
  /** Container id. */
  readonly id: string;
  /** Whether the container exists at the end of the history. */
  readonly exists: boolean;
  /** When its latest incarnation was created, if known. */
  readonly createdAt: Timestamp | undefined;
  /** When it was deleted, if it no longer exists. */
  readonly deletedAt: Timestamp | undefined;
  /** Set when the log was compacted and this container had events before the cut. */
  readonly compacted: CompactedHistory | undefined;
  /** Every event, in log order. */
  readonly entries: readonly HistoryEntry[];
}

/** What {@link buildHistory} reads. */
export interface HistoryInput {
  /** Namespace of the container. */
  readonly namespace: string;
  /** Container id. */
  readonly id: string;
  /** The kept events of its `container/NS/ID` and `task/NS/ID` streams, in any order. */
  readonly events: readonly StoredEvent[];
  /** What compaction left of the earlier history, if it took any. */
  readonly compacted?: CompactedHistory | undefined;
}

/** What the walk remembers between events to tell durations and changes. */
interface WalkState {
  createdAt: Timestamp | undefined;
  deletedAt: Timestamp | undefined;
  labels: Readonly<Record<string, string>>;
  taskCreatedAt: Timestamp | undefined;
  taskStartedAt: Timestamp | undefined;
  pausedAt: Timestamp | undefined;
  readonly execStartedAt: Map<string, Timestamp>;
}

type Described = Pick<HistoryEntry, 'summary' | 'subject'> &
  Partial<Pick<HistoryEntry, 'execId' | 'durationNs' | 'error'>>;

/** Builds a container's timeline; NotFound when the log has never heard of it. Pure. */
export function buildHistory(input: HistoryInput): ContainerHistory {
  const { compacted } = input;
  if (input.events.length === 0 && !compacted) {
    throw notFound(`no history for container "${input.id}" in namespace "${input.namespace}"`);
  }
  const events = [...input.events].sort((a, b) => a.seq - b.seq);
  const w: WalkState = {
    createdAt: compacted?.container?.createdAt,
    deletedAt: undefined,
    labels: compacted?.container?.labels ?? {},
    taskCreatedAt: compacted?.task?.createdAt,
    taskStartedAt: undefined,
    pausedAt: undefined,
    execStartedAt: new Map(),
  };
  let exists = compacted?.container !== undefined;
  const lastTaskSeq = Math.max(0, ...events.filter(isTaskEvent).map((e) => e.seq));
  const entries = events.map((e): HistoryEntry => {
    const described = describe(e, w);
    if (e.topic === '/containers/create') exists = true;
    if (e.topic === '/containers/delete') exists = false;
    const intent = e.topic === internal.createIntent || e.topic === internal.deleteIntent;
    return {
      seq: e.seq,
      timestamp: e.timestamp,
      topic: e.topic,
      execId: undefined,
      durationNs: undefined,
      error: undefined,
      ...described,
      sinceCreatedNs: w.createdAt === undefined ? undefined : durationNs(w.createdAt, e.timestamp),
      source: e.source,
      correlationId: e.correlationId,
      bookkeeping: isInternalTopic(e.topic),
      // An intent matters only while nothing follows it (the daemon stopped mid-operation).
      hidden: e.topic === internal.forgotten || (intent && e.seq < lastTaskSeq),
      event: e.event,
    };
  });
  return {
    namespace: input.namespace,
    id: input.id,
    exists,
    createdAt: w.createdAt,
    deletedAt: exists ? undefined : w.deletedAt,
    compacted,
    entries,
  };
}

function isTaskEvent(e: StoredEvent): boolean {
  return e.streamId.startsWith('task/');
}

const since = (from: Timestamp | undefined, to: unknown): bigint | undefined =>
  from === undefined || typeof to !== 'string' ? undefined : durationNs(from, to);

/**
 * A process's run: from when its start was recorded to its own exit time. A process that exits
 * before its start is recorded (`sh -c 'exit 3'`) ran for less than that delay: it shows 0.
 */
const runTime = (startRecorded: Timestamp | undefined, exitedAt: unknown): bigint | undefined => {
  const ns = since(startRecorded, exitedAt);
  return ns === undefined || ns > 0n ? ns : 0n;
};

/** Says what one event means, updating the walk's memory. */
function describe(e: StoredEvent, w: WalkState): Described {
  const p = e.event;
  const at = e.timestamp;
  const execId = typeof p.exec_id === 'string' ? p.exec_id : undefined;
  switch (e.topic) {
    case '/containers/create': {
      w.createdAt = at;
      w.deletedAt = undefined;
      w.labels = (p.labels as Record<string, string> | undefined) ?? {};
      const image = typeof p.image === 'string' && p.image !== '' ? `, image ${p.image}` : '';
      const labels = Object.keys(w.labels).length ? `, labels ${labelsText(w.labels)}` : '';
      const spec = p.spec as { process?: unknown } | undefined;
      return {
        subject: 'container',
        summary: `container created: ${commandText(spec?.process)}${labels}${image}`,
      };
    }
    case '/containers/update': {
      const labels = (p.labels as Record<string, string> | undefined) ?? w.labels;
      const changes = [
        labelChangeText(w.labels, labels),
        ...(p.spec !== undefined ? ['spec replaced'] : []),
      ].filter((c) => c !== '');
      w.labels = labels;
      return {
        subject: 'container',
        summary: `container updated${changes.length ? `: ${changes.join('; ')}` : ' (no change)'}`,
      };
    }
    case '/containers/delete':
      w.deletedAt = at;
      return {
        subject: 'container',
        summary: 'container deleted',
        durationNs: since(w.createdAt, at),
      };
    case internal.createIntent:
      w.taskCreatedAt = at;
      w.taskStartedAt = undefined;
      w.pausedAt = undefined;
      w.execStartedAt.clear();
      return { subject: 'task', summary: 'task create requested' };
    case topics.create:
      return { subject: 'task', summary: `task created, pid ${String(p.pid)}` };
    case internal.createFailed:
      return {
        subject: 'task',
        summary: `task create failed: ${String(p.error)}`,
        error: String(p.error),
      };
    case topics.start:
      w.taskStartedAt = at;
      return { subject: 'task', summary: `task started, pid ${String(p.pid)}` };
    case topics.paused:
      w.pausedAt = at;
      return { subject: 'task', summary: 'task paused' };
    case topics.resumed: {
      const paused = since(w.pausedAt, at);
      w.pausedAt = undefined;
      return { subject: 'task', summary: 'task resumed', durationNs: paused };
    }
    case topics.oom:
      return { subject: 'task', summary: 'task hit the out-of-memory killer' };
    case topics.exit: {
      const status = exitStatusText(p.exit_status);
      if (typeof p.id !== 'string' || p.id === p.container_id) {
        return {
          subject: 'task',
          summary: `task exited with status ${status}`,
          durationNs: runTime(w.taskStartedAt, p.exited_at),
        };
      }
      const id = p.id;
      return {
        subject: 'exec',
        execId: id,
        summary: `exec ${id} exited with status ${status}`,
        durationNs: runTime(w.execStartedAt.get(id), p.exited_at),
      };
    }
    case topics.execAdded:
      return {
        subject: 'exec',
        execId,
        summary: `exec ${execId} added: ${commandText(p.process)}`,
      };
    case topics.execStarted:
      if (execId !== undefined) w.execStartedAt.set(execId, at);
      return { subject: 'exec', execId, summary: `exec ${execId} started, pid ${String(p.pid)}` };
    case internal.execDeleted:
      if (execId !== undefined) w.execStartedAt.delete(execId);
      return { subject: 'exec', execId, summary: `exec ${execId} removed` };
    case internal.deleteIntent:
      return { subject: 'task', summary: 'task delete requested' };
    case topics.delete:
      return {
        subject: 'task',
        summary: `task deleted, exit status ${exitStatusText(p.exit_status)}`,
        durationNs: since(w.taskCreatedAt, at),
      };
    case internal.forgotten:
      return { subject: 'task', summary: 'record of the failed task create dropped' };
    case internal.updated:
      return { subject: 'task', summary: `task resources updated: ${JSON.stringify(p.resources)}` };
    default:
      return { subject: isTaskEvent(e) ? 'task' : 'container', summary: e.topic };
  }
}
