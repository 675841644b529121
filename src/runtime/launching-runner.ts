import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { settledWithin } from './settled-within.ts';
import type { LaunchOutcome, ShellLauncher } from './shell-launcher.ts';
import type {
  SubprocessOutcome,
  SubprocessRequest,
  SubprocessRunner,
} from './subprocess-runner.ts';

/** What {@link createLaunchingRunner} runs commands with. */
export interface LaunchingRunnerOptions {
  /** The launcher shells, which run every command one shell line can carry. */
  readonly launcher: ShellLauncher;
  /** Makes the runner for the rest (a sync pipe, a newline in an argument); called at first need. */
  readonly fallback: () => SubprocessRunner;
  /** A directory of the runner's own, where each command's stdout and stderr land until read. */
  readonly scratchDir: string;
}

/**
 * A {@link SubprocessRunner} that runs commands from the launcher shells (see shell-launcher.ts):
 * runc, mount, umount and the stdin relay's starter then cost the daemon no fork. On these PVM
 * guests each fork of the daemon costs about 10 ms, and a mounted rootfs (an image's snapshot)
 * paid two per task, `mount` and `umount`. A command's stdout and stderr go to two files in
 * `scratchDir`, read and removed when it ends. What one shell line cannot carry, and conmon
 * with its sync pipe when the launcher refused it, goes to the fallback runner, which is created
 * only then: most daemons never start its worker thread.
 */
export function createLaunchingRunner(options: LaunchingRunnerOptions): SubprocessRunner {
  const { launcher, scratchDir } = options;
  const inFlight = new Set<Promise<unknown>>();
  // Unique per runner, so that two runners never share a file even in one directory.
  const prefix = randomBytes(4).toString('hex');
  let nextId = 0;
  let fallback: SubprocessRunner | undefined;
  const viaFallback = (request: SubprocessRequest): Promise<SubprocessOutcome> =>
    (fallback ??= options.fallback()).run(request);

  const launch = (request: SubprocessRequest): Promise<SubprocessOutcome> | undefined => {
    const base = path.join(scratchDir, `${prefix}-${nextId++}`);
    const files = { stdoutFile: `${base}.out`, stderrFile: `${base}.err` };
    const launched = launcher.run({
      file: request.file,
      args: request.args,
      cwd: request.cwd ?? '/',
      env: request.env ?? {},
      timeoutMs: request.timeoutMs,
      ...files,
    });
    if (!launched) return undefined;
    return launched
      .then((outcome) => subprocessOutcome(request, outcome))
      .finally(() =>
        Promise.all(Object.values(files).map((file) => rm(file, { force: true }))).catch(
          () => undefined,
        ),
      );
  };

  return {
    run(request) {
      const running = (!request.syncPipe && launch(request)) || viaFallback(request);
      inFlight.add(running);
      void running.catch(() => undefined).finally(() => inFlight.delete(running));
      return running;
    },
    idle: (timeoutMs) =>
      settledWithin([...inFlight, ...(fallback ? [fallback.idle(timeoutMs)] : [])], timeoutMs),
    cancelAll() {
      launcher.cancelAll();
      fallback?.cancelAll();
    },
    async close() {
      await fallback?.close();
    },
  };
}

/** A launcher outcome in the runner's terms, with execa's kinds of one-line message. */
function subprocessOutcome(
  request: Pick<SubprocessRequest, 'file' | 'args' | 'timeoutMs'>,
  outcome: LaunchOutcome,
): SubprocessOutcome {
  const commandLine = [request.file, ...request.args].join(' ');
  // The shell's own words when exec fails: "sh: 1: exec: NAME: not found" (127), "...: Permission
  // denied" (126). Anything else with those statuses is the command's own.
  const execFailure = outcome.stderr.includes(`exec: ${request.file}: `);
  const code =
    execFailure && outcome.exitCode === 127
      ? 'ENOENT'
      : execFailure && outcome.exitCode === 126
        ? 'EACCES'
        : undefined;
  const failed = outcome.timedOut || outcome.canceled || outcome.exitCode !== 0;
  const shortMessage = outcome.timedOut
    ? `Command timed out after ${request.timeoutMs} milliseconds: ${commandLine}`
    : outcome.canceled
      ? `Command was canceled: ${commandLine}`
      : code
        ? `Command failed with ${code}: ${commandLine}`
        : failed
          ? `Command failed with exit code ${outcome.exitCode}: ${commandLine}`
          : `Command succeeded: ${commandLine}`;
  return {
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    exitCode: outcome.exitCode,
    failed,
    timedOut: outcome.timedOut,
    isCanceled: outcome.canceled,
    code,
    shortMessage,
  };
}
