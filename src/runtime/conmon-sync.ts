import { runcErrorMessage } from './runc-output.ts';

/** What conmon reported on its sync pipe (`_OCI_SYNCPIPE`, API version 1). */
export type SyncReport =
  | {
      /** runc created the container or started the exec. */
      readonly ok: true;
      /** Host pid of the process. */
      readonly pid: number;
    }
  | {
      /** runc failed, or conmon said nothing. */
      readonly ok: false;
      /** runc's own message ("exec: \"x\": executable file not found in $PATH"). */
      readonly message: string;
    };

/**
 * Parses the first message conmon writes to its sync pipe: `{"data": PID}` on success,
 * `{"data": -1, "message": RUNC_STDERR}` on failure (conmon.c, `write_sync_fd`). runc's stderr is
 * logfmt; only its `msg` is kept. Empty text means conmon died before it could report.
 */
export function parseSyncReport(text: string): SyncReport {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '');
  if (line === undefined) return { ok: false, message: 'conmon exited without reporting a pid' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, message: `conmon sent an unreadable report: ${line.slice(0, 200)}` };
  }
  const { data, message } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    data?: unknown;
    message?: unknown;
  };
  if (typeof data === 'number' && Number.isInteger(data) && data > 0)
    return { ok: true, pid: data };
  const detail = typeof message === 'string' ? runcErrorMessage(message) : '';
  return {
    ok: false,
    message: detail || `conmon reported failure (${String(data)}) without a message`,
  };
}

/**
 * The error code for a create or exec that runc refused: a spec runc cannot accept is
 * InvalidArgument; anything about the host or the rootfs (a missing command, rlimits above the
 * hard limit, a missing directory) is FailedPrecondition.
 */
export function createErrorCode(message: string): 'InvalidArgument' | 'FailedPrecondition' {
  return /json:|cannot unmarshal|invalid|must not be empty|unsupported|not supported|unknown (?:capability|namespace|mount|rlimit)/i.test(
    message,
  )
    ? 'InvalidArgument'
    : 'FailedPrecondition';
}
