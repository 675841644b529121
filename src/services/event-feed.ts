import type { Observable, Subscription } from 'rxjs';
import type { StoredEvent } from '../domain/event-envelope.ts';
import { FifoQueue } from './fifo-queue.ts';

/** What one subscription asks for. */
export interface FeedOptions {
  /** Deliver events with a seq greater than this (0: from the start of the log). */
  readonly afterSeq: number;
  /** Only events it accepts are delivered; the others still advance the feed. */
  readonly predicate?: ((event: StoredEvent) => boolean) | undefined;
  /** Complete once the event with this seq has passed (delivered or filtered out). */
  readonly untilSeq?: number | undefined;
}

/** Where a feed reads history and hears live events. */
export interface FeedSource {
  /** Up to `limit` stored events with seq > `afterSeq`, in order; synchronous. */
  readPage(afterSeq: number, limit: number): StoredEvent[];
  /** How many events one history read asks for. */
  readonly pageSize: number;
  /** Events as they are committed, in seq order. */
  readonly live: Observable<StoredEvent>;
}

/** Where a feed delivers. */
export interface FeedSink {
  /** Receives the next accepted event, synchronously. */
  next(event: StoredEvent): void;
  /** The feed reached `untilSeq` or the bus closed. */
  complete(): void;
  /** Reading the log or the predicate failed; the feed has stopped. */
  error(error: unknown): void;
  /** How many more events the sink takes now; at 0 the feed waits for {@link EventFeed.resume}. */
  capacity(): number;
}

/** The feed's lifecycle: it reads history until a read comes back short, then goes live. */
export type FeedState = 'idle' | 'reading' | 'waiting' | 'live' | 'ended';

/**
 * One subscription's path through the log: history in pages, then live events, with no gap
 * and no duplicate.
 *
 * Gap-free switch: the read that comes back short and the subscription to live events happen
 * in the same synchronous turn. The store publishes after each commit, so an event committed
 * before the read is in the page, and one committed after it is published to us. Live events
 * at or below the last queued seq are dropped.
 *
 * Between pages the feed yields (setImmediate) so a huge history does not stall the daemon, and
 * it reads again after yielding: events appended meanwhile come from the store, not from live.
 */
export class EventFeed {
  readonly #source: FeedSource;
  readonly #options: FeedOptions;
  readonly #sink: FeedSink;
  readonly #onStop: () => void;
  #state: FeedState = 'idle';
  /** Highest seq queued or passed: the position reads continue from, and the duplicate bar. */
  #queued: number;
  /**
   * Events to deliver, in order. A sink may append to the log while receiving; the resulting
   * live event must wait behind the rest of the page being delivered, not overtake it.
   */
  readonly #inbox = new FifoQueue<StoredEvent>();
  #draining = false;
  #timer: NodeJS.Immediate | undefined;
  #live: Subscription | undefined;

  constructor(source: FeedSource, options: FeedOptions, sink: FeedSink, onStop = (): void => {}) {
    this.#source = source;
    this.#options = options;
    this.#sink = sink;
    this.#onStop = onStop;
    this.#queued = options.afterSeq;
  }

  /** Where the feed is in its lifecycle. */
  get state(): FeedState {
    return this.#state;
  }

  /** Reads the first page (synchronously) and carries on from there. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'reading';
    const { untilSeq } = this.#options;
    if (untilSeq !== undefined && this.#queued >= untilSeq) {
      this.complete();
      return;
    }
    this.#readPage();
  }

  /** Tells a feed waiting for sink capacity to read again. */
  resume(): void {
    if (this.#state !== 'waiting') return;
    this.#state = 'reading';
    this.#schedule();
  }

  /** Stops without telling the sink (it went away). Idempotent. */
  stop(): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#timer = undefined;
    this.#live?.unsubscribe();
    this.#inbox.clear();
    this.#onStop();
  }

  /** Stops and completes the sink. */
  complete(): void {
    if (this.#state === 'ended') return;
    this.stop();
    this.#sink.complete();
  }

  #fail(error: unknown): void {
    if (this.#state === 'ended') return;
    this.stop();
    this.#sink.error(error);
  }

  #schedule(): void {
    this.#timer = setImmediate(() => {
      this.#timer = undefined;
      this.#readPage();
    });
  }

  #readPage(): void {
    if (this.#state !== 'reading') return;
    const { untilSeq } = this.#options;
    const remaining = untilSeq === undefined ? Infinity : untilSeq - this.#queued;
    const limit = Math.min(this.#source.pageSize, this.#sink.capacity(), remaining);
    if (limit <= 0) {
      this.#state = 'waiting';
      return;
    }
    let page: StoredEvent[];
    try {
      page = this.#source.readPage(this.#queued, limit);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (page.length < limit) {
      // Caught up: go live now, in the turn of the read, before delivering (which may append).
      this.#state = 'live';
      this.#live = this.#source.live.subscribe({
        next: (event) => this.#offerLive(event),
        complete: () => this.complete(),
      });
    }
    this.#offer(page);
    if (this.#state === 'reading') this.#schedule();
  }

  #offerLive(event: StoredEvent): void {
    if (event.seq <= this.#queued + 1) {
      this.#offerOne(event);
      return;
    }
    // A hole between what we have and this event (a publish that never reached the bus, say):
    // the store has the events, so fetch them rather than deliver a sequence with a gap.
    try {
      const missing = this.#source.readPage(this.#queued, event.seq - this.#queued - 1);
      this.#offer([...missing, event]);
    } catch (error) {
      this.#fail(error);
    }
  }

  #offer(events: readonly StoredEvent[]): void {
    for (const event of events) this.#enqueue(event);
    this.#deliver();
  }

  /** {@link #offer} for one live event, with no array made for it (one per event per feed). */
  #offerOne(event: StoredEvent): void {
    this.#enqueue(event);
    this.#deliver();
  }

  #enqueue(event: StoredEvent): void {
    if (event.seq <= this.#queued) return;
    this.#inbox.push(event);
    this.#queued = event.seq;
  }

  #deliver(): void {
    if (this.#draining) return; // the loop below is running further up the stack
    this.#draining = true;
    try {
      this.#drain();
    } finally {
      this.#draining = false;
    }
  }

  #drain(): void {
    const { predicate, untilSeq } = this.#options;
    for (let event = this.#inbox.shift(); event; event = this.#inbox.shift()) {
      try {
        if (predicate === undefined || predicate(event)) this.#sink.next(event);
      } catch (error) {
        this.#fail(error);
        return;
      }
      if (this.#state === 'ended') return; // the sink unsubscribed while receiving
      if (untilSeq !== undefined && event.seq >= untilSeq) {
        this.complete();
        return;
      }
    }
  }
}
