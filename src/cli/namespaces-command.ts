import { parseArgs, parsePairs, usageError } from './args.ts';
import type { CliContext } from './context.ts';
import { labelsText, printJson, printTable, println } from './output.ts';

const usage = `usage: taskledger namespaces ls [-q] [--json]
       taskledger namespaces create NAME [k=v]...
       taskledger namespaces label NAME [k=v|k=]...
       taskledger namespaces rm NAME...`;

/** `taskledger namespaces ...` (alias `ns`), as `ctr namespaces` has them. */
export async function namespacesCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const client = ctx.client(`namespaces ${sub ?? ''}`.trim()).namespaces;
  switch (sub) {
    case 'ls':
    case 'list': {
      const { flags } = parseArgs(rest, {
        flags: { json: 'boolean', quiet: 'boolean' },
        short: { q: 'quiet' },
      });
      const namespaces = await client.list();
      if (ctx.json || flags.json) printJson(namespaces);
      else if (flags.quiet) for (const n of namespaces) println(n.name);
      else
        printTable(
          ['NAME', 'LABELS'],
          namespaces.map((n) => [n.name, labelsText(n.labels)]),
        );
      return 0;
    }
    case 'create': {
      const [name, ...pairs] = parseArgs(rest, { flags: {} }).positionals;
      if (!name) throw usageError('namespaces create needs a NAME');
      const created = await client.create(name, parsePairs(pairs, 'label'));
      if (ctx.json) printJson(created);
      else println(created.name);
      return 0;
    }
    case 'label': {
      // Without pairs, as in ctr: print the labels.
      const [name, ...pairs] = parseArgs(rest, { flags: {} }).positionals;
      if (!name) throw usageError('namespaces label needs a NAME');
      const labels = parsePairs(pairs, 'label');
      const updated =
        pairs.length === 0
          ? await client.get(name)
          : await client.update(name, {
              labels,
              update_mask: Object.keys(labels).map((k) => `labels.${k}`),
            });
      if (ctx.json) printJson(updated);
      else println(labelsText(updated.labels));
      return 0;
    }
    case 'rm':
    case 'remove':
    case 'delete': {
      const names = parseArgs(rest, { flags: {} }).positionals;
      if (names.length === 0) throw usageError('namespaces rm needs a NAME');
      for (const name of names) {
        await client.delete(name);
        println(name);
      }
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}
