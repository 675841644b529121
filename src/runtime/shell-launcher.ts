import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { unavailable } from '../domain/errors.ts';
import { killQuietly } from './kill-quietly.ts';

/** One command for a launcher shell. */
export interface LaunchRequest {
  /** Executable path (absolute). */
  readonly file: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Working directory. */
  readonly cwd: string;
  /** Extra environment (added to the daemon's). */
  readonly env: Readonly<Record<string, string>>;
  /** File that receives fd 3 (created or truncated), or none: fd 3 is then closed. */
  readonly fd3File?: string;
  /** File that receives stderr (created or truncated); stdin is /dev/null. */
  readonly stderrFile: string;
  /** File that receives stdout (created or truncated); without it, /dev/null. */
  readonly stdoutFile?: string;
  /** Kill the command after this long. */
  readonly timeoutMs: number;
}

/** How a launched command ended. */
export interface LaunchOutcome {
  /** Its exit status (128 + N when signal N ended it); undefined after a timeout. */
  readonly exitCode?: number | undefined;
  /** Whether it was killed for exceeding its timeout. */
  readonly timedOut: boolean;
  /** Whether {@link ShellLauncher.cancelAll} killed it. */
  readonly canceled: boolean;
  /** What it wrote to stderr. */
  readonly stderr: string;
  /** What it wrote to stdout ('' without a `stdoutFile`). */
  readonly stdout: string;
}

/** Runs commands from small long-lived shells, so that the daemon does not fork for them. */
export interface ShellLauncher {
  /**
   * Runs one command to its exit, or undefined when the request cannot travel as one shell line
   * (a newline or NUL in it, a variable name a shell cannot take): the caller spawns it itself.
   */
  run(request: LaunchRequest): Promise<LaunchOutcome> | undefined;
  /** Kills every command running or waiting for a shell (the runtime is closing). */
  cancelAll(): void;
  /** Ends the shells (they exit on EOF) and waits for them; later runs reject with Unavailable. */
  close(): Promise<void>;
}

// Reads an id and a command line, runs the command in a subshell that first says its pid (read
// from /proc/self/stat, then kept through exec) and reports its status. In the foreground, on
// purpose: a non-interactive shell starts background commands with SIGINT and SIGQUIT ignored,
// and the command (conmon, then runc, then the container) would inherit that.
const shellScript = [
  'while IFS= read -r id && IFS= read -r cmd; do',
  '  (read -r pid _ </proc/self/stat; echo "$id pid $pid"; eval "$cmd")',
  '  echo "$id exit $?"',
  'done',
].join('\n');

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
const lineSafe = (text: string): boolean => !/[\n\0]/.test(text);

/** The shell line for a request; undefined when one line cannot carry it exactly. */
export function launchLine(request: LaunchRequest): string | undefined {
  const texts = [request.file, ...request.args, request.cwd, request.stderrFile];
  if (request.fd3File !== undefined) texts.push(request.fd3File);
  if (request.stdoutFile !== undefined) texts.push(request.stdoutFile);
  const env = Object.entries(request.env);
  if (
    !texts.every(lineSafe) ||
    !env.every(([name, value]) => /^[A-Za-z_]\w*$/.test(name) && lineSafe(value))
  )
    return undefined;
  const exports = env.map(([name, value]) => `export ${name}=${quote(value)} && `).join('');
  const fd3 = request.fd3File === undefined ? '3>&-' : `3>${quote(request.fd3File)}`;
  const stdout = request.stdoutFile === undefined ? '/dev/null' : quote(request.stdoutFile);
  const command = [request.file, ...request.args].map(quote).join(' ');
  return `cd ${quote(request.cwd)} && ${exports}exec ${command} </dev/null >${stdout} 2>${quote(request.stderrFile)} ${fd3}`;
}

interface Pending {
  readonly resolve: (outcome: LaunchOutcome) => void;
  readonly reject: (error: Error) => void;
  readonly request: LaunchRequest;
  readonly timer: NodeJS.Timeout;
  pid?: number;
  timedOut: boolean;
  canceled: boolean;
}

const canceledOutcome: LaunchOutcome = Object.freeze({
  exitCode: undefined,
  timedOut: false,
  canceled: true,
  stderr: '',
  stdout: '',
});

/** One shell: runs one command at a time. */
class LauncherShell {
  readonly #child: ChildProcess;
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #exited = false;
  /** Resolves once the shell has exited. */
  readonly exited: Promise<void>;

