import { existsSync, watch, type FSWatcher } from 'node:fs';
import { Subject, type Observable } from 'rxjs';
import type { Exit, RuntimeEvent } from '../ports/runtime.ts';
import { readExit, readExitSync, readPidFile, readPidFileSync } from './monitor-files.ts';
import type { ProcessPaths, TaskPaths } from './runtime-layout.ts';

/** A process whose monitor directory is watched. */
export interface WatchedProcess {
  /** The task's namespace. */
  readonly namespace: string;
  /** The container id. */
  readonly containerId: string;
  /** The exec id, or the container id for the init process. */
  readonly execId: string;
  /** Its monitor files. */
  readonly paths: ProcessPaths;
  /** Whether conmon's `oom` marker in this directory is reported (only the init's, not per exec). */
  readonly reportsOom: boolean;
}

/** A task's init process: its exit is the task's, and it reports the task's OOM kills. */
export const initProcess = (namespace: string, id: string, paths: TaskPaths): WatchedProcess => ({
  namespace,
  containerId: id,
  execId: id,
  paths: paths.init,
  reportsOom: true,
});

/** An exec in a task, with its own monitor directory (OOM kills are reported by the init). */
export const execProcess = (
  namespace: string,
  id: string,
  execId: string,
  paths: ProcessPaths,
): WatchedProcess => ({ namespace, containerId: id, execId, paths, reportsOom: false });

const exitEvent = (process: WatchedProcess, exit: Exit, pid: number | undefined): RuntimeEvent => ({
  type: 'exit',
  namespace: process.namespace,
  containerId: process.containerId,
  execId: process.execId,
  pid: pid ?? 0,
  status: exit.status,
  exitedAt: exit.timestamp,
});

/** Exit event of `process` as recorded on disk, or undefined while it runs. */
export async function recordedExit(process: WatchedProcess): Promise<RuntimeEvent | undefined> {
  const exit = await readExit(process.paths);
  return exit && exitEvent(process, exit, await readPidFile(process.paths.pidFile));
}

interface Entry {
  readonly process: WatchedProcess;
  readonly watcher: FSWatcher;
  oomReported: boolean;
}

/**
 * Watches conmon's monitor directories with inotify (`fs.watch`) and reports exits and OOMs as
 * they are written: conmon renames `exit` into place when it reaps the process, and creates
 * `oom` when the memory cgroup's OOM eventfd fires. No polling. The files are read synchronously
 * inside the inotify callback, so an event leaves in the same loop iteration that saw the file.
 * A directory stops being watched once its exit is reported, so each exit is reported once.
 */
export class ExitWatcher {
  readonly #entries = new Map<string, Entry>();
  readonly #subject = new Subject<RuntimeEvent>();

  /** Live exits and OOMs, each reported once. Hot: nothing is replayed. */
  get events(): Observable<RuntimeEvent> {
    return this.#subject.asObservable();
  }

  /**
   * Starts watching a process's monitor directory (which must exist), then checks it once, so an
   * exit written before the watch existed is reported too. Watching the same directory twice is
   * a no-op.
   */
  watch(process: WatchedProcess): void {
    const { dir } = process.paths;
    if (this.#entries.has(dir) || this.#subject.closed) return;
    const watcher = watch(dir, { persistent: false }, (_event, filename) => {
      // A null filename (queue overflow) means "something changed": check both files.
      if (filename === null || filename === 'exit' || filename === 'oom') this.#inspect(dir);
    });
    // The directory went away (task deleted) or inotify failed: nothing more can be seen here.
    watcher.on('error', () => this.unwatch(dir));
    this.#entries.set(dir, { process, watcher, oomReported: false });
    this.#inspect(dir);
  }

  /** Stops watching a directory, e.g. before the task's files are removed. */
  unwatch(dir: string): void {
    const entry = this.#entries.get(dir);
    if (!entry) return;
    this.#entries.delete(dir);
    entry.watcher.close();
  }

  /** Whether a directory is being watched. */
  isWatching(dir: string): boolean {
    return this.#entries.has(dir);
  }

  /** Stops every watch and completes {@link events}. */
  close(): void {
    for (const dir of [...this.#entries.keys()]) this.unwatch(dir);
    this.#subject.complete();
  }

  #inspect(dir: string): void {
    const entry = this.#entries.get(dir);
    if (!entry) return;
    const { process } = entry;
    try {
      if (process.reportsOom && !entry.oomReported && existsSync(process.paths.oomFile)) {
        entry.oomReported = true;
        this.#emit({ type: 'oom', namespace: process.namespace, containerId: process.containerId });
      }
      const exit = readExitSync(process.paths);
      if (!exit) return;
      this.unwatch(dir);
      this.#emit(exitEvent(process, exit, readPidFileSync(process.paths.pidFile)));
    } catch {
      // Unreadable for now (e.g. removed under us); a later change or the replay will tell.
    }
  }

  #emit(event: RuntimeEvent): void {
    if (!this.#subject.closed) this.#subject.next(event);
  }
}
