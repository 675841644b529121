import { Observable, Subject, config } from 'rxjs';
import { invalidArgument, unavailable } from '../domain/errors.ts';
import type { StoredEvent } from '../domain/event-envelope.ts';
import { runConsumer, type EventHandler } from './event-consumer.ts';
import { EventFeed, type FeedSink, type FeedSource } from './event-feed.ts';
import { FifoQueue } from './fifo-queue.ts';

export { FellBehindError } from './fell-behind-error.ts';
export type { EventHandler } from './event-consumer.ts';

/** How the bus reaches the log and how much it lets a subscriber lag. */
export interface EventBusOptions {
  /** Reads up to `limit` stored events with seq > afterSeq, in order (synchronous). */
  readPage(afterSeq: number, limit: number): StoredEvent[];
  /** Per-subscriber buffer bound (events) before the subscriber is ended as fallen behind. Default 10_000. */
  bufferLimit?: number;
  /** Events per history read; between reads the bus yields to the event loop. Default 1000. */
  pageSize?: number;
  /** Where exceptions thrown inside RxJS subscribers go instead of crashing the process. */
  onSubscriberError?: (error: unknown) => void;
}

/** Which events a subscription wants. */
export interface SubscribeOptions {
  /** Deliver events with a seq greater than this; 0 replays the whole log. */
  afterSeq: number;
  /** Only events it accepts are delivered (e.g. a parsed containerd filter). */
  predicate?: (event: StoredEvent) => boolean;
  /** Complete once the log has passed this seq; without it the subscription follows forever. */
  untilSeq?: number;
}

/** A subscription consumed by an async handler through a bounded buffer. */
export interface ConsumeOptions extends SubscribeOptions {
  /** Ends the consumer; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the bus's {@link EventBusOptions.bufferLimit} for this consumer. */
  bufferLimit?: number;
}

/** Fans committed events out to subscribers, replaying history from the log first. */
export interface EventBus {
  /** Called by the store after each commit, with the committed events in seq order. */
  publish(events: readonly StoredEvent[]): void;
  /** Live events only, from now on; completes when the bus closes. */
  live(): Observable<StoredEvent>;
  /**
   * History after `afterSeq` then live, with no gap and no duplicate; `predicate` filters.
   * Delivery is synchronous and unbuffered: a slow async consumer should use {@link consume}.
   * Throws InvalidArgument for bad options; errors with Unavailable once the bus is closed.
   */
  subscribe(options: SubscribeOptions): Observable<StoredEvent>;
  /**
   * Like {@link subscribe}, but awaits `handler` for each event, buffering at most `bufferLimit`
   * live events meanwhile; one more ends it with FellBehindError (its `seq` is where to resume).
   * Resolves when `untilSeq` is reached or the bus closes.
   */
  consume(options: ConsumeOptions, handler: EventHandler): Promise<void>;
  /** Completes every subscription and consumer; later publishes are ignored. */
  close(): void;
}

const defaultBufferLimit = 10_000;
const defaultPageSize = 1000;

/** Creates an event bus over the log read by `options.readPage`. */
export function createEventBus(options: EventBusOptions): EventBus {
  guardSubscriberErrors(options.onSubscriberError ?? reportSubscriberError);
  return new RxEventBus(options);
}

class RxEventBus implements EventBus {
  readonly #source: FeedSource;
  readonly #bufferLimit: number;
  readonly #subject = new Subject<StoredEvent>();
  readonly #live = this.#subject.asObservable();
  /** Events published while a delivery is running: a subscriber that appends while receiving. */
  readonly #pending = new FifoQueue<StoredEvent>();
  readonly #feeds = new Set<EventFeed>();
  #dispatching = false;
  #closed = false;

  constructor(options: EventBusOptions) {
    const pageSize = options.pageSize ?? defaultPageSize;
    this.#bufferLimit = options.bufferLimit ?? defaultBufferLimit;
    requireCount(pageSize, 'pageSize', 1);
    requireCount(this.#bufferLimit, 'bufferLimit', 1);
    const readPage = options.readPage.bind(options);
    this.#source = Object.freeze({ readPage, pageSize, live: this.#live });
  }

  publish(events: readonly StoredEvent[]): void {
    if (this.#closed) return; // shutting down: the events are in the log for the next subscriber
    for (const event of events) this.#pending.push(event);
    // Re-entrant call: the loop further up delivers these after every subscriber has the
    // current event. A plain subject.next here would deliver them first to those after us.
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (
        let event = this.#pending.shift();
        event && !this.#closed;
        event = this.#pending.shift()
      ) {
        this.#subject.next(event);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  live(): Observable<StoredEvent> {
    return this.#live;
  }

  subscribe(options: SubscribeOptions): Observable<StoredEvent> {
    validateSubscribeOptions(options);
    return new Observable<StoredEvent>((subscriber) => {
      if (this.#closed) {
        subscriber.error(unavailable('the event bus is closed'));
        return undefined;
      }
      const feed = this.#openFeed(options, {
        next: (event) => subscriber.next(event),
        complete: () => subscriber.complete(),
        error: (error) => subscriber.error(error),
        capacity: () => Infinity,
      });
      feed.start();
      return () => feed.stop();
    });
  }

  async consume(options: ConsumeOptions, handler: EventHandler): Promise<void> {
    validateSubscribeOptions(options);
    const bufferLimit = options.bufferLimit ?? this.#bufferLimit;
    requireCount(bufferLimit, 'bufferLimit', 1);
    if (this.#closed) throw unavailable('the event bus is closed');
    await runConsumer({
      openFeed: (sink) => this.#openFeed(options, sink),
      handler,
      bufferLimit,
      afterSeq: options.afterSeq,
      signal: options.signal,
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.clear();
    for (const feed of [...this.#feeds]) feed.complete();
    this.#subject.complete();
  }

  #openFeed(options: SubscribeOptions, sink: FeedSink): EventFeed {
    const { afterSeq, predicate, untilSeq } = options;
    const feed: EventFeed = new EventFeed(
      this.#source,
      { afterSeq, predicate, untilSeq },
      sink,
      () => this.#feeds.delete(feed),
    );
    this.#feeds.add(feed);
    return feed;
  }
}

function validateSubscribeOptions(options: SubscribeOptions): void {
  requireCount(options.afterSeq, 'afterSeq', 0);
  if (options.untilSeq !== undefined) requireCount(options.untilSeq, 'untilSeq', 0);
}

function requireCount(value: number, name: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * RxJS catches an exception thrown by a subscriber and rethrows it from a timer, which crashes
 * Node, unless `config.onUnhandledError` is set. The hook is global: whoever sets it first (the
 * composition root, or the first bus) decides where such errors go.
 */
function guardSubscriberErrors(report: (error: unknown) => void): void {
  if (config.onUnhandledError === null) config.onUnhandledError = report;
}

function reportSubscriberError(error: unknown): void {
  console.error('taskledger: an event subscriber threw; it keeps its subscription:', error);
}
