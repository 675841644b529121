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

// Marks taskledger's errors by a registered symbol, not by class identity: the CLI's commands are
// bundled apart (scripts/build-cli.ts), each with its own copy of this class, and an error the
// client's copy made must still be recognised by the command's.
const brand = Symbol.for('taskledger.TaskledgerError');

/** An error with a code that survives the trip over the API. */
export class TaskledgerError extends Error {
  /** What kind of failure this is. */
  readonly code: ErrorCode;
  /** Marks the error as taskledger's, whichever copy of this class made it. */
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TaskledgerError';
    this.code = code;
  }
}

/** True when `value` is a {@link TaskledgerError}, optionally of the given code. */
export function isTaskledgerError(value: unknown, code?: ErrorCode): value is TaskledgerError {
  return (
    value instanceof Error &&
    (value as { [brand]?: unknown })[brand] === true &&
    (code === undefined || (value as TaskledgerError).code === code)
  );
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
