import { parseArgs, usageError } from './args.ts';
import { containerRequest, createFlags } from './containers-command.ts';
import type { CliContext } from './context.ts';
import { attachAndWait, forwardingSignals } from './follow-output.ts';
import { println } from './output.ts';
import type { TerminalSession } from './terminal-session.ts';

/**
 * `taskledger run [--rm] [-d|-t] [--label k=v]... [--env K=V]... --rootfs DIR ID -- CMD [ARG...]`:
 * container, task and start in one go; in the foreground, streams output, forwards SIGINT and
 * SIGTERM, and exits with the task's status (128+N when killed by signal N). With `-t` the
 * process gets a terminal that our own types into (see terminal-session.ts).
 */
export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, {
    flags: { ...createFlags, rm: 'boolean', detach: 'boolean', tty: 'boolean' },
    short: { d: 'detach', t: 'tty' },
  });
  if (positionals.length > 1)
    throw usageError(`unexpected argument "${positionals[1]}": put the command after --`);
  if (flags.rm && flags.detach) throw usageError('--rm and -d cannot be combined');
  if (flags.tty && flags.detach) throw usageError('-t and -d cannot be combined');
  const request = containerRequest(positionals[0], flags, rest);
  // Before anything is created: a missing terminal is a usage error with nothing to undo. Loaded
  // only for -t, so that every other run pays nothing for it at start-up.
  const session = flags.tty
    ? (await import('./terminal-session.ts')).openTerminalSession()
    : undefined;
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
  flags: { rm: boolean; detach: boolean; session: TerminalSession | undefined },
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
