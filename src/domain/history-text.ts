import { signalName } from './signals.ts';

/** How an exit status reads: `0`, `137 (SIGKILL)`. */
export function exitStatusText(status: unknown): string {
  if (typeof status !== 'number') return 'unknown';
  const signal = status > 128 && status < 128 + 65 ? signalName(status - 128) : undefined;
  return signal ? `${status} (${signal})` : String(status);
}

/** A command line from an OCI process's args, shortened: `sh -c "sleep 5"`. */
export function commandText(process: unknown): string {
  const args = (process as { args?: unknown } | undefined)?.args;
  if (!Array.isArray(args) || args.length === 0) return '?';
  const text = args
    .map((a) => (typeof a === 'string' && /^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a)))
    .join(' ');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** `k=v,k2=v2`, or `-` for none. */
export function labelsText(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '-';
}

/** What changed between two label sets: `set team=infra, removed env`. */
export function labelChangeText(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string {
  const set = Object.entries(after)
    .filter(([k, v]) => before[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
  const removed = Object.keys(before).filter((k) => !(k in after));
  const parts = [
    ...(set.length ? [`set ${set.join(',')}`] : []),
    ...(removed.length ? [`removed ${removed.join(',')}`] : []),
  ];
  return parts.join(', ');
}
