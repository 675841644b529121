import { parseArgs, usageError } from './args.ts';
import type { CliContext } from './context.ts';
import { timeText } from './duration-text.ts';
import { printJson, printTable, println } from './output.ts';

/** `taskledger replay --until SEQ|TIME [--json]`: containers and tasks as they were then. */
export async function replayCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, { flags: { until: 'string', json: 'boolean' } });
  const until = flags.until as string | undefined;
  if (!until || positionals.length > 0)
    throw usageError('usage: taskledger replay --until SEQ|TIME [--json]');
  const state = await ctx.client('replay').replay(until);
  if (ctx.json || flags.json) {
    printJson(state);
    return 0;
  }
  const when = state.timestamp ? ` (${timeText(state.timestamp)} UTC)` : '';
  println(`state after seq ${state.until_seq}${when}, namespace ${ctx.namespace}:`);
  println('');
  // The same columns as `containers ls` and `tasks ls`.
  printTable(
    ['CONTAINER', 'IMAGE', 'RUNTIME', 'LABELS'],
    state.containers.map((c) => {
      const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
      return [c.id, c.image || '-', c.runtime.name, labels.length ? labels.join(',') : '-'];
    }),
  );
  println('');
  printTable(
    ['TASK', 'PID', 'STATUS'],
    state.tasks.map((t) => [t.id, t.pid, String(t.status).toUpperCase()]),
  );
  return 0;
}
