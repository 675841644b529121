import { once } from 'node:events';
import type { handleServerStreamingCall, ServerWritableStream } from '@grpc/grpc-js';
import { callContext, type CallContext } from './call-context.ts';
import { grpcStatusFor } from './grpc-status.ts';
import type { Log } from './unary-handler.ts';

/** Where a streaming handler sends its messages. */
export interface StreamSink<T> {
  /**
   * Sends one message; resolves once the transport can take more (backpressure), or when the
   * call or `signal` is aborted.
   */
  send(message: T, signal?: AbortSignal): Promise<void>;
}

/**
 * Adapts an async server-streaming handler to grpc-js: the stream ends with OK when the handler
 * resolves, and with the status of what it throws otherwise (see {@link grpcStatusFor}).
 */
export function serverStream<Req, Res>(
  log: Log,
  handler: (request: Req, sink: StreamSink<Res>, ctx: CallContext) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call: ServerWritableStream<Req, Res>) => {
    const ctx = callContext(call);
    const sink: StreamSink<Res> = {
      async send(message, signal) {
        if (ctx.signal.aborted || call.write(message)) return;
        // A client that stopped reading: wait for room instead of buffering without bound.
        const abort = signal ? AbortSignal.any([ctx.signal, signal]) : ctx.signal;
        await once(call, 'drain', { signal: abort }).catch(() => undefined);
      },
    };
    void (async () => {
      try {
        await handler(call.request, sink, ctx);
        if (!ctx.signal.aborted) call.end();
      } catch (error) {
        const { unexpected, ...statusResponse } = grpcStatusFor(error);
        if (unexpected)
          log(`grpc ${call.getPath()} failed: ${(error as Error)?.stack ?? String(error)}`);
        if (!ctx.signal.aborted) call.emit('error', statusResponse);
      }
    })();
  };
}
