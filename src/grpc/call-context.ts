import { randomUUID } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { failedPrecondition } from '../domain/errors.ts';
import type { EventCause } from '../domain/event-envelope.ts';
import { validateIdentifier } from '../domain/identifiers.ts';

/** The metadata header containerd clients name the namespace in. */
export const namespaceHeader = 'containerd-namespace';

/** Metadata header carrying a caller's correlation id, as on the HTTP API. */
export const requestIdHeader = 'x-request-id';

/** What a handler knows of its call besides the request message. */
export interface CallContext {
  /** The request's namespace; FailedPrecondition when the header is missing, as in containerd. */
  namespace(): string;
  /** What the events this call appends record as their cause. */
  readonly cause: EventCause;
  /** Aborted when the client cancels the call or goes away. */
  readonly signal: AbortSignal;
}

/** The minimal view of a grpc-js server call this module reads. */
export interface CallLike {
  /** The request's metadata (headers). */
  readonly metadata: Metadata;
  /** The method's path, e.g. `/containerd.services.tasks.v1.Tasks/Create`. */
  getPath(): string;
  /** Registers what to do when the client cancels. */
  on(event: 'cancelled', listener: () => void): unknown;
}

/** Builds the context of one call. */
export function callContext(call: CallLike): CallContext {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort());
  const first = (key: string): string | undefined => {
    const value = call.metadata.get(key)[0];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return {
    namespace() {
      const ns = first(namespaceHeader);
      if (ns === undefined) throw failedPrecondition('namespace is required');
      return validateIdentifier(ns, 'namespace');
    },
    cause: {
      correlationId: first(requestIdHeader) ?? randomUUID(),
      // e.g. "grpc /containerd.services.tasks.v1.Tasks/Create", like "api POST /v1/tasks".
      source: `grpc ${call.getPath()}`,
    },
    signal: abort.signal,
  };
}
