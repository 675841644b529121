import { status } from '@grpc/grpc-js';
import { grpcStatusOf } from '../api/error-mapping.ts';
import { isTaskledgerError } from '../domain/errors.ts';

/**
 * An error that must reach the client with a gRPC code no taskledger error code stands for:
 * UNKNOWN, as containerd answers a bad event filter, or UNIMPLEMENTED.
 */
export class GrpcStatusError extends Error {
  /** The gRPC status code to answer with. */
  readonly code: status;

  constructor(code: status, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GrpcStatusError';
    this.code = code;
  }
}

/** The status a call ends with, in the shape grpc-js's callbacks and streams take. */
export interface GrpcStatus {
  /** The gRPC status code. */
  readonly code: status;
  /** The message the client sees. */
  readonly details: string;
}

/**
 * The status a failed call answers with: a taskledger error's code through the one table in
 * src/api/error-mapping.ts; an error with no code is UNKNOWN, as containerd answers errors that
 * errdefs does not classify. `unexpected` is true for the latter, which deserve a log line.
 */
export function grpcStatusFor(error: unknown): GrpcStatus & { readonly unexpected: boolean } {
  if (isTaskledgerError(error))
    return {
      code: grpcStatusOf[error.code],
      details: error.message,
      unexpected: error.code === 'Internal',
    };
  if (error instanceof GrpcStatusError)
    return { code: error.code, details: error.message, unexpected: false };
  const details = error instanceof Error ? error.message : String(error);
  return { code: status.UNKNOWN, details, unexpected: true };
}
