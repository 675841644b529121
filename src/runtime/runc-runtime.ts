import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Observable, Subscription } from 'rxjs';
import { failedPrecondition, notFound, unavailable } from '../domain/errors.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import type { Clock } from '../ports/clock.ts';
import type {
  CreateOpts,
  Exit,
  InventoryEntry,
  Runtime,
  RuntimeEvent,
  RuntimeStatus,
  RuntimeTask,
  StandbyStatus,
} from '../ports/runtime.ts';
import { awaitExit } from './await-exit.ts';
import { pruneCgroupParents } from './cgroup-prune.ts';
import { withRecordedExits } from './exit-replay.ts';
import { ExitWatcher, initProcess, recordedExit, type WatchedProcess } from './exit-watcher.ts';
import { createLaunchingRunner } from './launching-runner.ts';
import type { LogForwarder } from './log-forwarder.ts';
import {
  exists,
  isMonitorAlive,
  readExitSync,
  readPidFile,
  unknownExitStatus,
} from './monitor-files.ts';
import { runcDeleteArgs, runcListArgs } from './runc-args.ts';
import { createRuncCli } from './runc-cli.ts';
import type { RuncContext } from './runc-context.ts';
import { parseRuncList, type RuncContainerState } from './runc-output.ts';
import { RuncTask } from './runc-task.ts';
import { resolveExecutable } from './resolve-executable.ts';
import { createRuntimeLayout } from './runtime-layout.ts';
import { settledWithin } from './settled-within.ts';
import { createShellLauncher } from './shell-launcher.ts';
import { createSubprocessRunner } from './subprocess-runner.ts';
import { createStandbyMonitors, type StandbyMonitors } from './standby-monitors.ts';
import { sweepStandbySlots } from './standby-slots.ts';
import { removeTask } from './task-cleanup.ts';
import { createTask, runcState } from './task-creation.ts';
import {
  bundleTasks,
  runcNamespaces,
  taskWatchedProcesses,
  type TaskRef,
} from './task-discovery.ts';

/** Options of {@link createRuncRuntime}. */
export interface RuncRuntimeOptions {
  /** Directory for runc roots, bundles and monitor files; created if missing. */
  readonly stateDir: string;
  /** runc binary, a path or a name on PATH (default `runc`). */
  readonly runcBinary?: string;
  /** conmon binary, a path or a name on PATH (default `conmon`). */
  readonly conmonBinary?: string;
  /** Supplies the time of exits the runtime has to make up. */
  readonly clock: Clock;
  /**
   * How many standby monitors to keep ready between creates (standby-monitors.ts); default 1,
   * 0 for none.
   */
  readonly standbyMonitors?: number;
}

const runcTimeoutMs = 30_000;
const conmonTimeoutMs = 60_000;
const exitGraceMs = 2_000;
const closeDrainMs = 5_000;
// One subprocess per CPU (see subprocess-runner.ts for the measurements).
const maxConcurrentSubprocesses = Math.max(2, availableParallelism());

/**
 * Creates the runc runtime: runc 1.1 for containers, one daemonized conmon per process as the
 * monitor (no Node process per task; tasks outlive the daemon), inotify on conmon's monitor
 * directories for exits and OOMs. Creates the state directories and starts watching the
 * processes of tasks found on disk.
 */
