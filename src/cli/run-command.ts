import { parseArgs, usageError } from './args.ts';
import { containerRequest, createFlags } from './containers-command.ts';
import type { CliContext } from './context.ts';
import { attachAndWait, forwardingSignals } from './follow-output.ts';
import { println } from './output.ts';

/**
 * `taskledger run [--rm] [-d] [--label k=v]... [--env K=V]... --rootfs DIR ID -- CMD [ARG...]`:
 * container, task and start in one go; in the foreground, streams output, forwards SIGINT and
 * SIGTERM, and exits with the task's status (128+N when killed by signal N).
 */
export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, {
    flags: { ...createFlags, rm: 'boolean', detach: 'boolean' },
    short: { d: 'detach' },
  });
  if (positionals.length > 1)
    throw usageError(`unexpected argument "${positionals[1]}": put the command after --`);
  if (flags.rm && flags.detach) throw usageError('--rm and -d cannot be combined');
  const request = containerRequest(positionals[0], flags, rest);
  const client = ctx.client('run');
  const { id } = await client.containers.create(request);
  const cleanup = async (): Promise<void> => {
    if (!flags.rm) return;
    await client.tasks.delete(id, { force: true }).catch(() => undefined);
    await client.containers.delete(id);
  };
  try {
    await client.tasks.create(id);
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
      return attachAndWait(client, id);
    });
  } finally {
    await cleanup();
  }
  return status;
}
