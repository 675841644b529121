import { autoRemoveLabel } from '../domain/auto-remove.ts';
import { parseArgs, usageError } from './args.ts';
import { containerRequest, createFlags } from './containers-command.ts';
import type { CliContext } from './context.ts';
import { followRun, forwardingSignals } from './follow-output.ts';
import { println } from './output.ts';
import { openStdinSessionFor, stdinFlags } from './stdin-flags.ts';
import type { StdinSession } from './stdin-session.ts';

/**
 * `taskledger run [--rm] [-d] [-i] [-t] [--label k=v]... [--env K=V]... --rootfs DIR ID -- CMD...`:
 * container, task and start in one go; in the foreground, streams output, forwards SIGINT and
 * SIGTERM, and exits with the task's status (128+N when killed by signal N). With `-i` the
 * process reads our stdin; with `-t` it gets a terminal that ours types into (stdin-session.ts).
 * With `-d` as well, its stdin stays open for `tasks attach` (stdin-flags.ts).
 *
 * `--rm` labels the container for auto-removal (domain/auto-remove.ts): the daemon removes task
 * and container once the process exits, so they go even when we do not stay to see it (`-d`, a
 * closed pipe, a kill). In the foreground we wait until they are gone, as `docker run --rm` does:
 * the id is free again when we return.
 */
export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, {
    flags: { ...createFlags, ...stdinFlags.flags, rm: 'boolean' },
    short: stdinFlags.short,
  });
  if (positionals.length > 1)
    throw usageError(`unexpected argument "${positionals[1]}": put the command after --`);
  const request = containerRequest(positionals[0], flags, rest);
  const rm = flags.rm === true;
  if (rm) request.labels[autoRemoveLabel] = 'true';
  const session = await openStdinSessionFor(flags);
  try {
    return await run(ctx, request, { rm, detach: flags.detach === true, session });
  } finally {
    session?.close();
  }
}

async function run(
  ctx: CliContext,
  request: ReturnType<typeof containerRequest>,
  flags: { rm: boolean; detach: boolean; session: StdinSession | undefined },
): Promise<number> {
  const { session } = flags;
  const client = ctx.client('run');
  // One request: container, task and start. Until the start, a failure is undone by the daemon
  // with --rm (nothing ran, and the caller gets the error).
  const run = { container: request, io: session?.io, removeOnFailure: flags.rm };
  if (flags.detach) {
    const { container } = await client.run(run);
    println(container.id);
    return 0;
  }
  const { id } = request;
  // In the foreground with --rm, the exit comes once the daemon has removed the container.
  return forwardingSignals(client, id, () =>
    followRun(client, run, {
      until: flags.rm ? 'removed' : 'exit',
      started: () => session?.attach((size) => client.tasks.resize(id, size)),
    }),
  );
}
