import { createInterface } from 'node:readline';
import { parseArgs, usageError } from './args.ts';
import type { CliContext } from './context.ts';
import { printJson, println } from './output.ts';

const usage = `usage: taskledger admin rebuild|verify --root DIR
       taskledger admin export --root DIR [--since SEQ|TIME] [--until SEQ|TIME] > events.jsonl
       taskledger admin import --root NEWDIR < events.jsonl
       taskledger admin compact --root DIR --before SEQ`;

/** `taskledger admin ...`: offline maintenance of a root (daemon stopped). */
export async function adminCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { flags } = parseArgs(rest, {
    flags: { root: 'string', since: 'string', until: 'string', before: 'string' },
  });
  const root = (flags.root as string | undefined) ?? '/var/lib/taskledger';
  // The admin code opens the database directly; it is loaded only for these commands.
  const admin = await import('../daemon/admin.ts');
  switch (sub) {
    case 'rebuild': {
      const events = await admin.adminRebuild(root);
      println(`rebuilt projections from ${events} events`);
      return 0;
    }
    case 'verify': {
      const report = await admin.adminVerify(root);
      if (ctx.json) printJson(report);
      if (report.chain) {
        if (!ctx.json)
          println(`hash chain broken at seq ${report.chain.seq}: ${report.chain.reason}`);
        return 1;
      }
      if (report.projection) {
        const d = report.projection;
        if (!ctx.json) {
          println(`projection ${d.projection} differs from replay at ${d.key}:`);
          println(`  stored:   ${JSON.stringify(d.stored ?? null)}`);
          println(`  replayed: ${JSON.stringify(d.replayed ?? null)}`);
        }
        return 1;
      }
      if (!ctx.json) {
        const compacted =
          report.compactedThrough === undefined
            ? ''
            : ` (events up to seq ${report.compactedThrough} compacted: chain checked from the snapshot's hash, projections against snapshot + replay)`;
        println(
          `ok: ${report.events} events, hash chain intact, projections equal replay${compacted}`,
        );
      }
      return 0;
    }
    case 'export': {
      await admin.adminExport(
        root,
        { since: flags.since as string | undefined, until: flags.until as string | undefined },
        process.stdout,
      );
      return 0;
    }
    case 'import': {
      if (process.stdin.isTTY) {
        throw usageError(
          'admin import reads an export on stdin: ... admin import --root DIR < events.jsonl',
        );
      }
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      const result = await admin.adminImport(root, lines);
      if (ctx.json) printJson(result);
      else
        println(
          `imported ${result.events} events${result.fromSnapshot ? ' after a compaction snapshot' : ''}: last seq ${result.lastSeq}, chain hash ${result.lastHash}`,
        );
      return 0;
    }
    case 'compact': {
      const before = flags.before as string | undefined;
      if (!before || !/^\d+$/.test(before)) throw usageError('admin compact needs --before SEQ');
      const r = await admin.adminCompact(root, Number(before));
      if (ctx.json) printJson(r);
      else
        println(
          `compacted ${r.deleted} events (up to seq ${r.throughSeq}) into a snapshot; ${r.kept} events kept; the chain goes on from hash ${r.hash}; database ${mb(r.bytesBefore)} -> ${mb(r.bytesAfter)}`,
        );
      return 0;
    }
    default:
      throw usageError(usage);
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
