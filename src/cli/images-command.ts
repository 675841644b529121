import { resolve } from 'node:path';
import { parseArgs, parsePairs, usageError } from './args.ts';
import type { CliContext } from './context.ts';
import { printJson, printTable, println } from './output.ts';
import { createProgressBar, formatBytes } from './progress-bar.ts';

const usage = `usage: taskledger images import [--label k=v]... FILE|DIR NAME
       taskledger images ls [--json] [-q]
       taskledger images rm NAME...
       taskledger images snapshots [--json]

FILE is a directory, a tar archive (plain or gzip) or an OCI image layout archive
(docker save, skopeo copy oci-archive:...); the daemon reads it, so it must be on its host.`;

/** `taskledger images ...` */
export async function imagesCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'import': {
      const { flags, positionals } = parseArgs(rest, { flags: { label: 'list' } });
      const [file, name, extra] = positionals;
      if (!file || !name || extra !== undefined)
        throw usageError('usage: taskledger images import [--label k=v]... FILE NAME');
      const labels = parsePairs(flags.label as string[] | undefined, '--label');
      const bar = createProgressBar(process.stderr);
      const abort = new AbortController();
      // Ctrl-C ends the request; the daemon then abandons the import and removes what it unpacked.
      const interrupted = (): void => abort.abort();
      process.once('SIGINT', interrupted);
      try {
        const image = await ctx.client('images import').images.import(resolve(file), name, {
          labels,
          onProgress: (p) => bar.update(p),
          signal: abort.signal,
        });
        bar.done();
        if (ctx.json) printJson(image);
        else println(`${image.name}  ${formatBytes(image.size)}`);
        return 0;
      } catch (error) {
        bar.done();
        if (abort.signal.aborted) {
          process.stderr.write('taskledger: import interrupted; nothing was kept\n');
          return 130;
        }
        throw error;
      } finally {
        process.off('SIGINT', interrupted);
      }
    }
    case 'ls':
    case 'list': {
      const { flags } = parseArgs(rest, {
        flags: { json: 'boolean', quiet: 'boolean' },
        short: { q: 'quiet' },
      });
      const images = await ctx.client('images ls').images.list();
      if (ctx.json || flags.json) printJson(images);
      else if (flags.quiet) for (const i of images) println(i.name);
      else
        printTable(
          ['NAME', 'SNAPSHOT', 'SIZE', 'CREATED', 'LABELS'],
          images.map((i) => [
            i.name,
            i.snapshot_key,
            formatBytes(i.size),
            i.created_at.slice(0, 19).replace('T', ' '),
            Object.entries(i.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(',') || '-',
          ]),
        );
      return 0;
    }
    case 'rm':
    case 'remove':
    case 'delete': {
      const { positionals } = parseArgs(rest, { flags: {} });
      if (positionals.length === 0) throw usageError('images rm needs a NAME');
      const client = ctx.client('images rm');
      for (const name of positionals) await client.images.delete(name);
      return 0;
    }
    case 'snapshots': {
      const { flags } = parseArgs(rest, { flags: { json: 'boolean' } });
      const snapshots = await ctx.client('images snapshots').images.snapshots();
      if (ctx.json || flags.json) printJson(snapshots);
      else
        printTable(
          ['KEY', 'KIND', 'PARENT', 'ID'],
          snapshots.map((s) => [s.key, s.kind, s.parent || '-', s.id]),
        );
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}
