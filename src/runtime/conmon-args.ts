import type { ProcessPaths } from './runtime-layout.ts';

/** What conmon needs to monitor one process (the init process or an exec). */
export interface ConmonArgsOptions {
  /** Path of the runc binary conmon runs. */
  readonly runcBinary: string;
  /** runc's `--root` for the task's namespace. */
  readonly runcRoot: string;
  /** The runc container id. */
  readonly containerId: string;
  /** For create, the OCI bundle; for an exec, its monitor directory (conmon puts its FIFOs there). */
  readonly bundle: string;
  /** The monitor files of the process. */
  readonly process: ProcessPaths;
  /** conmon's `--socket-dir-path`; it must exist. */
  readonly socketDir: string;
  /**
   * Whether the process reads stdin from conmon's attach socket (`--stdin`): conmon gives it a
   * pipe and writes there what attach clients send, closing it when a client disconnects. Without
   * it the process's stdin is /dev/null.
   */
  readonly stdin?: boolean;
  /**
   * Whether the process gets a pseudo-terminal (`--terminal`): conmon hands runc a console socket,
   * receives the pty master, copies its output to the log as stdout and what attach clients send
   * to it; its `ctl` FIFO resizes it.
   */
  readonly terminal?: boolean;
}

/**
 * Flags shared by create and exec, after Podman's `sharedConmonArgs` (libpod/oci_conmon_common.go).
 * - `--api-version 1`: the sync pipe carries `{"data": pid}` or `{"data": -1, "message": ...}`,
 *   and execs report their pid (then their exit status) on it.
 * - `--persist-dir`: conmon writes `exit` there (status, mtime = exit time) and, on cgroup v1,
 *   `oom`. These fixed names are used instead of `--exit-dir`, whose file is named after the
 *   container id: the same for every exec of a task, and free to clash with our own file names.
 * - `-u`: a short hash naming the attach-socket link in `--socket-dir-path`, so the socket path
 *   stays under the 108-byte limit however long the bundle path is.
 * - no `--sync`: conmon double-forks and outlives taskledger; stdio go to /dev/null.
 * - `--stdin` and `--terminal` only when asked (see {@link ConmonArgsOptions}).
 */
function sharedArgs(options: ConmonArgsOptions): string[] {
  const { process } = options;
  return [
    '--api-version',
    '1',
    '-c',
    options.containerId,
    '-u',
    process.monitorId,
    '-r',
    options.runcBinary,
    '-b',
    options.bundle,
    '-p',
    process.pidFile,
    '-P',
    process.conmonPidFile,
    '--persist-dir',
    process.dir,
    '-l',
    `k8s-file:${process.logFile}`,
    '--socket-dir-path',
    options.socketDir,
    '--runtime-arg',
    '--root',
    '--runtime-arg',
    options.runcRoot,
    ...(options.stdin === true ? ['--stdin'] : []),
    ...(options.terminal === true ? ['--terminal'] : []),
  ];
}

/** conmon argv that runs `runc create` for a bundle and then monitors the init process. */
export const conmonCreateArgs = (options: ConmonArgsOptions): string[] => sharedArgs(options);

/** conmon argv that runs `runc exec --detach --process FILE` and then monitors that process. */
export const conmonExecArgs = (options: ConmonArgsOptions): string[] => [
  ...sharedArgs(options),
  '--exec',
  '--exec-process-spec',
  options.process.processFile,
];
