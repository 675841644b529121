import type { StoredEvent } from '../domain/event-envelope.ts';
import type { EventFeed, FeedSink } from './event-feed.ts';
import { FellBehindError } from './fell-behind-error.ts';
import { FifoQueue } from './fifo-queue.ts';

/**
 * Handles one event; the next is handed over only after the returned promise settles. `signal`
 * aborts (with the reason the consumer ended) so stuck work such as a blocked socket write can
 * give up.
 */
export type EventHandler = (event: StoredEvent, signal: AbortSignal) => Promise<void> | void;

/** How {@link runConsumer} is wired. */
export interface ConsumerOptions {
  /** Creates the (unstarted) feed that fills the buffer. */
  readonly openFeed: (sink: FeedSink) => EventFeed;
  /** Called for each event, one at a time. */
  readonly handler: EventHandler;
  /** Most events held for the handler; one more live event ends the consumer as fallen behind. */
  readonly bufferLimit: number;
  /** The subscription's starting point, for the resume seq when nothing was handled yet. */
  readonly afterSeq: number;
  /** Ends the consumer, rejecting with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Feeds events to an async handler through a bounded buffer. History is read only as the buffer
 * has room (the log is the backlog), so catching up on any amount of history never overflows;
 * live events are pushed, and a handler that lets more than `bufferLimit` of them pile up is
 * ended with {@link FellBehindError} at once, even if its current call never returns.
 *
 * Resolves when the feed completes and every buffered event was handled; rejects with the
 * handler's error, a read error, FellBehindError or the abort reason.
 */
export function runConsumer(options: ConsumerOptions): Promise<void> {
  return new BufferedConsumer(options).run();
}

const settled = Promise.resolve();

class BufferedConsumer {
  readonly #options: ConsumerOptions;
  readonly #feed: EventFeed;
  readonly #buffer = new FifoQueue<StoredEvent>();
  readonly #controller = new AbortController();
  /**
   * History fills the buffer only this far (half), so that when the feed goes live at least
   * half the buffer is left for bursts of live events.
   */
  readonly #historyFill: number;
  /** Read history again once the handler has worked the buffer down to this (a quarter). */
  readonly #resumeAt: number;
  #lastHandedOver: number;
  #completed = false;
  #failure: { readonly error: unknown } | undefined;
  /** Settles what {@link run} returned; undefined until it runs and once it has settled. */
  #settle: { resolve(): void; reject(error: unknown): void } | undefined;
  /** The pump is in its loop (further up the stack): news is picked up there, not scheduled. */
  #pumping = false;
  /** A handler's promise is pending: the pump goes on when it settles. */
  #handling = false;
  /** A pump is queued as a microtask. */
  #scheduled = false;
  // Made once: a live consumer gets one call of each per event, and allocating none of its own
  // per event keeps a fan-out to a thousand consumers clear of the scavenger.
  readonly #handled = (): void => {
    this.#handling = false;
    this.#resumeFeed();
    this.#pump();
  };
  readonly #handlerFailed = (error: unknown): void => {
    this.#handling = false;
    this.#end({ error });
  };
  readonly #onAbort = (): void => this.#fail(this.#options.signal?.reason);

  constructor(options: ConsumerOptions) {
    this.#options = options;
    this.#historyFill = Math.ceil(options.bufferLimit / 2);
    this.#resumeAt = Math.floor(this.#historyFill / 2);
    this.#lastHandedOver = options.afterSeq;
    this.#feed = options.openFeed({
      next: (event) => this.#push(event),
      complete: () => {
        this.#completed = true;
        this.#wake();
      },
      error: (error) => this.#fail(error),
      capacity: () => Math.max(0, this.#historyFill - this.#buffer.length),
    });
  }

  run(): Promise<void> {
    const { signal } = this.#options;
    return new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
      signal?.addEventListener('abort', this.#onAbort, { once: true });
      if (signal?.aborted) this.#fail(signal.reason);
      else this.#feed.start();
      this.#pump();
    });
  }

  /**
   * Hands buffered events to the handler, one at a time, until the buffer is empty (news then
   * schedules the next pump) or a handler returns a promise (its settling does). A synchronous
   * handler costs no promise at all.
   */
  #pump(): void {
    if (this.#settle === undefined || this.#handling) return;
    this.#pumping = true;
    try {
      for (;;) {
        if (this.#failure) {
          this.#end(this.#failure);
          return;
        }
        const event = this.#buffer.shift();
        if (event === undefined) {
          if (this.#completed) this.#end(undefined);
          return;
        }
        this.#lastHandedOver = event.seq;
        const handled = this.#options.handler(event, this.#controller.signal);
        if (handled !== undefined) {
          this.#handling = true;
          handled.then(this.#handled, this.#handlerFailed);
          return;
        }
        this.#resumeFeed();
      }
    } catch (error) {
      this.#end({ error }); // the handler threw
    } finally {
      this.#pumping = false;
    }
  }

  /** Once the handler has worked the buffer down, the feed reads history again. */
  #resumeFeed(): void {
    if (this.#buffer.length <= this.#resumeAt) this.#feed.resume();
  }

  /** News (an event, the end of the feed, a failure): pump soon, unless a pump will see it. */
  #wake(): void {
    if (this.#pumping || this.#handling || this.#scheduled) return;
    this.#scheduled = true;
    BufferedConsumer.#due.push(this);
    if (BufferedConsumer.#due.length === 1) void settled.then(BufferedConsumer.#pumpDue);
  }

  /**
   * Consumers woken since the last microtask, pumped together in the next one. Node's
   * queueMicrotask makes an AsyncResource per call: one per consumer per live event adds up.
   */
  static readonly #due: BufferedConsumer[] = [];

  static readonly #pumpDue = (): void => {
    const due = BufferedConsumer.#due;
    let next = 0;
    try {
      // A pump may wake others (a handler appends): they join this round.
      while (next < due.length) {
        const consumer = due[next++]!;
        consumer.#scheduled = false;
        consumer.#pump();
      }
    } finally {
      due.splice(0, next);
      // Only after an exception (a pump catches its handler's): the rest still get their turn.
      if (due.length > 0) void settled.then(BufferedConsumer.#pumpDue);
    }
  };

  #push(event: StoredEvent): void {
    if (this.#buffer.length >= this.#options.bufferLimit) {
      this.#fail(new FellBehindError(this.#lastHandedOver + 1));
      return;
    }
    this.#buffer.push(event);
    this.#wake();
  }

  /**
   * Ends the consumer now: stop the feed, free the buffer, abort the handler, reject, even while
   * a handler's promise is still pending (it may never settle).
   */
  #fail(error: unknown): void {
    if (this.#failure) return;
    this.#failure = { error };
    this.#feed.stop();
    this.#buffer.clear();
    this.#controller.abort(error);
    if (!this.#pumping) this.#end(this.#failure);
  }

  /** Settles {@link run}'s promise once: resolved without `failure`, else rejected with it. */
  #end(failure: { readonly error: unknown } | undefined): void {
    const settle = this.#settle;
    if (settle === undefined) return;
    this.#settle = undefined;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#feed.stop();
    if (failure) settle.reject(failure.error);
    else settle.resolve();
  }
}
