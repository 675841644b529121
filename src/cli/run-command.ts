import { parseArgs, usageError } from './args.ts';
import { containerRequest, createFlags } from './containers-command.ts';
import type { CliContext } from './context.ts';
import { attachAndWait, forwardingSignals } from './follow-output.ts';
import { println } from './output.ts';
import { openStdinSessionFor, stdinFlags } from './stdin-flags.ts';
import type { StdinSession } from './stdin-session.ts';

/**
 * `taskledger run [--rm] [-d] [-i] [-t] [--label k=v]... [--env K=V]... --rootfs DIR ID -- CMD...`:
 * container, task and start in one go; in the foreground, streams output, forwards SIGINT and
 * SIGTERM, and exits with the task's status (128+N when killed by signal N). With `-i` the
 * process reads our stdin; with `-t` it gets a terminal that ours types into (stdin-session.ts).
 * With `-d` as well, its stdin stays open for `tasks attach` (stdin-flags.ts).
 */
export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, {
    flags: { ...createFlags, ...stdinFlags.flags, rm: 'boolean' },
    short: stdinFlags.short,
  });
  if (positionals.length > 1)
    throw usageError(`unexpected argument "${positionals[1]}": put the command after --`);
  if (flags.rm && flags.detach) throw usageError('--rm and -d cannot be combined');
  const request = containerRequest(positionals[0], flags, rest);
  const session = await openStdinSessionFor(flags);
  try {
    return await run(ctx, request, {
      rm: flags.rm === true,
      detach: flags.detach === true,
      session,
    });
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
  const { id } = await client.containers.create(request);
  const cleanup = async (): Promise<void> => {
    if (!flags.rm) return;
    await client.tasks.delete(id, { force: true }).catch(() => undefined);
    await client.containers.delete(id);
  };
  try {
    await client.tasks.create(id, session?.io);
  } catch (error) {
    await cleanup();
    throw error;
  }
  if (flags.detach) {
    await client.tasks.start(id);
    println(id);
    return 0;
  }
  let status: number;
  try {
    status = await forwardingSignals(client, id, async () => {
      await client.tasks.start(id);
      session?.attach((size) => client.tasks.resize(id, size));
      return attachAndWait(client, id);
    });
  } finally {
    await cleanup();
  }
  return status;
}
