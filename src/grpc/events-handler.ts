import { status, type handleServerStreamingCall } from '@grpc/grpc-js';
import { isInternalTopic, type StoredEvent } from '../domain/event-envelope.ts';
import { eventPredicate } from '../domain/event-filter.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { ContainerdApi } from './containerd-api.ts';
import { toEnvelope, type ProtoEnvelope } from './event-messages.ts';
import { GrpcStatusError } from './grpc-status.ts';
import { serverStream } from './stream-handler.ts';
import type { Log } from './unary-handler.ts';

/** What `Events/Subscribe` needs. */
export interface EventsDeps {
  /** The log: a subscription starts after its last event. */
  readonly store: EventStore;
  /** Where live events come from. */
  readonly bus: EventBus;
  /** Encodes the event messages. */
  readonly api: ContainerdApi;
  /** Where unexpected failures go. */
  readonly log: Log;
  /** Aborted when the server closes: open subscriptions then end. */
  readonly closing: AbortSignal;
}

/**
 * `Events/Subscribe` as containerd serves it: live events only (no replay: `taskledger events`
 * reads history), from every namespace, the filters OR'ed, and taskledger's `/taskledger/`
 * bookkeeping topics left out so subscribers see containerd's topic sequence. The stream stays
 * open until the client goes or the server closes (`ctr events` exits 1 on EOF).
 */
export function subscribeHandler(
  deps: EventsDeps,
): handleServerStreamingCall<{ filters: string[] }, ProtoEnvelope> {
  const { store, bus, api, log } = deps;
  return serverStream(log, async (req, sink, ctx) => {
    let matches: (e: StoredEvent) => boolean;
    try {
      matches = eventPredicate(req.filters);
    } catch (error) {
      // containerd returns this error unclassified: ctr sees code Unknown.
      throw new GrpcStatusError(
        status.UNKNOWN,
        `subscription error: failed parsing subscription filters: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const signal = AbortSignal.any([ctx.signal, deps.closing]);
    try {
      await bus.consume(
        // Starting after the last committed event is "from now on": the bus adds no replay.
        {
          afterSeq: store.lastSeq(),
          predicate: (e) => !isInternalTopic(e.topic) && matches(e),
          signal,
        },
        // The consumer's signal ends a write stuck on a client that stopped reading.
        (e, consumer) => sink.send(toEnvelope(api, e), consumer),
      );
    } catch (error) {
      if (!signal.aborted) throw error; // a subscriber that fell behind ends with the bus's error
    }
  });
}
