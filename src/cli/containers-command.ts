import { resolve } from 'node:path';
import { defaultSpec } from '../domain/default-spec.ts';
import { parseArgs, parsePairs, usageError } from './args.ts';
import type { CliContext } from './context.ts';
import { labelsText, printJson, printTable, println } from './output.ts';

const usage = `usage: taskledger containers create --rootfs DIR|--image NAME [--label k=v]... [--env K=V]... [--cwd DIR] ID -- CMD [ARG...]
       taskledger containers ls [--filter EXPR]... [--json]
       taskledger containers info ID
       taskledger containers label ID k=v [k=]...
       taskledger containers commit [--label k=v]... ID NAME
       taskledger containers rm ID...`;

/** Reads the flags shared by `containers create` and `run` into a create request. */
export function containerRequest(
  id: string | undefined,
  flags: Record<string, unknown>,
  args: readonly string[],
): {
  id: string;
  rootfs?: string;
  image?: string;
  labels: Record<string, string>;
  spec: Record<string, unknown>;
} {
  if (!id) throw usageError('a container ID is required');
  // An image gets the container its own overlay snapshot; a rootfs directory is used as it is.
  if ((typeof flags.rootfs === 'string') === (typeof flags.image === 'string'))
    throw usageError('give --rootfs DIR or --image NAME (one of them)');
  if (args.length === 0) throw usageError('a command is required after --');
  const env = parsePairs(flags.env as string[] | undefined, '--env');
  return {
    id,
    ...(typeof flags.rootfs === 'string'
      ? { rootfs: resolve(flags.rootfs) }
      : { image: flags.image as string }),
    labels: parsePairs(flags.label as string[] | undefined, '--label'),
    spec: defaultSpec({
      args: [...args],
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      cwd: typeof flags.cwd === 'string' ? flags.cwd : undefined,
      hostname: id,
    }),
  };
}

/** Flags of container creation. */
export const createFlags = {
  rootfs: 'string',
  image: 'string',
  label: 'list',
  env: 'list',
  cwd: 'string',
} as const;

/** `taskledger containers ...` */
export async function containersCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const { flags, positionals, rest: args } = parseArgs(rest, { flags: createFlags });
      const request = containerRequest(positionals[0], flags, args);
      if (positionals.length > 1)
        throw usageError(`unexpected argument "${positionals[1]}": put the command after --`);
      const created = await ctx.client('containers create').containers.create(request);
      if (ctx.json) printJson(created);
      else println(created.id);
      return 0;
    }
    case 'ls':
    case 'list': {
      const { flags } = parseArgs(rest, {
        flags: { filter: 'list', json: 'boolean', quiet: 'boolean' },
        short: { q: 'quiet' },
      });
      const containers = await ctx
        .client('containers ls')
        .containers.list((flags.filter as string[] | undefined) ?? []);
      if (ctx.json || flags.json) printJson(containers);
      else if (flags.quiet) for (const c of containers) println(c.id);
      else
        printTable(
          ['CONTAINER', 'IMAGE', 'RUNTIME', 'LABELS'],
          containers.map((c) => [c.id, c.image || '-', c.runtime.name, labelsText(c.labels)]),
        );
      return 0;
    }
    case 'info': {
      const { positionals } = parseArgs(rest, { flags: {} });
      if (!positionals[0]) throw usageError('containers info needs an ID');
      printJson(await ctx.client('containers info').containers.get(positionals[0]));
      return 0;
    }
    case 'label': {
      const { positionals } = parseArgs(rest, { flags: {} });
      const [id, ...pairs] = positionals;
      if (!id || pairs.length === 0)
        throw usageError('usage: taskledger containers label ID k=v [k=]...');
      const labels = parsePairs(pairs, 'label');
      const updated = await ctx.client('containers label').containers.update(id, {
        labels,
        update_mask: Object.keys(labels).map((k) => `labels.${k}`),
      });
      if (ctx.json) printJson(updated);
      else println(labelsText(updated.labels));
      return 0;
    }
    case 'commit': {
      const { flags, positionals } = parseArgs(rest, { flags: { label: 'list' } });
      const [id, name] = positionals;
      if (!id || !name || positionals.length > 2)
        throw usageError('usage: taskledger containers commit [--label k=v]... ID NAME');
      const labels = parsePairs(flags.label as string[] | undefined, '--label');
      const image = await ctx.client('containers commit').images.commit(id, name, { labels });
      if (ctx.json) printJson(image);
      else println(image.name);
      return 0;
    }
    case 'rm':
    case 'delete':
    case 'del': {
      const { positionals } = parseArgs(rest, { flags: {} });
      if (positionals.length === 0) throw usageError('containers rm needs an ID');
      const client = ctx.client('containers rm');
      for (const id of positionals) await client.containers.delete(id);
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}
