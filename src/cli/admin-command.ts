import { parseArgs, usageError } from './args.ts';
import type { CliContext } from './context.ts';
import { printJson, println } from './output.ts';

/** `taskledger admin rebuild|verify --root DIR`: offline maintenance of a root (daemon stopped). */
export async function adminCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { flags } = parseArgs(rest, { flags: { root: 'string' } });
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
      if (!ctx.json)
        println(`ok: ${report.events} events, hash chain intact, projections equal replay`);
      return 0;
    }
    default:
      throw usageError('usage: taskledger admin rebuild|verify --root DIR');
  }
}
