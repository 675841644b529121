import type { EventJson } from '../api/wire-types.ts';
import { parseArgs } from './args.ts';
import type { CliContext } from './context.ts';
import { println } from './output.ts';

/** `taskledger events [--since SEQ|TIME] [--until SEQ|TIME] [--filter EXPR]... [--follow] [--json]` */
export async function eventsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, {
    flags: { since: 'string', until: 'string', filter: 'list', follow: 'boolean', json: 'boolean' },
    short: { f: 'follow' },
  });
  const json = ctx.json || flags.json === true;
  const print = (e: EventJson): void => {
    if (json)
      println(
        JSON.stringify({
          seq: e.seq,
          timestamp: e.timestamp,
          namespace: e.namespace,
          topic: e.topic,
          event: e.event,
        }),
      );
    else
      println(
        `${e.seq} ${e.timestamp} ${e.namespace} ${e.topic} ${JSON.stringify(e.event, elideBulk)}`,
      );
  };
  const events = ctx.client('events').events({
    since: flags.since as string | undefined,
    until: flags.until as string | undefined,
    filters: (flags.filter as string[] | undefined) ?? [],
    follow: flags.follow === true,
  });
  await new Promise<void>((resolve, reject) => {
    const subscription = events.subscribe({ next: print, error: reject, complete: resolve });
    const stop = (): void => {
      subscription.unsubscribe();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** Keeps the one-line form readable: whole OCI specs and process specs are shown as `{…}` (`--json` has them). */
function elideBulk(key: string, value: unknown): unknown {
  return (key === 'spec' || key === 'process') && typeof value === 'object' && value !== null
    ? '{…}'
    : value;
}