export async function createRuncRuntime(options: RuncRuntimeOptions): Promise<Runtime> {
  const standbyMonitors = options.standbyMonitors ?? 1;
  if (!Number.isInteger(standbyMonitors) || standbyMonitors < 0)
    throw new RangeError(`standbyMonitors must be a whole number, not ${standbyMonitors}`);
  const layout = createRuntimeLayout(options.stateDir);
  const [runcBinary, conmonBinary] = await Promise.all([
    resolveExecutable(options.runcBinary ?? 'runc'),
    resolveExecutable(options.conmonBinary ?? 'conmon'),
  ]);
  // What a crash left in the scratch directory is nobody's: the state directory has one runtime.
  await rm(layout.scratchDir, { recursive: true, force: true });
  await Promise.all(
    [
      layout.runcDir,
      layout.bundlesDir,
      layout.socketDir,
      layout.scratchDir,
      layout.standbySlotsDir,
      layout.standbyRuncRoot,
    ].map((dir) => mkdir(dir, { recursive: true })),
  );
  const launcher = createShellLauncher(maxConcurrentSubprocesses);
  const runner = createLaunchingRunner({
    launcher,
    fallback: () => createSubprocessRunner(maxConcurrentSubprocesses),
    scratchDir: layout.scratchDir,
  });
  const ctx: RuncContext = Object.freeze({
    layout,
    runner,
    launcher,
    launches: new Set<Promise<unknown>>(),
    removals: new Set<Promise<unknown>>(),
    runc: createRuncCli({ binary: runcBinary, timeoutMs: runcTimeoutMs, runner }),
    runcBinary,
    runcTimeoutMs,
    conmonBinary,
    conmonTimeoutMs,
    watcher: new ExitWatcher(),
    forwarders: new Map<string, LogForwarder>(),
    clock: options.clock,
  });
  // Before anything looks at tasks: a claim the last daemon cut short is finished first.
  await sweepStandbySlots(ctx);
  const runtime = new RuncRuntime(ctx, standbyMonitors);
  await runtime.watchExisting();
  return runtime;
}

class RuncRuntime implements Runtime {
  readonly #ctx: RuncContext;
  readonly #internal: Subscription;
  readonly #standbys: StandbyMonitors;
  #closed = false;

