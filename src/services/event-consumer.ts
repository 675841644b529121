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
  /** Settles the pump's current wait: `wake` on news, `interrupt` when the consumer ends. */
  #wake: (() => void) | undefined;
  #interrupt: ((error: unknown) => void) | undefined;

  constructor(options: ConsumerOptions) {
    this.#options = options;
    this.#historyFill = Math.ceil(options.bufferLimit / 2);
    this.#resumeAt = Math.floor(this.#historyFill / 2);
    this.#lastHandedOver = options.afterSeq;
    this.#feed = options.openFeed({
      next: (event) => this.#push(event),
      complete: () => {
        this.#completed = true;
        this.#wake?.();
      },
      error: (error) => this.#fail(error),
      capacity: () => Math.max(0, this.#historyFill - this.#buffer.length),
    });
  }

  async run(): Promise<void> {
    const { signal, handler } = this.#options;
    const onAbort = (): void => this.#fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) this.#fail(signal.reason);
      else this.#feed.start();
      for (;;) {
        if (this.#failure) throw this.#failure.error;
        const event = this.#buffer.shift();
        if (event === undefined) {
          if (this.#completed) return;
          await this.#waitFor(undefined);
          continue;
        }
        this.#lastHandedOver = event.seq;
        const handled = handler(event, this.#controller.signal);
        if (handled !== undefined) await this.#waitFor(handled);
        if (this.#buffer.length <= this.#resumeAt) this.#feed.resume();
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#feed.stop();
    }
  }

  #push(event: StoredEvent): void {
    if (this.#buffer.length >= this.#options.bufferLimit) {
      this.#fail(new FellBehindError(this.#lastHandedOver + 1));
      return;
    }
    this.#buffer.push(event);
    this.#wake?.();
  }

  /** Ends the consumer now: stop the feed, free the buffer, abort the handler, reject the pump. */
  #fail(error: unknown): void {
    if (this.#failure) return;
    this.#failure = { error };
    this.#feed.stop();
    this.#buffer.clear();
    this.#controller.abort(error);
    this.#interrupt?.(error);
  }

  /**
   * Waits for `work` (or, without it, for the feed's next news) unless the consumer ends first.
   * A fresh promise per wait: racing every wait against one long-lived promise would pile up
   * reactions on it for the life of the subscription.
   */
  async #waitFor(work: PromiseLike<void> | undefined): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.#failure) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an abort reason may be any value; pass it through as AbortSignal users expect
          reject(this.#failure.error); // it ended while the handler ran synchronously
          return;
        }
        this.#interrupt = reject;
        if (work === undefined) this.#wake = resolve;
        else work.then(resolve, reject);
      });
    } finally {
      this.#wake = undefined;
      this.#interrupt = undefined;
    }
  }
}
