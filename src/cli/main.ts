import { exitCodeOf } from '../api/error-mapping.ts';
import { isTaskledgerError } from '../domain/errors.ts';
// Only the type at the top: the client (and rxjs under it) loads with the command, so `--help`
// and usage errors cost no more than Node's own start-up.
import type { CliContext } from './context.ts';

/** Top-level help. */
const usage = `usage: taskledger [--address SOCK] [--namespace NS] [--json] COMMAND ...

commands:
  daemon [--root DIR] [--state DIR] [--address SOCK]   run the daemon
  containers create|ls|info|label|commit|rm ...        container metadata
  namespaces ls|create|label|rm ...                    namespaces and their labels
  images import|ls|rm|snapshots ...                    root filesystem images (overlayfs)
  tasks start|ls|kill|ps|exec|attach|pause|resume|update|wait|rm|logs|metrics ...
  run [--rm] [-d] [-i] [-t] [--label k=v]... [--env K=V]... --rootfs DIR|--image NAME ID -- CMD [ARG...]
  events [--since SEQ|TIME] [--until SEQ|TIME] [--filter EXPR]... [--follow] [--json]
  history [--all] [--json] ID                          a container's timeline, even deleted
  replay --until SEQ|TIME [--json]                     containers and tasks as they were then
  admin rebuild|verify|export|import|compact --root DIR  offline maintenance
  version

environment: TASKLEDGER_ADDRESS, TASKLEDGER_NAMESPACE`;

type Command = (ctx: CliContext, args: string[]) => Promise<number>;

// Commands load on demand so that a CLI call pays only for the code it runs.
const commands: Record<string, () => Promise<Command>> = {
  daemon: async () => (await import('./daemon-command.ts')).daemonCommand,
  containers: async () => (await import('./containers-command.ts')).containersCommand,
  container: async () => (await import('./containers-command.ts')).containersCommand,
  c: async () => (await import('./containers-command.ts')).containersCommand,
  namespaces: async () => (await import('./namespaces-command.ts')).namespacesCommand,
  namespace: async () => (await import('./namespaces-command.ts')).namespacesCommand,
  ns: async () => (await import('./namespaces-command.ts')).namespacesCommand,
  tasks: async () => (await import('./tasks-command.ts')).tasksCommand,
  task: async () => (await import('./tasks-command.ts')).tasksCommand,
  t: async () => (await import('./tasks-command.ts')).tasksCommand,
  run: async () => (await import('./run-command.ts')).runCommand,
  events: async () => (await import('./events-command.ts')).eventsCommand,
  images: async () => (await import('./images-command.ts')).imagesCommand,
  image: async () => (await import('./images-command.ts')).imagesCommand,
  history: async () => (await import('./history-command.ts')).historyCommand,
  replay: async () => (await import('./replay-command.ts')).replayCommand,
  admin: async () => (await import('./admin-command.ts')).adminCommand,
  version: async () => (await import('./version-command.ts')).versionCommand,
};

/** Runs the CLI on `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let address = process.env.TASKLEDGER_ADDRESS ?? '/run/taskledger/taskledger.sock';
  let namespace = process.env.TASKLEDGER_NAMESPACE ?? 'default';
  let json = false;
  let i = 0;
  // Global flags come before the command.
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith('--')
      ? arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined]
      : [arg, undefined];
    if (name === '--address' || name === '-a') address = inline ?? argv[++i] ?? '';
    else if (name === '--namespace' || name === '-n') namespace = inline ?? argv[++i] ?? '';
    else if (name === '--json') json = true;
    else if (name === '--help' || name === '-h') {
      process.stdout.write(`${usage}\n`);
      return 0;
    } else break;
  }
  const name = argv[i];
  if (name !== 'daemon') endQuietlyOnClosedStdout();
  const load = name === undefined ? undefined : commands[name];
  if (!load) {
    process.stderr.write(
      name === undefined ? `${usage}\n` : `taskledger: unknown command "${name}"\n${usage}\n`,
    );
    return exitCodeOf.InvalidArgument;
  }
  try {
    const [command, { createContext }] = await Promise.all([load(), import('./context.ts')]);
    return await command(createContext(address, namespace, json), argv.slice(i + 1));
  } catch (error) {
    if (isTaskledgerError(error)) {
      process.stderr.write(`taskledger: ${error.message}\n`);
      return exitCodeOf[error.code];
    }
    process.stderr.write(
      `taskledger: internal error: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    return exitCodeOf.Internal;
  }
}

/**
 * A reader that stops early (`taskledger events --follow | head -1`) closes our stdout: end as a
 * Unix tool killed by SIGPIPE does (status 141, nothing on stderr), where Node, which ignores
 * SIGPIPE, would throw EPIPE with a stack trace. Not for the daemon, which must outlive its stdout.
 */
function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(141);
    throw error;
  });
}
