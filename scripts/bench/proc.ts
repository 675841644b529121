/**
 * Processes for the benchmark: running a command to its end (timed by the caller), and finding
 * processes in /proc by name and command line to read their memory.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { statusFieldMb } from './stats.ts';

/** What {@link runCommand} gives back. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file args` to its end; rejects with its stderr when it exits non-zero, is killed or
 * outlives `timeoutMs`. stdin is /dev/null; stdout is kept only with `keepStdout` (the lifecycle
 * peers' output is discarded, as a user would redirect it).
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: {
    timeoutMs?: number;
    keepStdout?: boolean;
    env?: NodeJS.ProcessEnv;
    /**
     * Discard stderr instead of keeping it for the error message: for `runc create`, whose
     * container inherits it and would hold the pipe (and so this promise) open until it exits.
     */
    discardStderr?: boolean;
  } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [
        'ignore',
        options.keepStdout ? 'pipe' : 'ignore',
        options.discardStderr ? 'ignore' : 'pipe',
      ],
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve({ stdout, stderr });
      else {
        const how = signal ? `killed by ${signal}` : `exited ${code}`;
        const tail = stderr.trim().split('\n').slice(-3).join(' / ');
        reject(new Error(`${file} ${args.join(' ')}: ${how}${tail ? `: ${tail}` : ''}`));
      }
    });
  });
}

/** A process seen in /proc. */
export interface ProcessInfo {
  readonly pid: number;
  /** `comm` (the kernel truncates it to 15 characters: `containerd-shim`). */
  readonly comm: string;
  /** The command line, NUL-separated arguments joined by spaces. */
  readonly cmdline: string;
}

/** Reads a /proc file, or undefined when the process is gone (it may exit at any time). */
function readProc(pid: string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The live (not zombie) processes that `keep` accepts, given the pid, the name and a reader of
 * the command line (read only when asked).
 */
function liveProcesses(
  keep: (pid: number, comm: string, cmdline: () => string) => boolean,
): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const comm = readProc(entry, 'comm')?.trim() ?? '';
    let cmdline: string | undefined;
    const readCmdline = (): string =>
      (cmdline ??= readProc(entry, 'cmdline')?.replaceAll('\0', ' ').trim() ?? '');
    if (!keep(pid, comm, readCmdline)) continue;
    const status = readProc(entry, 'status');
    // A zombie has no memory and no longer monitors anything.
    if (!status || /^State:\s+Z/m.test(status)) continue;
    found.push({ pid, comm, cmdline: readCmdline() });
  }
  return found;
}

/**
 * The live processes named `comm` whose command line contains `marker`: the bench's own
 * per-task helpers (their command lines name its private temp dirs), not those of anything else
 * running on the machine (other tests spawn conmons too).
 */
export const findProcesses = (comm: string, marker: string): ProcessInfo[] =>
  liveProcesses((_pid, name, cmdline) => name === comm && cmdline().includes(marker));

/** Whether a process works in `dir` or below it (its cwd); false when it is gone. */
export function worksIn(pid: number, dir: string): boolean {
  try {
    return `${readlinkSync(`/proc/${pid}/cwd`)}/`.startsWith(`${dir}/`);
  } catch {
    return false;
  }
}

/** The live processes working in `dir` or below it, whatever their name. */
export const processesWorkingIn = (dir: string): ProcessInfo[] =>
  liveProcesses((pid) => worksIn(pid, dir));

/** VmRSS of a process in MB, or undefined when it is gone. */
export function rssMb(pid: number): number | undefined {
  const status = readProc(String(pid), 'status');
  return status === undefined ? undefined : statusFieldMb(status, 'VmRSS');
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `jobs` with at most `limit` in flight; resolves once all have settled, rejects on the first failure. */
export async function pool(
  count: number,
  limit: number,
  job: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < count && failure === undefined) {
      const index = next++;
      try {
        await job(index);
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure !== undefined) throw failure;
}
