/**
 * The event store figures come from the existing scripts, run as they are (they own their
 * methods): scripts/bench-events.ts (append single and batched, catch-up, fan-out) and
 * scripts/bench-startup.ts on a log of 1,000,000 events (daemon start-up and `admin rebuild`).
 * Their printed rows are parsed leniently, so a change in their wording still shows up.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchEnv } from './bench-env.ts';
import { runCommand } from './proc.ts';
import type { Row } from './stats.ts';

/** Rows for the table plus the scripts' raw output, kept in the JSON. */
export interface EventStoreResult {
  readonly rows: Row[];
  readonly raw: Record<string, string>;
}

const section = 'event store (SQLite WAL, synchronous=FULL)';

/**
 * Rows of bench-events.ts: `LABEL  VALUE  TARGET  VERDICT`, columns separated by 2+ spaces.
 * A `N ev/s` value becomes a number; anything else (fan-out percentiles) is shown as printed.
 */
export function parseEventRows(output: string): Row[] {
  const rows: Row[] = [];
  for (const line of output.split('\n')) {
    const parts = line
      .trim()
      .split(/\s{2,}/)
      .filter((p) => p !== '');
    if (parts.length < 2 || line.startsWith('taskledger event benchmarks')) continue;
    const [name, value, target, verdict] = parts as [string, string, ...string[]];
    const rate = /^([\d,]+) ev\/s$/.exec(value);
    const targetText = target?.startsWith('target') ? target.replace(/^target\s+/, '') : undefined;
    rows.push({
      section,
      name,
      value: rate ? Number(rate[1]!.replaceAll(',', '')) : undefined,
      unit: 'ev/s',
      ...(rate ? {} : { display: value }),
      ...(targetText ? { target: targetText } : {}),
      ...(verdict === 'met' || verdict === 'MISSED' ? { verdict } : {}),
    });
  }
  return rows;
}

/**
 * The size line of bench-startup.ts: `EVENTS  DB MB  BUILD s  READY ms (target ...)  REBUILD s`.
 */
export function parseStartupRows(output: string): Row[] {
  const rows: Row[] = [];
  for (const line of output.split('\n')) {
    const m = /^(\d+)\s+(\d+) MB\s+([\d.]+) s\s+(\d+) ms \(([^)]*)\)\s+([\d.]+) s/.exec(
      line.trim(),
    );
    if (!m) continue;
    const events = Number(m[1]).toLocaleString('en-US');
    const met = /met/.test(m[5]!) && !/MISSED/i.test(m[5]!);
    rows.push(
      {
        section,
        name: `admin rebuild of ${events} events (${m[2]} MB log)`,
        value: Number(m[6]),
        unit: 's',
        note: `${Math.round(Number(m[1]) / Number(m[6])).toLocaleString('en-US')} ev/s`,
      },
      {
        section,
        name: `daemon start-up on ${events} events, spawn to first answer`,
        value: Number(m[4]),
        unit: 'ms',
        target: '<= 1000 ms',
        verdict: met ? 'met' : 'MISSED',
      },
    );
  }
  return rows;
}

/** Runs both scripts; a script that fails leaves a row saying so instead of its figures. */
export async function measureEventStore(
  env: BenchEnv,
  log: (line: string) => void,
): Promise<EventStoreResult> {
  const tsx = path.join(env.repo, 'node_modules', '.bin', 'tsx');
  const rows: Row[] = [];
  const raw: Record<string, string> = {};
  const scripts = [
    {
      file: 'bench-events.ts',
      args: [],
      envExtra: { BENCH_ROUNDS: process.env.BENCH_EVENT_ROUNDS ?? '3' },
      parse: parseEventRows,
    },
    {
      file: 'bench-startup.ts',
      args: ['--sizes', process.env.BENCH_REBUILD_EVENTS ?? '1000000', '--runs', '3'],
      envExtra: {},
      parse: parseStartupRows,
    },
  ];
  for (const script of scripts) {
    const file = path.join(env.repo, 'scripts', script.file);
    if (!existsSync(file)) {
      rows.push({ section, name: script.file, value: undefined, unit: 'text', note: 'missing' });
      continue;
    }
    log(`  ${script.file} ...`);
    try {
      const { stdout } = await runCommand(tsx, [file, ...script.args], {
        keepStdout: true,
        timeoutMs: 30 * 60_000,
        env: { ...process.env, ...script.envExtra },
      });
      raw[script.file] = stdout;
      const parsed = script.parse(stdout);
      rows.push(
        ...(parsed.length > 0
          ? parsed
          : [
              {
                section,
                name: script.file,
                value: undefined,
                unit: 'text' as const,
                note: 'no rows parsed',
              },
            ]),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      raw[script.file] = message;
      log(`  ${script.file}: FAILED: ${message}`);
      rows.push({ section, name: script.file, value: undefined, unit: 'text', note: 'failed' });
    }
  }
  return { rows, raw };
}
