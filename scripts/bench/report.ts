/**
 * Where a bench's results go besides stdout: docs/bench-latest.json (committed, so the figures
 * travel with the code they measured) and the README's "Benchmarks" section, between markers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from './machine.ts';
import { machineText } from './machine.ts';
import { formatTable, type Row } from './stats.ts';

/** Everything one run measured. */
export interface BenchReport {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly settings: Record<string, number | boolean>;
  readonly rows: readonly Row[];
  /** Raw samples and outputs, for whoever wants more than medians. */
  readonly details: Record<string, unknown>;
}

const begin = '<!-- bench:begin (written by npm run bench) -->';
const end = '<!-- bench:end -->';

/** The README block: machine, settings and the table as markdown. */
export function readmeBlock(report: BenchReport): string {
  const s = report.settings;
  return [
    begin,
    `Last run ${report.date.slice(0, 10)} on ${machineText(report.machine)}`,
    `Latency: median of ${String(s.rounds)} interleaved rounds after a warm-up; throughput: ${String(s.throughputTasks)} tasks, ${String(s.inFlight)} in flight, median of ${String(s.throughputRounds)} rounds; memory: ${String(s.memoryTasks)} \`sleep\` tasks per tool, daemon with ${String(s.daemonTasks)}.`,
    '',
    formatTable(report.rows, true),
    end,
  ].join('\n');
}

/** Replaces the text between the markers in `readme`; undefined when the markers are missing. */
export function replaceBlock(readme: string, block: string): string | undefined {
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) return undefined;
  return readme.slice(0, from) + block + readme.slice(to + end.length);
}

/** Writes the JSON and, unless told not to, the README block; returns what it wrote. */
export function writeReport(repo: string, report: BenchReport, updateReadme: boolean): string[] {
  const written: string[] = [];
  const json = path.join(repo, 'docs', 'bench-latest.json');
  mkdirSync(path.dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  written.push(json);
  if (updateReadme) {
    const readmePath = path.join(repo, 'README.md');
    const updated = replaceBlock(readFileSync(readmePath, 'utf8'), readmeBlock(report));
    if (updated !== undefined) {
      writeFileSync(readmePath, updated);
      written.push(readmePath);
    }
  }
  return written;
}
