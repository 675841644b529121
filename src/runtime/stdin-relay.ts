import { readlink, rm, stat, writeFile } from 'node:fs/promises';
import { failedPrecondition, invalidArgument } from '../domain/errors.ts';
import type { TaskIO } from '../ports/runtime.ts';
import { killQuietly } from './kill-quietly.ts';
import { isMissing, readPidFile } from './monitor-files.ts';
import { resolveExecutable } from './resolve-executable.ts';
import { outcomeError } from './runc-cli.ts';
import { isLiveState, readProcessStat } from './process-stat.ts';
import type { ProcessPaths } from './runtime-layout.ts';
import type { SubprocessRunner } from './subprocess-runner.ts';

/** A checked stdin path and the programs its relay needs, found before anything is started. */
export interface StdinRelaySource {
  /** The client's stdin path (a FIFO or a regular file), or the FIFO to make for an open stdin. */
  readonly path: string;
  /**
   * An open stdin: the relay makes the FIFO and opens it for reading and writing, so it never
   * sees an end of input, whoever comes and goes on the writing side.
   */
  readonly open: boolean;
  /** util-linux `setsid`. */
  readonly setsid: string;
  /** `socat`, which can connect to a SOCK_SEQPACKET socket (Node cannot). */
  readonly socat: string;
}

/**
 * Checks that a process can be given `stdin` (a path the client created: a FIFO or a regular
 * file) and finds the relay's programs. `stat` never opens the path, so a FIFO cannot block.
 * Call it before conmon starts, so a bad path or a missing socat fails with nothing to undo.
 */
async function prepareStdinRelay(stdin: string): Promise<StdinRelaySource> {
  try {
    const info = await stat(stdin);
    if (!info.isFIFO() && !info.isFile())
      throw invalidArgument(`stdin ${stdin} is neither a FIFO nor a regular file`);
  } catch (error) {
    if (isMissing(error)) throw invalidArgument(`stdin ${stdin} does not exist`);
    throw error;
  }
  return { path: stdin, open: false, ...(await relayPrograms()) };
}

/**
 * The relay a process's IO asks for, checked before conmon starts: the client's stdin path, an
 * open stdin (its FIFO is the process's `stdinFifo`), or none.
 */
export async function stdinRelayFor(
  io: TaskIO,
  process: ProcessPaths,
): Promise<StdinRelaySource | undefined> {
  if (io.openStdin === true)
    return { path: process.stdinFifo, open: true, ...(await relayPrograms()) };
  return io.stdin ? prepareStdinRelay(io.stdin) : undefined;
}

const relayPrograms = async (): Promise<{ setsid: string; socat: string }> => {
  const [setsid, socat] = await Promise.all([
    resolveExecutable('setsid'),
    resolveExecutable('socat'),
  ]);
  return { setsid, socat };
};

// Run by the relay once it is in its own session, with cwd = the attach dir: opens the input
// (a FIFO open waits here for a writer, off the daemon) and becomes socat, keeping its pid.
// - `-b 8192`: each packet stays below conmon's 32 KiB read buffer (a longer one would be cut).
// - `STDIN!!OPEN:/dev/null`: conmon also sends the process's output to every attach client, with
//   a blocking write; the relay drains it. Not reading (`-u`) would stall conmon once the socket
//   buffer fills, and leaving early makes conmon 2.1.6 fail a write-back before it has read the
//   EOF, after which it frees the client and may never close the process's stdin.
// - `-t 5`: after EOF on the input, keep draining until conmon closes (the process ended) or 5 s
//   have passed: conmon handles the EOF long before. After conmon closes, wait as long for EOF.
// - An open stdin's FIFO is opened read-write (`<>`): the relay is then a writer too, so the FIFO
//   never reports an end of input, and the open does not wait for a client.
const relayScript = (open: boolean): string =>
  `exec "$0" -b 8192 -t 5 STDIN!!OPEN:/dev/null UNIX-CONNECT:attach,type=5 ${open ? '<>' : '<'}"$1"`;
// Run by the runner: starts the relay in the background and prints its pid. A background job of
// a non-interactive sh is not a process-group leader, so `setsid` calls setsid(2) without forking
// and the pid printed is the relay's for its whole life (sh, then socat). An open stdin's FIFO is
// made first, so it exists once this returns.
const launchScript = (open: boolean): string =>
  `${open ? 'mkfifo -m 600 "$3" || exit 1; ' : ''}"$0" /bin/sh -c "$1" "$2" "$3" </dev/null >/dev/null 2>&1 & echo $!`;

/** What {@link startStdinRelay} needs. */
export interface StdinRelayOptions {
  /** What to relay, from {@link stdinRelayFor}. */
  readonly source: StdinRelaySource;
  /** The monitor files of the process (conmon has reported its pid, so `attach` exists). */
  readonly process: ProcessPaths;
  /** Runs the relay's short-lived starter (from a launcher shell: it needs no fork of ours). */
  readonly runner: SubprocessRunner;
  /** Bound on the launcher (it returns at once). */
  readonly timeoutMs: number;
}

/**
 * Starts copying the source into the process's conmon attach socket, and records the relay's pid in
 * the monitor directory. conmon (started with `--stdin`) writes what arrives there, as is, to the
 * process's stdin pipe, and closes that pipe when the relay disconnects: at EOF of the input the
 * process sees EOF. The relay is detached in its own session, like conmon, so it survives a
 * daemon restart; {@link stopStdinRelay} ends it if it still runs when the process is deleted.
 */
export async function startStdinRelay(options: StdinRelayOptions): Promise<void> {
  const { process, source } = options;
  const outcome = await options.runner.run({
    file: '/bin/sh',
    args: [
      '-c',
      launchScript(source.open),
      source.setsid,
      relayScript(source.open),
      source.socat,
      source.path,
    ],
    cwd: process.attachDir,
    timeoutMs: options.timeoutMs,
  });
  const pid = Number.parseInt(outcome.stdout.trim(), 10);
  if (outcome.failed || !Number.isInteger(pid) || pid <= 0) {
    throw outcome.failed
      ? outcomeError(outcome, 'stdin relay')
      : failedPrecondition(`stdin relay did not start: ${outcome.stderr.trim()}`);
  }
  await writeFile(process.stdinRelayPidFile, `${pid}\n`);
}

/**
 * Kills the process's stdin relay if it still runs (its input never reached EOF, e.g. a FIFO
 * nobody writes), and forgets its pid. A recycled pid is never killed: the relay is recognised
 * by its working directory, the attach dir of this very process.
 */
export async function stopStdinRelay(process: ProcessPaths): Promise<void> {
  const pid = await readPidFile(process.stdinRelayPidFile);
  if (pid !== undefined && (await isRelayAlive(pid, process))) killQuietly(pid);
  await rm(process.stdinRelayPidFile, { force: true });
}

async function isRelayAlive(pid: number, process: ProcessPaths): Promise<boolean> {
  try {
    const [cwd, stat] = await Promise.all([readlink(`/proc/${pid}/cwd`), readProcessStat(pid)]);
    return stat !== undefined && isLiveState(stat) && cwd === process.attachDir;
  } catch {
    return false;
  }
}