  constructor(ctx: RuncContext, standbyMonitors: number) {
    this.#ctx = ctx;
    this.#standbys = createStandbyMonitors(ctx, { target: standbyMonitors });
    // A process's output is complete once conmon records its exit: close the client's outputs.
    this.#internal = ctx.watcher.events.subscribe((event) => {
      if (event.type !== 'exit') return;
      const paths = ctx.layout.task(event.namespace, event.containerId);
      const dir =
        event.execId === event.containerId ? paths.init.dir : paths.exec(event.execId).dir;
      const forwarder = ctx.forwarders.get(dir);
      ctx.forwarders.delete(dir);
      void forwarder?.finish().catch(() => undefined);
    });
  }

  /** Watches every started process on disk that has not exited (a restart resumes here). */
  async watchExisting(): Promise<void> {
    for (const ref of await bundleTasks(this.#ctx.layout)) {
      for (const process of await taskWatchedProcesses(this.#ctx.layout, ref)) {
        if (await exists(process.paths.conmonPidFile)) this.#watch(process);
      }
    }
  }

  async create(id: string, opts: CreateOpts): Promise<RuntimeTask> {
    this.#assertOpen();
    const done = this.#standbys.busy();
    try {
      return await createTask(this.#ctx, id, opts, this.#standbys);
    } finally {
      done();
    }
  }

  standbyStatus(): StandbyStatus {
    return this.#standbys.status();
  }

  async tasks(): Promise<RuntimeTask[]> {
    return (await this.inventory()).map((entry) => entry.task);
  }

  async inventory(): Promise<InventoryEntry[]> {
    const { layout } = this.#ctx;
    const refs = new Map<string, TaskRef>();
    const states = new Map<string, RuncContainerState>();
    for (const ref of await bundleTasks(layout)) refs.set(`${ref.namespace}/${ref.id}`, ref);
    for (const namespace of await runcNamespaces(layout)) {
      for (const state of parseRuncList(
        await this.#ctx.runc.run(runcListArgs(layout.runcRoot(namespace))),
      )) {
        refs.set(`${namespace}/${state.id}`, { namespace, id: state.id });
        states.set(`${namespace}/${state.id}`, state);
      }
    }
    return Promise.all(
      [...refs.entries()].map(async ([key, ref]) => {
        const state = states.get(key);
        const task = await this.#task(ref, state?.pid);
        const exit = await task.exit();
        // As RuncTask.status(): runc forgot it, so only the monitor's record tells it ended.
        const status: RuntimeStatus = state?.status ?? (exit ? 'stopped' : 'unknown');
        return { task, status, exit };
      }),
    );
  }

  async get(namespace: string, id: string): Promise<RuntimeTask | undefined> {
    validateIdentifier(namespace, 'namespace');
    validateIdentifier(id, 'container id');
    const state = await runcState(this.#ctx, namespace, id);
    if (!state && !(await exists(this.#ctx.layout.task(namespace, id).bundle))) return undefined;
    return this.#task({ namespace, id }, state?.pid);
  }

  async delete(task: RuntimeTask): Promise<Exit> {
    this.#assertOpen();
    const { namespace, id } = task;
    const paths = this.#ctx.layout.task(namespace, id);
    const init = initProcess(namespace, id, paths);
    // Synchronously, as the exit watcher reads it: a few bytes, no thread-pool round trip.
    let exit = readExitSync(paths.init);
    if (!exit) {
      const state = await runcState(this.#ctx, namespace, id);
      if (!state && !(await exists(paths.bundle)))
        throw notFound(`task ${namespace}/${id} not found`);
      if (state?.status === 'running' || state?.status === 'paused') {
        throw failedPrecondition(
          `task ${namespace}/${id} is ${state.status}: kill it before deleting`,
        );
      }
      if (state?.status === 'created') {
        // Never started: runc delete --force kills the waiting init, and conmon records the exit.
        await this.#ctx.runc.run(runcDeleteArgs(this.#ctx.layout.runcRoot(namespace), id, true));
        exit = await awaitExit(this.#ctx.watcher, init, exitGraceMs);
      } else if (isMonitorAlive(paths.init)) {
        // Stopped, and conmon is still draining output before it writes the exit.
        exit = await awaitExit(this.#ctx.watcher, init, exitGraceMs);
      }
      // No monitor and no record (e.g. after a reboot): containerd reports 255, found now.
      exit ??= { status: unknownExitStatus, timestamp: this.#ctx.clock.now() };
    }
    await removeTask(this.#ctx, namespace, id);
    this.#standbys.deleted();
    return exit;
  }

  async discard(task: RuntimeTask): Promise<void> {
    this.#assertOpen();
    await removeTask(this.#ctx, task.namespace, task.id);
  }

  events(): Observable<RuntimeEvent> {
    return withRecordedExits(this.#ctx.watcher.events, () => this.#recordedExits());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#internal.unsubscribe();
    this.#ctx.watcher.close();
    await this.#standbys.close();
    for (const forwarder of this.#ctx.forwarders.values()) forwarder.abort();
    this.#ctx.forwarders.clear();
    // Let commands in flight finish (a create half done would leave debris), then kill the rest:
    // conmon launches and the runner's subprocesses share one drain window.
    await settledWithin(
      [...this.#ctx.launches, ...this.#ctx.removals, this.#ctx.runner.idle(closeDrainMs)],
      closeDrainMs,
    );
    this.#ctx.runner.cancelAll();
    await this.#ctx.runner.idle(1_000);
    await this.#ctx.launcher.close();
    await this.#ctx.runner.close();
    await pruneCgroupParents(this.#ctx.layout.cgroupParent);
  }

  #assertOpen(): void {
    if (this.#closed) throw unavailable('the runtime is closed');
  }

  #watch(process: WatchedProcess): void {
    try {
      this.#ctx.watcher.watch(process);
    } catch {
      // The directory vanished meanwhile (deleted concurrently): nothing to watch.
    }
  }

  async #task(ref: TaskRef, runcPid: number | undefined): Promise<RuncTask> {
    const pid =
      (await readPidFile(this.#ctx.layout.task(ref.namespace, ref.id).init.pidFile)) ??
      runcPid ??
      0;
    return new RuncTask(this.#ctx, ref.namespace, ref.id, pid);
  }

  async #recordedExits(): Promise<RuntimeEvent[]> {
    const events: RuntimeEvent[] = [];
    for (const ref of await bundleTasks(this.#ctx.layout)) {
      for (const process of await taskWatchedProcesses(this.#ctx.layout, ref)) {
        const event = await recordedExit(process).catch(() => undefined);
        if (event) events.push(event);
      }
    }
    return events;
  }
}
