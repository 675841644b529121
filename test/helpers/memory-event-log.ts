import type { StoredEvent } from '../../src/domain/event-envelope.ts';
import {
  createEventBus,
  type EventBus,
  type EventBusOptions,
} from '../../src/services/event-bus.ts';

/** An event whose topic and container vary with `seq` (exits at multiples of 3, container c{seq % 5}). */
export function makeEvent(seq: number): StoredEvent {
  const containerId = `c${seq % 5}`;
  return {
    seq,
    streamId: `task/default/${containerId}`,
    streamVersion: seq,
    namespace: 'default',
    topic: seq % 3 === 0 ? '/tasks/exit' : '/tasks/start',
    event: { container_id: containerId, pid: seq },
    timestamp: '2026-01-01T00:00:00.000000000Z',
    correlationId: `r${seq}`,
    source: 'test',
    hash: '',
  };
}

/**
 * The event log as an array (seq n at index n-1), with the bus it publishes to after each
 * append, as the SQLite store does after each commit.
 */
export class MemoryLog {
  readonly events: StoredEvent[] = [];
  readonly bus: EventBus;

  constructor(options: Partial<EventBusOptions> = {}) {
    this.bus = createEventBus({
      readPage: (afterSeq, limit) => this.events.slice(afterSeq, afterSeq + limit),
      ...options,
    });
  }

  /** Commits `count` events without telling the bus (history that predates subscribers). */
  seed(count: number): void {
    for (let i = 0; i < count; i++) this.events.push(makeEvent(this.events.length + 1));
  }

  /** Commits `count` events in one transaction and publishes them. */
  append(count = 1): void {
    const batch: StoredEvent[] = [];
    for (let i = 0; i < count; i++) batch.push(makeEvent(this.events.length + 1 + i));
    this.events.push(...batch);
    this.bus.publish(batch);
  }

  /** Appends `total` events in random batches, one batch per event-loop turn, at full speed. */
  appendInBackground(total: number, maxBatch: number): Promise<void> {
    return new Promise((resolve) => {
      let left = total;
      const tick = (): void => {
        const count = Math.min(left, 1 + Math.floor(Math.random() * maxBatch));
        this.append(count);
        left -= count;
        if (left > 0) setImmediate(tick);
        else resolve();
      };
      setImmediate(tick);
    });
  }
}

/** The seqs of `events`. */
export const seqs = (events: readonly StoredEvent[]): number[] => events.map((e) => e.seq);
/** The integers `from`..`to`, inclusive. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Resolves after the event loop has run its other ready callbacks once. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
