/** The error kinds taskledger reports; each maps once, at the edges, to HTTP status, gRPC and CLI exit codes. */
export const errorCodes = [
  'NotFound',
  'AlreadyExists',
  'InvalidArgument',
  'FailedPrecondition',
  'Conflict',
  'Unavailable',
  'Internal',
] as const;

/** One of {@link errorCodes}. */
export type ErrorCode = (typeof errorCodes)[number];

/** An error with a code that survives the trip over the API. */
export class TaskledgerError extends Error {
  /** What kind of failure this is. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TaskledgerError';
    this.code = code;
  }
}

/** True when `value` is a {@link TaskledgerError}, optionally of the given code. */
export function isTaskledgerError(value: unknown, code?: ErrorCode): value is TaskledgerError {
  return value instanceof TaskledgerError && (code === undefined || value.code === code);
}

/** Returns whether `value` names one of the known error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

export const notFound = (message: string): TaskledgerError =>
  new TaskledgerError('NotFound', message);
export const alreadyExists = (message: string): TaskledgerError =>
  new TaskledgerError('AlreadyExists', message);
export const invalidArgument = (message: string): TaskledgerError =>
  new TaskledgerError('InvalidArgument', message);
export const failedPrecondition = (message: string): TaskledgerError =>
  new TaskledgerError('FailedPrecondition', message);
export const conflict = (message: string): TaskledgerError =>
  new TaskledgerError('Conflict', message);
export const unavailable = (message: string, cause?: unknown): TaskledgerError =>
  new TaskledgerError('Unavailable', message, { cause });
export const internal = (message: string, cause?: unknown): TaskledgerError =>
  new TaskledgerError('Internal', message, { cause });
