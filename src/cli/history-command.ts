import type { HistoryEntryJson, HistoryJson } from '../api/audit-types.ts';
import { parseArgs, usageError } from './args.ts';
import type { CliContext } from './context.ts';
import { durationText, timeText } from './duration-text.ts';
import { printJson, printTable, println } from './output.ts';

const usage = 'usage: taskledger history [--all] [--json] ID';

/** Marks `/taskledger/` bookkeeping entries in the table (they are not containerd events). */
const bookkeepingMark = '· ';

/** `taskledger history ID [--all] [--json]`: a container's timeline, even after it was deleted. */
export async function historyCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, { flags: { all: 'boolean', json: 'boolean' } });
  const [id, extra] = positionals;
  if (!id || extra !== undefined) throw usageError(usage);
  const history = await ctx.client('history').history(id);
  if (ctx.json || flags.json) {
    printJson(history);
    return 0;
  }
  println(headline(history));
  const c = history.compacted;
  if (c) {
    println(
      `earlier history compacted: ${c.events} event(s) up to seq ${c.through_seq} (${timeText(c.through_timestamp)}); then: ${stateThen(c)}`,
    );
  }
  const shown = history.entries.filter((e) => flags.all || !e.hidden);
  printTable(
    // EVENT last: an error message can be long, and nothing is pushed out of line by it.
    ['SEQ', 'TIME (UTC)', 'SINCE', 'TOOK', 'SOURCE', 'EVENT'],
    shown.map((e) => [
      e.seq,
      timeText(e.timestamp),
      e.since_created_ms === null ? '-' : `+${durationText(e.since_created_ms)}`,
      e.duration_ms === null ? '-' : durationText(e.duration_ms),
      e.source,
      `${e.bookkeeping ? bookkeepingMark : ''}${e.summary}`,
    ]),
  );
  const hidden = history.entries.length - shown.length;
  const notes = [
    ...(shown.some((e) => e.bookkeeping)
      ? [`${bookkeepingMark.trim()} taskledger bookkeeping, not a containerd event`]
      : []),
    ...(hidden > 0 ? [`${hidden} resolved intent(s) hidden: --all shows them`] : []),
  ];
  if (notes.length) println(notes.join('; '));
  return 0;
}

function headline(h: HistoryJson): string {
  const parts: string[] = [];
  if (h.created_at) parts.push(`created ${timeText(h.created_at)}`);
  if (h.exists) parts.push('exists');
  else if (h.deleted_at) {
    const lived = lifetime(h.entries);
    parts.push(`deleted ${timeText(h.deleted_at)}${lived === undefined ? '' : ` after ${lived}`}`);
  } else parts.push('no longer exists');
  return `container ${h.id} (namespace ${h.namespace}): ${parts.join(', ')}`;
}

function lifetime(entries: readonly HistoryEntryJson[]): string | undefined {
  const deleted = entries.findLast((e) => e.topic === '/containers/delete');
  return deleted?.duration_ms == null ? undefined : durationText(deleted.duration_ms);
}

function stateThen(c: NonNullable<HistoryJson['compacted']>): string {
  if (!c.container) return 'the container did not exist';
  const task = c.task
    ? `task ${c.task.status}${c.task.pid ? ` (pid ${c.task.pid})` : ''}`
    : 'no task';
  return `the container existed, ${task}`;
}
