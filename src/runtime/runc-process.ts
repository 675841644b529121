import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { failedPrecondition } from '../domain/errors.ts';
import type { WindowSize } from '../domain/window-size.ts';
import type { RuntimeProcess, TaskIO } from '../ports/runtime.ts';
import { conmonExecArgs } from './conmon-args.ts';
import { launchConmon } from './conmon-launcher.ts';
import type { WatchedProcess } from './exit-watcher.ts';
import { killQuietly } from './kill-quietly.ts';
import { startLogForwarder } from './log-forwarder.ts';
import { exists, isMonitorAlive, readExit, readPidFile } from './monitor-files.ts';
import type { RuncContext } from './runc-context.ts';
import type { ProcessPaths } from './runtime-layout.ts';
import { startStdinRelay, stdinRelayFor, stopStdinRelay } from './stdin-relay.ts';
import { resizeTerminal } from './terminal-control.ts';
import { stopMonitor } from './stop-monitor.ts';

/**
 * An exec: an extra process in a running task, monitored by its own conmon (`--exec`), with its
 * own monitor directory (`<bundle>/execs/<execId>/`: process.json, pid, log, exit). Its exit is
 * reported like the init's, with `execId` set.
 *
 * A stdin path, or an open stdin's FIFO, is relayed into conmon's attach socket (see
 * stdin-relay.ts), as for the init.
 */
export class RuncProcess implements RuntimeProcess {
  readonly execId: string;
  readonly stdinFifo?: string;
  readonly #ctx: RuncContext;
  readonly #watched: WatchedProcess;
  readonly #io: TaskIO;

  constructor(ctx: RuncContext, watched: WatchedProcess, io: TaskIO) {
    this.execId = watched.execId;
    this.#ctx = ctx;
    this.#watched = watched;
    this.#io = io;
    if (io.openStdin === true) this.stdinFifo = watched.paths.stdinFifo;
  }

  get #paths(): ProcessPaths {
    return this.#watched.paths;
  }

  get #name(): string {
    return `exec ${this.#watched.namespace}/${this.#watched.containerId}/${this.execId}`;
  }

  async start(): Promise<number> {
    const paths = this.#paths;
    if (!(await exists(paths.processFile))) throw failedPrecondition(`${this.#name} was deleted`);
    if ((await exists(paths.conmonPidFile)) || (await exists(paths.exitFile))) {
      throw failedPrecondition(`${this.#name} was already started`);
    }
    const { layout, watcher, forwarders } = this.#ctx;
    const stdin = await stdinRelayFor(this.#io, paths);
    // The log exists before conmon starts, so the forwarder can watch it from the first byte.
    await writeFile(paths.logFile, '', { flag: 'a' });
    watcher.watch(this.#watched);
    const forwarder = await startLogForwarder({
      logFile: paths.logFile,
      stdout: this.#io.stdout,
      stderr: this.#io.stderr,
    }).catch((error: unknown) => {
      watcher.unwatch(paths.dir);
      throw error;
    });
    if (forwarder) forwarders.set(paths.dir, forwarder);
    let pid: number;
    try {
      pid = await launchConmon(this.#ctx, {
        args: conmonExecArgs({
          runcBinary: this.#ctx.runcBinary,
          runcRoot: layout.runcRoot(this.#watched.namespace),
          containerId: this.#watched.containerId,
          bundle: paths.dir,
          process: paths,
          socketDir: layout.socketDir,
          stdin: stdin !== undefined,
          terminal: this.#io.terminal,
        }),
        monitor: paths,
        what: this.#name,
      });
    } catch (error) {
      // conmon exits by itself after reporting a failure; leave the exec as if never started,
      // once it has: its pid file, removed with the rest, is how anyone would find it.
      watcher.unwatch(paths.dir);
      forwarder?.abort();
      forwarders.delete(paths.dir);
      await stopMonitor(paths);
      await this.#removeMonitorFiles();
      throw error;
    }
    if (stdin) {
      await startStdinRelay({
        source: stdin,
        process: paths,
        runner: this.#ctx.runner,
        timeoutMs: this.#ctx.conmonTimeoutMs,
      }).catch((error: unknown) => {
        // Without its relay the exec would wait for stdin forever: end it (conmon records it).
        killQuietly(pid);
        throw error;
      });
    }
    return pid;
  }

  async kill(signal: number): Promise<void> {
    if (!Number.isInteger(signal) || signal <= 0 || signal > 64) {
      throw failedPrecondition(`invalid signal ${signal}`);
    }
    const paths = this.#paths;
    if (await readExit(paths)) throw failedPrecondition(`${this.#name} has already exited`);
    const pid = await readPidFile(paths.pidFile);
    if (pid === undefined) throw failedPrecondition(`${this.#name} is not running`);
    // runc kill only signals a container's init; an exec is signalled by its host pid. The exit
    // file check above and conmon still holding the process (not yet reaped) rule out a reused pid.
    if (!isMonitorAlive(paths)) throw failedPrecondition(`${this.#name} is not running`);
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ESRCH')
        throw failedPrecondition(`${this.#name} is not running`);
      throw error;
    }
  }

  async delete(): Promise<void> {
    const paths = this.#paths;
    if (!(await readExit(paths)) && isMonitorAlive(paths)) {
      throw failedPrecondition(`${this.#name} is still running`);
    }
    this.#ctx.watcher.unwatch(paths.dir);
    this.#ctx.forwarders.get(paths.dir)?.abort();
    this.#ctx.forwarders.delete(paths.dir);
    await stopStdinRelay(paths);
    await rm(paths.dir, { recursive: true, force: true });
  }

  resize(size: WindowSize): Promise<void> {
    return resizeTerminal(this.#paths, size);
  }

  /** Removes what a failed start left (conmon's files too), keeping process.json for delete. */
  async #removeMonitorFiles(): Promise<void> {
    const { dir, processFile } = this.#paths;
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      names
        .map((name) => path.join(dir, name))
        .filter((file) => file !== processFile)
        .map((file) => rm(file, { force: true, recursive: true })),
    );
  }
}
