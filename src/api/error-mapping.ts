import type { ErrorCode } from '../domain/errors.ts';

/** HTTP status for each error code; the one table the daemon's HTTP edge uses. */
export const httpStatusOf: Readonly<Record<ErrorCode, number>> = {
  NotFound: 404,
  AlreadyExists: 409,
  InvalidArgument: 400,
  FailedPrecondition: 412,
  Conflict: 409,
  Unavailable: 503,
  Internal: 500,
};

/** CLI exit code for each error code (documented in the README; stable across releases). */
export const exitCodeOf: Readonly<Record<ErrorCode, number>> = {
  Internal: 1,
  InvalidArgument: 2,
  NotFound: 3,
  AlreadyExists: 4,
  FailedPrecondition: 5,
  Conflict: 6,
  Unavailable: 7,
};

/** gRPC status code for each error code, as containerd's errdefs maps them. */
export const grpcStatusOf: Readonly<Record<ErrorCode, number>> = {
  NotFound: 5,
  AlreadyExists: 6,
  InvalidArgument: 3,
  FailedPrecondition: 9,
  Conflict: 10, // ABORTED: a concurrency conflict the client may retry
  Unavailable: 14,
  Internal: 13,
};

/** The JSON body of every error response. */
export interface ErrorBody {
  /** The error. */
  readonly error: { readonly code: ErrorCode; readonly message: string };
}
