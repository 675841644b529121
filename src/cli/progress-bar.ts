import type { ImportProgressJson } from '../api/image-types.ts';

/** A progress bar on a terminal: drawn only once work has taken a while, cleared when done. */
export interface ProgressBar {
  /** Shows the latest progress (redrawn at most every few frames). */
  update(progress: ImportProgressJson): void;
  /** Clears the bar. */
  done(): void;
}

/** Human-readable bytes: `12.3 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** One line: `[#######.............]  35%  12.3 MB / 35.0 MB  applying layer 2/3`. Pure. */
export function renderProgress(p: ImportProgressJson, width = 30): string {
  if (p.total <= 0) return `${formatBytes(p.done)}  ${p.phase}`;
  const fraction = Math.min(1, p.done / p.total);
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}  ${formatBytes(p.done)} / ${formatBytes(p.total)}  ${p.phase}`;
}

/**
 * A bar on `stream` when it is a terminal (a log file gets no carriage-return noise); nothing
 * is drawn during the first `delayMs`, so quick imports stay quiet.
 */
export function createProgressBar(
  stream: NodeJS.WriteStream,
  options: { delayMs?: number } = {},
): ProgressBar {
  const started = Date.now();
  const delayMs = options.delayMs ?? 500;
  let drawn = false;
  let lastDraw = 0;
  return {
    update(progress) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - started < delayMs || now - lastDraw < 100) return;
      lastDraw = now;
      const width = Math.max(10, Math.min(30, (stream.columns || 80) - 60));
      const line = renderProgress(progress, width).slice(0, (stream.columns || 80) - 1);
      stream.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
