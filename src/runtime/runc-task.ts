import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  alreadyExists,
  failedPrecondition,
  invalidArgument,
  isTaskledgerError,
} from '../domain/errors.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import type {
  Exit,
  OciProcess,
  RuntimeProcess,
  RuntimeStatus,
  RuntimeTask,
  TaskIO,
  TaskMetrics,
} from '../ports/runtime.ts';
import type { WindowSize } from '../domain/window-size.ts';
import { validateProcess } from './bundle-config.ts';
import { startThroughExecFifo } from './exec-fifo-start.ts';
import { execProcess } from './exit-watcher.ts';
import { exists, readExit } from './monitor-files.ts';
import {
  runcKillArgs,
  runcPauseArgs,
  runcPsArgs,
  runcResumeArgs,
  runcStartArgs,
  runcStateArgs,
  runcStatsArgs,
  runcUpdateArgs,
} from './runc-args.ts';
import type { RuncContext } from './runc-context.ts';
import { parseRuncPs, parseRuncState, parseRuncStats } from './runc-output.ts';
import { RuncProcess } from './runc-process.ts';
import type { TaskPaths } from './runtime-layout.ts';
import { resizeTerminal } from './terminal-control.ts';

/**
 * A task of the runc runtime: a runc container in the namespace's runc root, its bundle, and the
 * conmon monitoring its init process. Holds no state of its own beyond ids and paths: every
 * answer comes from runc or from conmon's files, so a task found after a restart works the same.
 */
export class RuncTask implements RuntimeTask {
  readonly namespace: string;
  readonly id: string;
  readonly pid: number;
  readonly bundle: string;
  readonly stdinFifo?: string;
  readonly #ctx: RuncContext;
  readonly #paths: TaskPaths;

  constructor(
    ctx: RuncContext,
    namespace: string,
    id: string,
    pid: number,
    options: { openStdin?: boolean } = {},
  ) {
    this.namespace = namespace;
    this.id = id;
    this.pid = pid;
    this.#ctx = ctx;
    this.#paths = ctx.layout.task(namespace, id);
    this.bundle = this.#paths.bundle;
    if (options.openStdin === true) this.stdinFifo = this.#paths.init.stdinFifo;
  }

  get #root(): string {
    return this.#ctx.layout.runcRoot(this.namespace);
  }

  async start(): Promise<void> {
    // `runc start` only when starting in-process is not possible: it has the final word then.
    const containerDir = path.join(this.#root, this.id);
    if (await startThroughExecFifo(containerDir, this.pid, this.#ctx.runcTimeoutMs)) return;
    await this.#ctx.runc.run(runcStartArgs(this.#root, this.id));
  }

  async kill(signal: number, options?: { all?: boolean }): Promise<void> {
    let args: string[];
    try {
      args = runcKillArgs(this.#root, this.id, signal, options?.all ?? false);
    } catch (error) {
      throw invalidArgument((error as Error).message);
    }
    await this.#ctx.runc.run(args);
  }

  async pause(): Promise<void> {
    await this.#ctx.runc.run(runcPauseArgs(this.#root, this.id));
  }

  async resume(): Promise<void> {
    await this.#ctx.runc.run(runcResumeArgs(this.#root, this.id));
  }

  async pids(): Promise<number[]> {
    return parseRuncPs(await this.#ctx.runc.run(runcPsArgs(this.#root, this.id)));
  }

  async status(): Promise<RuntimeStatus> {
    try {
      return parseRuncState(await this.#ctx.runc.run(runcStateArgs(this.#root, this.id))).status;
    } catch (error) {
      if (!isTaskledgerError(error, 'NotFound')) throw error;
      // runc forgot it (deleted, or a reboot wiped its state); conmon's record may remain.
      return (await readExit(this.#paths.init)) ? 'stopped' : 'unknown';
    }
  }

  async exec(execId: string, process: OciProcess, io: TaskIO): Promise<RuntimeProcess> {
    validateIdentifier(execId, 'exec id');
    if (execId === this.id) throw invalidArgument('an exec id must differ from its container id');
    const given = validateProcess(process, 'exec process');
    if (!(await exists(this.#paths.config)))
      throw failedPrecondition(`task ${this.namespace}/${this.id} has no bundle`);
    // Fields the exec leaves out (env with PATH, user, cwd, capabilities, rlimits...) come from
    // the container's own process, as `ctr exec` builds them: runc would otherwise run the exec
    // without PATH or capabilities. runc also needs a cwd.
    const config = JSON.parse(await readFile(this.#paths.config, 'utf8')) as {
      process?: OciProcess;
    };
    // The IO's terminal flag decides, as for the init (bundle-config.ts).
    const spec: OciProcess = { cwd: '/', ...config.process, ...given, terminal: io.terminal };
    const paths = this.#paths.exec(execId);
    await mkdir(this.#paths.execsDir, { recursive: true });
    try {
      await mkdir(paths.dir);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST') {
        throw alreadyExists(`exec ${execId} already exists in task ${this.namespace}/${this.id}`);
      }
      throw error;
    }
    await writeFile(paths.processFile, JSON.stringify(spec));
    return new RuncProcess(this.#ctx, execProcess(this.namespace, this.id, execId, paths), io);
  }

  process(execId: string): RuntimeProcess | undefined {
    const paths = this.#paths.exec(validateIdentifier(execId, 'exec id'));
    if (!existsSync(paths.processFile)) return undefined;
    // After a restart the client's stdio paths are gone with the old daemon: output stays in the log.
    return new RuncProcess(this.#ctx, execProcess(this.namespace, this.id, execId, paths), {
      terminal: false,
    });
  }

  resize(size: WindowSize): Promise<void> {
    return resizeTerminal(this.#paths.init, size);
  }

  async metrics(): Promise<TaskMetrics> {
    return parseRuncStats(await this.#ctx.runc.run(runcStatsArgs(this.#root, this.id)));
  }

  async update(resources: Readonly<Record<string, unknown>>): Promise<void> {
    // runc reads them from a file; the task's mutex keeps a second update from sharing it.
    const file = path.join(this.#paths.init.dir, 'update-resources.json');
    await writeFile(file, JSON.stringify(resources));
    try {
      await this.#ctx.runc.run(runcUpdateArgs(this.#root, this.id, file));
    } catch (error) {
      // The kernel refused a value it was given (EINVAL on a cgroup file): the caller's to fix.
      if (isTaskledgerError(error, 'Internal') && /invalid argument/i.test(error.message))
        throw invalidArgument(`the kernel refused these resources: ${error.message}`);
      throw error;
    } finally {
      await rm(file, { force: true });
    }
  }

  exit(): Promise<Exit | undefined> {
    return readExit(this.#paths.init);
  }

  logPath(execId?: string): string {
    return execId === undefined || execId === this.id
      ? this.#paths.init.logFile
      : this.#paths.exec(validateIdentifier(execId, 'exec id')).logFile;
  }
}
