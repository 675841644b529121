import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** The fields of `/proc/PID/stat` the runtime reads. */
export interface ProcessStat {
  /** One-letter state: R, S, D, T... Z for a zombie, X for dead. */
  readonly state: string;
  /** Start time after boot in clock ticks (field 22): with the pid, it names one process. */
  readonly startTime: string;
}

/**
 * Parses a `/proc/PID/stat` line. The command name (field 2) is in parentheses and may itself
 * hold spaces and parentheses, so the fields are counted from the last `)`. Pure.
 */
export function parseProcessStat(text: string): ProcessStat {
  // After ") ": field 3 (state) first, so field N is at index N - 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

/** Reads a process's stat; undefined when there is no such process. */
export async function readProcessStat(pid: number): Promise<ProcessStat | undefined> {
  try {
    return parseProcessStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** {@link readProcessStat}, synchronously: one small read of procfs, never a disk. */
export function readProcessStatSync(pid: number): ProcessStat | undefined {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether the process has not died: not a zombie, not dead. */
export const isLiveState = (stat: ProcessStat): boolean => stat.state !== 'Z' && stat.state !== 'X';
