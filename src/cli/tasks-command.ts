import type { TaskledgerClient } from '../api/client.ts';
import { parseArgs, usageError } from './args.ts';
import type { CliContext } from './context.ts';
import { attachAndWait, forwardingSignals, startAttached, writeRecord } from './follow-output.ts';
import { printJson, printTable, println } from './output.ts';
import { resourceFlags, resourceShort, resourcesFromFlags } from './resource-flags.ts';
import { openStdinSessionFor, stdinFlags } from './stdin-flags.ts';
import type { StdinSession } from './stdin-session.ts';

const usage = `usage: taskledger tasks start [-d] ID
       taskledger tasks ls [--json]
       taskledger tasks kill [-s SIGNAL] [--all] [--exec-id EID] ID
       taskledger tasks ps ID
       taskledger tasks exec [-d] [-i] [-t] --exec-id EID ID -- CMD [ARG...]
       taskledger tasks attach [--exec-id EID] [--no-stdin] ID
       taskledger tasks pause|resume|wait|metrics ID
       taskledger tasks rm [--force] ID
       taskledger tasks logs [-f] [--tail N] [--since T] [--until T] [--exec-id EID] ID`;

/** `taskledger tasks ...` */
export async function tasksCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const one = (
    flags: Parameters<typeof parseArgs>[1] = { flags: {} },
  ): { id: string; flags: Record<string, unknown>; rest: string[] } => {
    const parsed = parseArgs(rest, flags);
    const id = parsed.positionals[0];
    if (!id) throw usageError(`tasks ${sub} needs a container ID`);
    return { id, flags: parsed.flags, rest: parsed.rest };
  };
  const client = ctx.client(`tasks ${sub ?? ''}`.trim());
  switch (sub) {
    case 'start': {
      const { id, flags } = one({ flags: { detach: 'boolean' }, short: { d: 'detach' } });
      const existing = await client.tasks.get(id).catch(() => undefined);
      if (!existing) await client.tasks.create(id);
      if (flags.detach) {
        await client.tasks.start(id);
        return 0;
      }
      return forwardingSignals(client, id, () => startAttached(client, id));
    }
    case 'ls':
    case 'list': {
      const { flags } = parseArgs(rest, { flags: { json: 'boolean' } });
      const tasks = await client.tasks.list();
      if (ctx.json || flags.json) printJson(tasks);
      else
        printTable(
          ['TASK', 'PID', 'STATUS'],
          tasks.map((t) => [t.id, t.pid, String(t.status).toUpperCase()]),
        );
      return 0;
    }
    case 'kill': {
      const { id, flags } = one({
        flags: { signal: 'string', all: 'boolean', 'exec-id': 'string' },
        short: { s: 'signal', a: 'all' },
      });
      await client.tasks.kill(id, {
        signal: (flags.signal as string | undefined) ?? 'SIGTERM',
        all: flags.all === true,
        execId: flags['exec-id'] as string | undefined,
      });
      return 0;
    }
    case 'ps': {
      const { id } = one();
      const pids = await client.tasks.pids(id);
      if (ctx.json) printJson(pids);
      else
        printTable(
          ['PID'],
          pids.map((p) => [p.pid]),
        );
      return 0;
    }
    case 'exec': {
      const {
        id,
        flags,
        rest: args,
      } = one({
        flags: { ...stdinFlags.flags, 'exec-id': 'string', cwd: 'string' },
        short: stdinFlags.short,
      });
      const execId = flags['exec-id'];
      if (typeof execId !== 'string') throw usageError('tasks exec needs --exec-id EID');
      if (args.length === 0) throw usageError('tasks exec needs a command after --');
      const session = await openStdinSessionFor(flags);
      try {
        return await execCommand(client, id, execId, args, { ...flags, session });
      } finally {
        session?.close();
      }
    }
    case 'attach': {
      const { id, flags } = one({ flags: { 'exec-id': 'string', 'no-stdin': 'boolean' } });
      const { attachCommand } = await import('./attach-command.ts');
      return attachCommand(client, id, {
        execId: flags['exec-id'] as string | undefined,
        stdin: flags['no-stdin'] !== true,
      });
    }
    case 'update': {
      const { id, flags } = one({ flags: resourceFlags, short: resourceShort });
      await client.tasks.update(id, resourcesFromFlags(flags));
      return 0;
    }
    case 'pause':
      await client.tasks.pause(one().id);
      return 0;
    case 'resume':
      await client.tasks.resume(one().id);
      return 0;
    case 'wait': {
      const exit = await client.tasks.wait(one().id);
      if (ctx.json) printJson(exit);
      else println(String(exit.exit_status));
      return exit.exit_status;
    }
    case 'rm':
    case 'delete':
    case 'del': {
      const { id, flags } = one({ flags: { force: 'boolean' }, short: { f: 'force' } });
      const exit = await client.tasks.delete(id, { force: flags.force === true });
      if (ctx.json) printJson(exit);
      else println(String(exit.exit_status));
      return 0;
    }
    case 'logs': {
      const { id, flags } = one({
        flags: {
          follow: 'boolean',
          'exec-id': 'string',
          timestamps: 'boolean',
          tail: 'string',
          since: 'string',
          until: 'string',
        },
        short: { f: 'follow', n: 'tail' },
      });
      const tail = flags.tail as string | undefined;
      if (tail !== undefined && !/^\d{1,9}$/.test(tail))
        throw usageError(`--tail takes a whole number of lines, not "${tail}"`);
      await new Promise<void>((resolve, reject) => {
        client.tasks
          .logs(id, {
            follow: flags.follow === true,
            execId: flags['exec-id'] as string | undefined,
            tail: tail === undefined ? undefined : Number(tail),
            since: flags.since as string | undefined,
            until: flags.until as string | undefined,
          })
          .subscribe({
            next: (r) =>
              ctx.json
                ? println(JSON.stringify(r))
                : flags.timestamps === false
                  ? writeRecord(r)
                  : writeStamped(r),
            error: reject,
            complete: resolve,
          });
      });
      return 0;
    }
    case 'metrics': {
      printJson(await client.tasks.metrics(one().id));
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

function writeStamped(r: { time: string; stream: string; full: boolean; text: string }): void {
  const out = r.stream === 'stderr' ? process.stderr : process.stdout;
  out.write(`${r.time} ${r.stream} ${r.text}${r.full ? '\n' : ''}`);
}

/** `tasks exec`: adds the exec, starts it, and in the foreground follows it to its exit. */
async function execCommand(
  client: TaskledgerClient,
  id: string,
  execId: string,
  args: string[],
  flags: { cwd?: unknown; detach?: unknown; session: StdinSession | undefined },
): Promise<number> {
  const container = await client.containers.get(id);
  // Like ctr: the container's process spec with the new args.
  const process: Record<string, unknown> = {
    ...((container.spec.process ?? {}) as Record<string, unknown>),
    args,
    terminal: flags.session?.io.terminal === true,
  };
  if (typeof flags.cwd === 'string') process.cwd = flags.cwd;
  await client.tasks.exec(id, execId, process, flags.session?.io);
  if (flags.detach) {
    await client.tasks.startExec(id, execId);
    return 0;
  }
  return forwardingSignals(
    client,
    id,
    async () => {
      await client.tasks.startExec(id, execId);
      flags.session?.attach((size) => client.tasks.resize(id, { ...size, execId }));
      const status = await attachAndWait(client, id, { execId });
      await client.tasks.deleteExec(id, execId).catch(() => undefined);
      return status;
    },
    execId,
  );
}
