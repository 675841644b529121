import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { callContext, type CallContext } from './call-context.ts';
import { grpcStatusFor } from './grpc-status.ts';

/** Where a handler's unexpected failures are reported. */
export type Log = (line: string) => void;

/**
 * Adapts an async handler to grpc-js's callback style: its result is the response, and whatever
 * it throws becomes the call's status (see {@link grpcStatusFor}).
 */
export function unary<Req, Res>(
  log: Log,
  handler: (request: Req, ctx: CallContext) => Res | Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback) => {
    const ctx = callContext(call);
    // The promise never rejects: every failure goes to the callback.
    void (async () => {
      try {
        callback(null, await handler(call.request, ctx));
      } catch (error) {
        const { unexpected, ...statusResponse } = grpcStatusFor(error);
        if (unexpected)
          log(`grpc ${call.getPath()} failed: ${(error as Error)?.stack ?? String(error)}`);
        callback(statusResponse);
      }
    })();
  };
}
