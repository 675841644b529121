import { readFileSync, watch } from 'node:fs';
import path from 'node:path';
import { TaskledgerError, unavailable } from '../domain/errors.ts';
import { createErrorCode, parseSyncReport } from './conmon-sync.ts';
import { isMonitorAlive } from './monitor-files.ts';
import { outcomeError } from './runc-cli.ts';
import type { RuncContext } from './runc-context.ts';
import type { ProcessPaths } from './runtime-layout.ts';

/** What a conmon launch takes from the runtime: the binary, its timeout, how to start it. */
export type ConmonContext = Pick<
  RuncContext,
  'conmonBinary' | 'conmonTimeoutMs' | 'launcher' | 'runner' | 'launches'
>;

/** One conmon to start. */
export interface ConmonLaunch {
  /** Its argv (see conmon-args.ts). */
  readonly args: readonly string[];
  /**
   * The process's monitor files; its directory is conmon's working directory (cgroup v1 OOM
   * markers land there too).
   */
  readonly monitor: ProcessPaths;
  /** What is being started, for messages ("create default/web", "exec default/web/sh-1"). */
  readonly what: string;
}

// While waiting for the report: how often conmon is checked for having died without one.
const livenessCheckMs = 100;

/**
 * Starts conmon and waits for its report (`_OCI_SYNCPIPE`, API version 1); resolves with the pid
 * of the process runc started. conmon daemonizes (double fork, setsid), so it outlives this
 * process: its first process exits at once, while the daemon reports once `runc create` or
 * `runc exec` has returned.
 *
 * A launcher shell starts it, with the report going to the monitor's `sync` file, read when
 * inotify says it changed; when a shell line cannot carry the request, the subprocess runner
 * spawns it with the report on a pipe instead.
 *
 * Rejects with runc's own message when runc fails (InvalidArgument or FailedPrecondition, see
 * {@link createErrorCode}). The caller cleans up: conmon exits by itself after a failure, but
 * the bundle, the mounts and any runc state are the caller's. The runtime's close waits for
 * launches in flight (`ctx.launches`).
 */
export function launchConmon(ctx: ConmonContext, options: ConmonLaunch): Promise<number> {
  const launching = launch(ctx, options);
  ctx.launches.add(launching);
  void launching.catch(() => undefined).finally(() => ctx.launches.delete(launching));
  return launching;
}

/** The command both ways of starting conmon run; its report goes to fd 3. */
const conmonCommand = (ctx: ConmonContext, options: ConmonLaunch) => ({
  file: ctx.conmonBinary,
  args: options.args,
  cwd: options.monitor.dir,
  env: { _OCI_SYNCPIPE: '3' },
  timeoutMs: ctx.conmonTimeoutMs,
});

async function launch(ctx: ConmonContext, options: ConmonLaunch): Promise<number> {
  const deadline = Date.now() + ctx.conmonTimeoutMs;
  const started = await startConmon(ctx, options);
  if (!started) return launchThroughRunner(ctx, options);
  return conmonReport(options.monitor, started, options.what, deadline);
}

/** A conmon that has daemonized and has yet to report (see {@link startConmon}). */
export interface StartedConmon {
  /** What its first process wrote on stderr: why it refused its arguments, if it did. */
  readonly stderr: string;
}

/**
 * Starts conmon from a launcher shell and resolves once its first process has exited, that is
 * once conmon has daemonized and started runc: the report comes later, into the monitor's `sync`
 * file ({@link conmonReport}). Undefined when no shell line can carry the request.
 */
export async function startConmon(
  ctx: ConmonContext,
  options: ConmonLaunch,
): Promise<StartedConmon | undefined> {
  const launched = ctx.launcher.run({
    ...conmonCommand(ctx, options),
    fd3File: options.monitor.syncFile,
    stderrFile: options.monitor.conmonStderrFile,
  });
  if (!launched) return undefined;
  const outcome = await launched;
  if (outcome.timedOut) throw unavailable(`conmon (${options.what}) timed out`);
  return { stderr: outcome.stderr };
}

/**
 * Waits until `deadline` (epoch ms) for the report of a conmon {@link startConmon} started, and
 * resolves with the pid of the process runc started; rejects with runc's message, or conmon's.
 */
export async function conmonReport(
  monitor: ProcessPaths,
  started: StartedConmon,
  what: string,
  deadline: number,
): Promise<number> {
  const text = await readSyncReport(monitor, deadline);
  if (text === undefined) throw unavailable(`conmon (${what}) timed out`);
  return reportedPid(text, started.stderr, what);
}

async function launchThroughRunner(ctx: ConmonContext, options: ConmonLaunch): Promise<number> {
  const outcome = await ctx.runner.run({ ...conmonCommand(ctx, options), syncPipe: true });
  if (outcome.failed && (outcome.exitCode === undefined || outcome.timedOut)) {
    throw outcomeError(outcome, `conmon (${options.what})`);
  }
  return reportedPid(outcome.syncText ?? '', outcome.stderr, options.what);
}

/** The pid from conmon's report; otherwise runc's message, or conmon's own (`stderr`). */
function reportedPid(text: string, stderr: string, what: string): number {
  const report = parseSyncReport(text);
  if (report.ok) return report.pid;
  // Nothing reported but a failed conmon: it rejected its arguments, and said why on stderr.
  const message = text === '' && stderr.trim() !== '' ? stderr.trim() : report.message;
  throw new TaskledgerError(createErrorCode(message), `${what}: ${message}`);
}

/**
 * Waits for the first line of the sync file. Resolves with what is there ('' when nothing) once
 * conmon is gone without a line, and undefined at the deadline.
 */
async function readSyncReport(
  monitor: ProcessPaths,
  deadline: number,
): Promise<string | undefined> {
  // Synchronously: a line of JSON in a local file, read once inotify says it changed.
  const read = (): string => {
    try {
      return readFileSync(monitor.syncFile, 'utf8');
    } catch {
      return '';
    }
  };
  // A change while the loop reads or checks must not wait for the next liveness check.
  let changes = 0;
  let wake: () => void = () => undefined;
  const watcher = watch(monitor.dir, { persistent: false }, (_event, filename) => {
    if (filename !== null && filename !== path.basename(monitor.syncFile)) return;
    changes += 1;
    wake();
  });
  try {
    for (;;) {
      const seen = changes;
      const text = read();
      if (text.includes('\n')) return text;
      if (!isMonitorAlive(monitor)) return read();
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      if (changes !== seen) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, livenessCheckMs));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    watcher.close();
  }
}