  constructor(shellPath: string) {
    // One fork of the daemon, blocking its loop for about 10 ms: once per shell, at its first use.
    this.#child = spawn(shellPath, ['-c', shellScript], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.#child.stdin!.on('error', () => undefined); // EPIPE once it is gone: handled at exit
    createInterface({ input: this.#child.stdout! }).on('line', (line) => this.#onLine(line));
    this.exited = new Promise((resolve) => {
      const end = (why: string): void => {
        if (this.#exited) return;
        this.#exited = true;
        for (const entry of this.#pending.values()) {
          clearTimeout(entry.timer);
          entry.reject(unavailable(why));
        }
        this.#pending.clear();
        resolve();
      };
      this.#child.on('error', (error) => end(`cannot start the launcher shell: ${error.message}`));
      this.#child.on('close', () => end('the launcher shell exited while a command ran'));
    });
    // Idle shells must not keep the daemon alive; a pending command's timer does meanwhile.
    this.#child.unref();
    for (const stream of [this.#child.stdin, this.#child.stdout])
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  /** Whether it can take another command. */
  get usable(): boolean {
    return !this.#exited && this.#child.exitCode === null;
  }

  run(line: string, request: LaunchRequest): Promise<LaunchOutcome> {
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        resolve,
        reject,
        request,
        timedOut: false,
        canceled: false,
        timer: setTimeout(() => {
          entry.timedOut = true;
          if (entry.pid !== undefined) killQuietly(entry.pid);
        }, request.timeoutMs),
      };
      this.#pending.set(id, entry);
      this.#child.stdin!.write(`${id}\n${line}\n`);
    });
  }

  /** Kills the command it runs, if any. */
  cancel(): void {
    for (const entry of this.#pending.values()) {
      entry.canceled = true;
      if (entry.pid !== undefined) killQuietly(entry.pid);
    }
  }

  close(): Promise<void> {
    // Held again while it exits: a process whose loop has nothing else left would otherwise end
    // here, in the middle of the runtime's close, and skip what its caller closes next.
    this.#child.ref();
    (this.#child.stdout as unknown as { ref?: () => void } | null)?.ref?.();
    this.#child.stdin!.end();
    return this.exited;
  }

  #onLine(line: string): void {
    const [id = '', kind, value] = line.split(' ');
    const entry = this.#pending.get(id);
    if (!entry) return;
    if (kind === 'pid') {
      entry.pid = Number(value);
      if (entry.timedOut || entry.canceled) killQuietly(entry.pid);
      return;
    }
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    const { stderrFile, stdoutFile } = entry.request;
    const read = (file: string | undefined): Promise<string> =>
      file === undefined ? Promise.resolve('') : readFile(file, 'utf8').catch(() => '');
    void Promise.all([read(stderrFile), read(stdoutFile)]).then(([stderr, stdout]) =>
      entry.resolve({
        exitCode: entry.timedOut || entry.canceled ? undefined : Number(value),
        timedOut: entry.timedOut,
        canceled: entry.canceled,
        stderr,
        stdout,
      }),
    );
  }
}

/**
 * Creates a launcher with `shells` POSIX shells (`shellPath`), each forked once (when first
 * needed) and reused.
 * Why: every fork of the daemon copies its page tables, and on these PVM guests that costs the
 * whole machine about 10 ms per fork, wherever the fork is placed (see subprocess-runner.ts); a
 * shell of about 1 MB forks in well under 1 ms. Each shell runs one command at a time, in
 * order; commands for busy shells wait. Meant for short-lived commands: conmon, whose first
 * process exits as soon as it has daemonized, and runc, mount and umount (launching-runner.ts).
 */
export function createShellLauncher(shells: number, shellPath = '/bin/sh'): ShellLauncher {
  const pool: (LauncherShell | undefined)[] = Array.from({ length: shells }, () => undefined);
  const busy = new Set<number>();
  const waiting: (() => void)[] = [];
  let closed = false;

  const acquire = async (): Promise<number> => {
    for (;;) {
      if (closed) throw unavailable('the runtime is closed');
      const free = pool.findIndex((_, index) => !busy.has(index));
      if (free >= 0) {
        busy.add(free);
        return free;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  // Bumped by cancelAll: a command that was waiting for a shell then does not run at all.
  let cancelRound = 0;
  const release = (index: number): void => {
    busy.delete(index);
    waiting.shift()?.();
  };

  return {
    run(request) {
      const line = launchLine(request);
      if (line === undefined) return undefined;
      const round = cancelRound;
      return (async () => {
        const index = await acquire();
        try {
          if (round !== cancelRound) return canceledOutcome;
          let shell = pool[index];
          if (!shell?.usable) pool[index] = shell = new LauncherShell(shellPath);
          return await shell.run(line, request);
        } finally {
          release(index);
        }
      })();
    },
    cancelAll() {
      cancelRound += 1;
      for (const shell of pool) shell?.cancel();
    },
    async close() {
      closed = true;
      for (const wake of waiting.splice(0)) wake();
      await Promise.all(pool.flatMap((shell) => (shell ? [shell.close()] : [])));
    },
  };
}
