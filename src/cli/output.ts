/** Prints rows as left-aligned columns, like ctr's tabwriter output. */
export function printTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): void {
  const all = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  for (const row of all) {
    process.stdout.write(
      `${row
        .map((cell, i) =>
          i === row.length - 1 ? String(cell) : String(cell).padEnd(widths[i]! + 4),
        )
        .join('')
        .trimEnd()}\n`,
    );
  }
}

/** Prints a value as indented JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints one line. */
export function println(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Labels as `k=v,k2=v2`, or `-` when there are none. */
export function labelsText(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '-';
}
