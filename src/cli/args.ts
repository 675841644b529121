import { TaskledgerError } from '../domain/errors.ts';

/** How a flag takes values. */
export type FlagKind = 'boolean' | 'string' | 'list';

/** Flag definitions: long name (without `--`) to kind; `short` maps one-letter aliases. */
export interface FlagSpec {
  readonly flags: Readonly<Record<string, FlagKind>>;
  readonly short?: Readonly<Record<string, string>>;
}

/** Parsed arguments: flags by long name, positionals, and whatever came after `--`. */
export interface ParsedArgs {
  readonly flags: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
  readonly rest: string[];
}

/** A usage error: wrong flags or arguments (exit code of InvalidArgument). */
export function usageError(message: string): TaskledgerError {
  return new TaskledgerError('InvalidArgument', message);
}

/**
 * Parses `argv` against `spec`. Flags may come before or between positionals; `--flag=value` and
 * `--flag value` both work; everything after `--` is kept verbatim.
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      const alias = spec.short?.[arg.slice(1, 2)];
      if (!alias) throw usageError(`unknown flag ${arg}`);
      name = alias;
      inline = arg.length > 2 ? arg.slice(2) : undefined;
      // `-it`: one-letter switches grouped, as in ctr and Podman (a value flag keeps `-s9`).
      const grouped = inline !== undefined && spec.flags[name] === 'boolean';
      if (grouped) {
        for (const letter of `${arg.slice(1, 2)}${inline}`) {
          const switchName = spec.short?.[letter];
          if (!switchName || spec.flags[switchName] !== 'boolean')
            throw usageError(`unknown flag -${letter} in ${arg}`);
          flags[switchName] = true;
        }
        continue;
      }
    }
    const kind = spec.flags[name];
    if (!kind) throw usageError(`unknown flag --${name}`);
    if (kind === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline))
        throw usageError(`--${name} takes no value`);
      flags[name] = inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw usageError(`--${name} needs a value`);
    if (kind === 'list') {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(value);
      flags[name] = list;
    } else {
      flags[name] = value;
    }
  }
  return { flags, positionals, rest };
}

/** Parses `k=v` pairs (labels, env) into a map; `k=` keeps an empty value. */
export function parsePairs(
  values: readonly string[] | undefined,
  what: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`${what} "${pair}" must be KEY=VALUE`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
