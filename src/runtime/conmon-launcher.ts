import { TaskledgerError } from '../domain/errors.ts';
import { createErrorCode, parseSyncReport } from './conmon-sync.ts';
import { outcomeError } from './runc-cli.ts';
import type { SubprocessRunner } from './subprocess-runner.ts';

/** How to start one conmon. */
export interface ConmonLaunchOptions {
  /** The conmon binary. */
  readonly binary: string;
  /** Its argv (see conmon-args.ts). */
  readonly args: readonly string[];
  /** Its working directory: the process's monitor directory (cgroup v1 OOM markers land there too). */
  readonly cwd: string;
  /** Give up when conmon has not reported after this long. */
  readonly timeoutMs: number;
  /** What is being started, for messages ("create default/web", "exec default/web/sh-1"). */
  readonly what: string;
  /** Runs the subprocess. */
  readonly runner: SubprocessRunner;
}

/**
 * Starts conmon and waits for its report on the sync pipe (fd 3, named by `_OCI_SYNCPIPE`);
 * resolves with the pid of the process runc started. conmon daemonizes (double fork, setsid),
 * so it outlives this process: its first process exits at once, while the daemon reports on the
 * pipe once `runc create` or `runc exec` has returned.
 *
 * Rejects with runc's own message when runc fails (InvalidArgument or FailedPrecondition, see
 * {@link createErrorCode}). The caller cleans up: conmon exits by itself after a failure, but
 * the bundle, the mounts and any runc state are the caller's.
 */
export async function launchConmon(options: ConmonLaunchOptions): Promise<number> {
  const outcome = await options.runner.run({
    file: options.binary,
    args: options.args,
    cwd: options.cwd,
    env: { _OCI_SYNCPIPE: '3' },
    timeoutMs: options.timeoutMs,
    syncPipe: true,
  });
  const text = outcome.syncText ?? '';
  if (outcome.failed && (outcome.exitCode === undefined || outcome.timedOut)) {
    throw outcomeError(outcome, `conmon (${options.what})`);
  }
  const report = parseSyncReport(text);
  if (report.ok) return report.pid;
  // Nothing on the pipe but a failed conmon: it rejected its arguments, and said why on stderr.
  const message =
    text === '' && outcome.stderr.trim() !== '' ? outcome.stderr.trim() : report.message;
  throw new TaskledgerError(createErrorCode(message), `${options.what}: ${message}`);
}
