/**
 * The pure parts of the benchmark: medians, ratios, target verdicts and the one table the bench
 * prints. No I/O here, so test/bench/stats.test.ts can check them without running anything.
 */

/** The median of `values` (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `value / baseline`, or undefined when either is missing or the baseline is zero. */
export function ratio(value: number | undefined, baseline: number | undefined): number | undefined {
  if (value === undefined || baseline === undefined || baseline === 0) return undefined;
  return value / baseline;
}

/** A ratio as `1.23x`; `-` when there is none. */
export function formatRatio(r: number | undefined): string {
  return r === undefined ? '-' : `${r.toFixed(2)}x`;
}

/** Units the table prints values in. */
export type Unit = 'ms' | 's' | 'tasks/s' | 'MB' | 'ev/s' | 'text';

/** A number in its unit, with as many decimals as its size deserves. */
export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
    case 's':
      return `${value.toFixed(1)} s`;
    case 'tasks/s':
      return `${value.toFixed(1)} tasks/s`;
    case 'MB':
      return `${value.toFixed(2)} MB`;
    case 'ev/s':
      return `${Math.round(value).toLocaleString('en-US')} ev/s`;
    case 'text':
      return String(value);
  }
}

/** Whether a measured value met its target; `undefined` when it could not be measured. */
export type Verdict = 'met' | 'MISSED' | 'n/a';

/** The verdict of `met`, where an unmeasured value is neither met nor missed. */
export function verdict(met: boolean | undefined): Verdict {
  return met === undefined ? 'n/a' : met ? 'met' : 'MISSED';
}

/** One row of the table: a measurement, its ratio to the section's baseline, a target. */
export interface Row {
  /** Section heading the row belongs to ("lifecycle latency", "memory", ...). */
  readonly section: string;
  /** What was measured ("taskledger API", "runc run", ...). */
  readonly name: string;
  /** The median (or single) value; undefined when the peer failed. */
  readonly value: number | undefined;
  /** Its unit. */
  readonly unit: Unit;
  /** Shown instead of the formatted value (for texts such as `p50 0.1 ms, p99 0.4 ms`). */
  readonly display?: string;
  /** Ratio to the section's baseline, when the section has one. */
  readonly ratio?: number | undefined;
  /** The target in words ("<= 1.30x runc run"), when the row has one. */
  readonly target?: string;
  /** Whether the target was met. */
  readonly verdict?: Verdict;
  /** A short note (sample count, why a value is missing). */
  readonly note?: string;
}

/** The table's columns, in order. */
const columns = ['measure', 'median', 'ratio', 'target', 'verdict', 'note'] as const;

function cells(row: Row): string[] {
  return [
    row.name,
    row.display ?? formatValue(row.value, row.unit),
    row.ratio === undefined ? '' : formatRatio(row.ratio),
    row.target ?? '',
    row.verdict ?? '',
    row.note ?? '',
  ];
}

/**
 * Renders rows as one table: a heading line per section, then aligned columns. With `markdown`,
 * a GitHub table whose section rows are bold, for the README.
 */
export function formatTable(rows: readonly Row[], markdown = false): string {
  const body = rows.map(cells);
  if (markdown) {
    const escape = (text: string): string => text.replaceAll('|', '\\|');
    const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => ' --- ').join('|')}|`];
    let section: string | undefined;
    rows.forEach((row, i) => {
      if (row.section !== section) {
        section = row.section;
        lines.push(`| **${escape(section)}** |${' |'.repeat(columns.length - 1)}`);
      }
      lines.push(`| ${body[i]!.map(escape).join(' | ')} |`);
    });
    return lines.join('\n');
  }
  const widths = columns.map((heading, c) =>
    Math.max(heading.length, ...body.map((r) => r[c]!.length + (c === 0 ? 2 : 0))),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((v, c) => (c === 1 || c === 2 ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const lines = [line(columns), line(widths.map((w) => '-'.repeat(w)))];
  let section: string | undefined;
  rows.forEach((row, i) => {
    if (row.section !== section) {
      section = row.section;
      lines.push(row.section);
    }
    lines.push(line([`  ${body[i]![0]}`, ...body[i]!.slice(1)]));
  });
  return lines.join('\n');
}

/** Round-robin order for round `round`: the peers rotated, so none always runs first. */
export function rotation<T>(peers: readonly T[], round: number): T[] {
  if (peers.length === 0) return [];
  const shift = round % peers.length;
  return [...peers.slice(shift), ...peers.slice(0, shift)];
}

/** A kB figure of /proc/<pid>/status (`VmRSS:   1234 kB`) in MB; undefined when absent. */
export function statusFieldMb(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : undefined;
}
