import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { formatTimestampNs } from '../domain/timestamp.ts';
import type { Exit } from '../ports/runtime.ts';
import { isLiveState, readProcessStatSync } from './process-stat.ts';
import type { ProcessPaths } from './runtime-layout.ts';

/** Status reported when conmon could not learn the real one (it writes -1), as containerd does. */
export const unknownExitStatus = 255;

/**
 * The exit conmon recorded for a process: the status in `exit`, the time from the file's mtime
 * in nanoseconds (conmon writes the file when it reaps the process). Undefined while the process
 * runs. conmon renames the file into place, so a reader never sees it half written.
 */
export async function readExit(process: ProcessPaths): Promise<Exit | undefined> {
  let text: string;
  let mtimeNs: bigint;
  try {
    text = await readFile(process.exitFile, 'utf8');
    mtimeNs = (await stat(process.exitFile, { bigint: true })).mtimeNs;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return { status: parseStatus(text), timestamp: formatTimestampNs(mtimeNs) };
}

/**
 * {@link readExit}, synchronously: for the exit watcher's inotify callback, where each async hop
 * would cost a loop iteration, and an iteration can be stuck behind a subprocess spawn for tens
 * of milliseconds. These are a few bytes in a local directory, never a FIFO.
 */
export function readExitSync(process: ProcessPaths): Exit | undefined {
  let text: string;
  let mtimeNs: bigint;
  try {
    text = readFileSync(process.exitFile, 'utf8');
    mtimeNs = statSync(process.exitFile, { bigint: true }).mtimeNs;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return { status: parseStatus(text), timestamp: formatTimestampNs(mtimeNs) };
}

/** {@link readPidFile}, synchronously (see {@link readExitSync} for why). */
export function readPidFileSync(file: string): number | undefined {
  try {
    return parsePid(readFileSync(file, 'utf8'));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function parseStatus(text: string): number {
  const status = Number.parseInt(text.trim(), 10);
  return Number.isInteger(status) && status >= 0 ? status : unknownExitStatus;
}

function parsePid(text: string): number | undefined {
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Reads a pid file (runc's or conmon's); undefined when it is absent or empty. */
export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    return parsePid(await readFile(file, 'utf8'));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Whether `file` exists. */
export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/**
 * Whether the conmon monitoring `process` is alive: its pid runs (not a zombie) and its working
 * directory is this monitor directory (every conmon is started there), so a recycled pid is
 * never mistaken for it. The directory is compared by identity, not by name: a standby monitor's
 * directory was renamed into its task's bundle after conmon started (standby-monitors.ts).
 * Synchronous: a pid file and a few procfs reads, where thread-pool round trips cost more than
 * the reads, and task deletion polls this until conmon is gone.
 */
export function isMonitorAlive(process: ProcessPaths): boolean {
  const pid = readPidFileSync(process.conmonPidFile);
  if (pid === undefined) return false;
  try {
    const stat = readProcessStatSync(pid);
    if (stat === undefined || !isLiveState(stat)) return false;
    const cwd = statSync(`/proc/${pid}/cwd`);
    const dir = statSync(process.dir);
    return cwd.ino === dir.ino && cwd.dev === dir.dev;
  } catch {
    return false;
  }
}

/** Whether an fs error means "no such file". */
export const isMissing = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
