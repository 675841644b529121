import { TaskledgerError, unavailable } from '../domain/errors.ts';
import { runcErrorCode, runcErrorMessage } from './runc-output.ts';
import type { SubprocessOutcome, SubprocessRunner } from './subprocess-runner.ts';

/** Runs runc commands; failures come back as {@link TaskledgerError}s carrying runc's message. */
export interface RuncCli {
  /** Runs `runc ARGS` and resolves with its stdout; rejects with a coded error on failure. */
  run(args: readonly string[]): Promise<string>;
}

/** How {@link createRuncCli} runs runc. */
export interface RuncCliOptions {
  /** The runc binary's absolute path. */
  readonly binary: string;
  /** Kill runc when a command takes longer than this. */
  readonly timeoutMs: number;
  /** Runs the subprocesses (from the launcher shells, a bounded number at a time). */
  readonly runner: SubprocessRunner;
}

/** Creates a {@link RuncCli}. */
export function createRuncCli(options: RuncCliOptions): RuncCli {
  const { binary, timeoutMs, runner } = options;
  return {
    async run(args) {
      const outcome = await runner.run({ file: binary, args, timeoutMs });
      if (outcome.failed) throw outcomeError(outcome, `runc ${commandName(args)}`);
      return outcome.stdout;
    },
  };
}

/** The runc subcommand in an argv that starts with `--root DIR`. */
const commandName = (args: readonly string[]): string =>
  args.find((arg, i) => i >= 2 && !arg.startsWith('-')) ?? '';

/**
 * Turns a failed subprocess into a {@link TaskledgerError}: a missing binary, a timeout or a
 * cancellation is Unavailable; a non-zero exit keeps the tool's own message (runc's logfmt
 * `msg`, or its plain stderr) and gets its code from {@link runcErrorCode}.
 */
export function outcomeError(outcome: SubprocessOutcome, what: string): TaskledgerError {
  if (outcome.code === 'ENOENT') return unavailable(`${what}: executable not found`);
  if (outcome.timedOut) return unavailable(`${what} timed out`);
  if (outcome.isCanceled) return unavailable(`${what} was cancelled: the runtime is closing`);
  const message = runcErrorMessage(outcome.stderr) || outcome.shortMessage;
  return new TaskledgerError(runcErrorCode(message), `${what}: ${message}`);
}
