import { readFileSync } from 'node:fs';
import { usageError } from './args.ts';

/** The flags of `tasks update`, after `podman update` / `docker update`. */
export const resourceFlags = {
  memory: 'string',
  'memory-swap': 'string',
  'memory-reservation': 'string',
  cpus: 'string',
  'cpu-shares': 'string',
  'cpuset-cpus': 'string',
  'pids-limit': 'string',
  resources: 'string',
} as const;

/** Short forms, as Podman's. */
export const resourceShort = { m: 'memory' } as const;

const units: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** `64m`, `1g`, `512k` or plain bytes, as Docker and Podman read sizes (powers of 1024); -1 is no limit. */
export function parseByteSize(text: string, flag: string): number {
  if (text === '-1') return -1;
  const match = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(text);
  const bytes = match ? Math.round(Number(match[1]) * units[match[2]!.toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw usageError(
      `--${flag} must be a size such as 64m, 1g or 512k (or -1 for none), not "${text}"`,
    );
  return bytes;
}

function parseCount(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min)
    throw usageError(`--${flag} must be a whole number of at least ${min}, not "${text}"`);
  return value;
}

/** CPU quota period, as Docker's `--cpus`: 100 ms. */
const cpuPeriodUs = 100_000;

/**
 * The OCI `LinuxResources` the flags ask for. `--resources FILE` (or `-` for stdin) gives the
 * JSON object itself; the other flags then override its fields. The daemon checks the result.
 */
export function resourcesFromFlags(
  flags: Record<string, unknown>,
  readStdin: () => string = () => readFileSync(0, 'utf8'),
): Record<string, unknown> {
  const text = (name: keyof typeof resourceFlags): string | undefined =>
    typeof flags[name] === 'string' ? flags[name] : undefined;
  const file = text('resources');
  let base: Record<string, unknown> = {};
  if (file !== undefined) {
    const json = file === '-' ? readStdin() : readFileSync(file, 'utf8');
    try {
      base = JSON.parse(json) as Record<string, unknown>;
    } catch (error) {
      throw usageError(`--resources ${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const group = (name: string): Record<string, unknown> => {
    const existing = base[name];
    const merged = typeof existing === 'object' && existing !== null ? { ...existing } : {};
    base = { ...base, [name]: merged };
    return merged;
  };
  const memory = text('memory');
  if (memory !== undefined) group('memory').limit = parseByteSize(memory, 'memory');
  const swap = text('memory-swap');
  if (swap !== undefined) group('memory').swap = parseByteSize(swap, 'memory-swap');
  const reservation = text('memory-reservation');
  if (reservation !== undefined)
    group('memory').reservation = parseByteSize(reservation, 'memory-reservation');
  const cpus = text('cpus');
  if (cpus !== undefined) {
    const count = Number(cpus);
    if (!/^\d+(\.\d+)?$/.test(cpus) || !(count > 0))
      throw usageError(`--cpus must be a number of CPUs above 0 such as 1.5, not "${cpus}"`);
    Object.assign(group('cpu'), { quota: Math.round(count * cpuPeriodUs), period: cpuPeriodUs });
  }
  const shares = text('cpu-shares');
  if (shares !== undefined) group('cpu').shares = parseCount(shares, 'cpu-shares', 2);
  const cpuset = text('cpuset-cpus');
  if (cpuset !== undefined) group('cpu').cpus = cpuset;
  const pids = text('pids-limit');
  if (pids !== undefined) group('pids').limit = parseCount(pids, 'pids-limit', -1);
  if (Object.keys(base).length === 0)
    throw usageError(
      'tasks update needs a limit: --memory, --memory-swap, --memory-reservation, --cpus, --cpu-shares, --cpuset-cpus, --pids-limit or --resources FILE',
    );
  return base;
}
