import { Observable } from 'rxjs';
import type { HistoryJson, ReplayJson } from './audit-types.ts';
import { call, stream, withQuery, type TransportOptions } from './http-transport.ts';
import type { ImageJson, ImportLineJson, ImportProgressJson, SnapshotJson } from './image-types.ts';
import { unavailable } from '../domain/errors.ts';
import type {
  ContainerJson,
  CreateContainerRequest,
  EventJson,
  EventsQuery,
  NamespaceJson,
  UpdateContainerRequest,
  VersionJson,
} from './wire-types.ts';

/** Default daemon socket. */
export const defaultAddress = '/run/taskledger/taskledger.sock';

/** A task as the API returns it. */
export type TaskJson = Record<string, unknown> & {
  id: string;
  status: string;
  pid: number;
  exit_status: number | null;
};

/** An exit as `wait` and `delete` return it. */
export interface ExitJson {
  readonly exit_status: number;
  readonly exited_at: string;
  readonly pid: number;
}

/** A log record of a task or exec. */
export interface LogRecordJson {
  readonly time: string;
  readonly stream: 'stdout' | 'stderr';
  readonly full: boolean;
  readonly text: string;
}

/**
 * One line of an attached start ({@link TaskledgerClient.tasks}`.startAttached`): the started
 * task, then the records its process writes, then its exit.
 */
export type AttachedLine =
  { readonly task: TaskJson } | { readonly log: LogRecordJson } | { readonly exit: ExitJson };

/** What `run` creates: a container, and its task with these stdio paths. */
export interface RunRequest {
  /** The container, as `containers.create` takes it. */
  readonly container: CreateContainerRequest;
  /** The task's stdio. */
  readonly io?: IoPaths;
  /** Starts the task (default); false leaves it created. */
  readonly start?: boolean;
  /** Removes the container (and task) again when a step after its creation fails. */
  readonly removeOnFailure?: boolean;
}

/** Standard stream paths for a task or exec. */
export interface IoPaths {
  /** Path (a FIFO or a file) the process reads its stdin from. */
  readonly stdin?: string;
  /** Path its stdout is copied to, besides the task log. */
  readonly stdout?: string;
  /** Path its stderr is copied to, besides the task log. */
  readonly stderr?: string;
  /** Whether it gets a pseudo-terminal (its output is then all stdout). */
  readonly terminal?: boolean;
  /**
   * Keeps its stdin open for `tasks attach` (instead of `stdin`): the daemon holds a FIFO, shown
   * as the task's (or exec's) `stdin`, that attach clients write to; none of them ends it.
   */
  readonly open_stdin?: boolean;
}

/** The typed client of the daemon's API; the CLI is built on it. */
export interface TaskledgerClient {
  /** The namespace every call acts in. */
  readonly namespace: string;
  /** A client for another namespace on the same daemon. */
  withNamespace(namespace: string): TaskledgerClient;
  /** Who serves, and where. */
  version(): Promise<VersionJson>;
  /** Container metadata. */
  readonly containers: {
    /** Creates a container. */
    create(request: CreateContainerRequest): Promise<ContainerJson>;
    /** One container. */
    get(id: string): Promise<ContainerJson>;
    /** Containers matching any filter. */
    list(filters?: readonly string[]): Promise<ContainerJson[]>;
    /** Updates labels/spec by field path. */
    update(id: string, request: UpdateContainerRequest): Promise<ContainerJson>;
    /** Deletes a container (its task must be gone). */
    delete(id: string): Promise<void>;
  };
  /** Namespaces (not namespaced themselves). */
  readonly namespaces: {
    /** Creates a namespace; AlreadyExists when it exists. */
    create(name: string, labels?: Record<string, string>): Promise<NamespaceJson>;
    /** One namespace. */
    get(name: string): Promise<NamespaceJson>;
    /** Every namespace. */
    list(): Promise<NamespaceJson[]>;
    /** Sets labels by field path (`labels.KEY`; an empty value removes it), or all of them. */
    update(
      name: string,
      request: { labels?: Record<string, string>; update_mask?: readonly string[] },
    ): Promise<NamespaceJson>;
    /** Deletes an empty namespace. */
    delete(name: string): Promise<void>;
  };
  /**
   * Creates a container and its task, and starts it unless `start` is false, in one request:
   * what `taskledger run -d` does. A step that fails rejects with its error, leaving what the
   * steps before it made.
   */
  run(request: RunRequest): Promise<{ container: ContainerJson; task: TaskJson }>;
  /**
   * {@link TaskledgerClient.run}, then follows the task as `tasks.startAttached` does: the
   * started task, every record its process writes, its exit (with `until: 'removed'`, once its
   * container is gone too). What `taskledger run` does in the foreground.
   */
  runAttached(
    request: RunRequest,
    options?: { until?: 'exit' | 'removed' },
  ): Observable<AttachedLine>;
  /** Tasks. */
  readonly tasks: {
    /** Creates the task of a container. */
    create(containerId: string, io?: IoPaths): Promise<TaskJson>;
    /** Starts it. */
    start(id: string): Promise<TaskJson>;
    /**
     * Starts it and follows it in one request: the started task, every record its process
     * writes, then its exit (with `until: 'removed'`, once its container is gone too). Nothing
     * slips by a process that ends at once: the daemon listens before it starts the task. A
     * start that fails is the observable's error, before anything else.
     */
    startAttached(id: string, options?: { until?: 'exit' | 'removed' }): Observable<AttachedLine>;
    /** Signals it (default SIGTERM). */
    kill(
      id: string,
      options?: { signal?: string | number; all?: boolean; execId?: string },
    ): Promise<void>;
    /** Resizes the terminal of the init process (or of an exec); a no-op without a terminal. */
    resize(id: string, size: { width: number; height: number; execId?: string }): Promise<void>;
    /** Applies new cgroup limits (an OCI `LinuxResources` object: memory, cpu, pids...). */
    update(id: string, resources: Record<string, unknown>): Promise<TaskJson>;
    /** Freezes it. */
    pause(id: string): Promise<TaskJson>;
    /** Thaws it. */
    resume(id: string): Promise<TaskJson>;
    /**
     * Resolves when the process exits; with `until: 'removed'`, once its container is gone too.
     * `opened` hears when the daemon has registered the wait (start the task after it).
     */
    wait(
      id: string,
      options?: {
        execId?: string;
        signal?: AbortSignal;
        until?: 'exit' | 'removed';
        opened?: () => void;
      },
    ): Promise<ExitJson>;
    /** Deletes it; returns the exit. */
    delete(id: string, options?: { force?: boolean }): Promise<ExitJson>;
    /** One task. */
    get(id: string): Promise<TaskJson>;
    /** All tasks of the namespace. */
    list(): Promise<TaskJson[]>;
    /** Pids in the task. */
    pids(id: string): Promise<{ pid: number }[]>;
    /** cgroup metrics. */
    metrics(id: string): Promise<Record<string, unknown>>;
    /** Adds an exec process. */
    exec(
      id: string,
      execId: string,
      process: Record<string, unknown>,
      io?: IoPaths,
    ): Promise<TaskJson>;
    /** Starts an exec; returns its pid. */
    startExec(id: string, execId: string): Promise<{ pid: number }>;
    /** Removes a stopped exec. */
    deleteExec(id: string, execId: string): Promise<ExitJson>;
    /**
     * Log records; with follow, until the process exits; with tail, only the last `tail` lines
     * already written (0: only what comes next); with since/until (RFC 3339 times, or durations
     * before now such as `10m`), only records stamped from `since` and before `until`. `opened`
     * is called once the daemon has fixed where they start: everything the process writes after
     * that is in them.
     */
    logs(
      id: string,
      options?: {
        follow?: boolean;
        execId?: string;
        tail?: number;
        since?: string;
        until?: string;
        opened?: () => void;
      },
    ): Observable<LogRecordJson>;
  };
  /** Images (named read-only bases) and the snapshots containers are made of. */
  readonly images: {
    /**
     * Imports `source` (an absolute path on the daemon's host: a directory, a tar archive, plain
     * or gzip, or an OCI image layout archive) as image `name`; `onProgress` hears how far it is.
     */
    import(
      source: string,
      name: string,
      options?: {
        labels?: Record<string, string>;
        onProgress?: (progress: ImportProgressJson) => void;
        signal?: AbortSignal;
      },
    ): Promise<ImageJson>;
    /** One image. */
    get(name: string): Promise<ImageJson>;
    /** The namespace's images. */
    list(): Promise<ImageJson[]>;
    /** Deletes an image; FailedPrecondition while a container or image is built on it. */
    delete(name: string): Promise<void>;
    /** Saves a container's changes (over its image) as a new image `name`. */
    commit(
      containerId: string,
      name: string,
      options?: { labels?: Record<string, string> },
    ): Promise<ImageJson>;
    /** The namespace's snapshots, active and committed. */
    snapshots(): Promise<SnapshotJson[]>;
  };
  /** The event log, filtered; with `follow`, then live events. */
  events(query?: EventsQuery): Observable<EventJson>;
  /** A container's whole timeline (its task and execs included), even after it was deleted. */
  history(id: string): Promise<HistoryJson>;
  /** The namespace's containers and tasks as they were after `until` (a seq or an RFC 3339 time). */
  replay(until: string): Promise<ReplayJson>;
}

/** Connects to the daemon at `address` (no I/O until the first call). */
export function connect(
  address: string = process.env.TASKLEDGER_ADDRESS ?? defaultAddress,
  options: { namespace?: string; client?: string } = {},
): TaskledgerClient {
  const t: TransportOptions = {
    address,
    namespace: options.namespace ?? process.env.TASKLEDGER_NAMESPACE ?? 'default',
    client: options.client,
  };
  const c = <T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> =>
    call<T>(t, method, path, body, signal);
  const id = encodeURIComponent;
  const observe = <T>(path: string, opened?: () => void, body?: unknown): Observable<T> =>
    new Observable<T>((subscriber) => {
      const abort = new AbortController();
      void (async () => {
        try {
          for await (const item of stream<T>(t, path, abort.signal, body, opened))
            subscriber.next(item);
          subscriber.complete();
        } catch (error) {
          if (!abort.signal.aborted) subscriber.error(error);
        }
      })();
      return () => abort.abort();
    });
  return {
    namespace: t.namespace,
    withNamespace: (namespace) => connect(address, { ...options, namespace }),
    version: () => c('GET', '/v1/version'),
    namespaces: {
      create: (name, labels) => c('POST', '/v1/namespaces', { name, labels }),
      get: (name) => c('GET', `/v1/namespaces/${id(name)}`),
      list: () => c('GET', '/v1/namespaces'),
      update: (name, request) => c('PATCH', `/v1/namespaces/${id(name)}`, request),
      delete: async (name) => {
        await c('DELETE', `/v1/namespaces/${id(name)}`);
      },
    },
    containers: {
      create: (request) => c('POST', '/v1/containers', request),
      get: (cid) => c('GET', `/v1/containers/${id(cid)}`),
      list: (filters = []) => c('GET', withQuery('/v1/containers', { filter: filters })),
      update: (cid, request) => c('PATCH', `/v1/containers/${id(cid)}`, request),
      delete: async (cid) => {
        await c('DELETE', `/v1/containers/${id(cid)}`);
      },
    },
    run: (request) => c('POST', '/v1/run', runBody(request)),
    runAttached: (request, o = {}) =>
      observe(withQuery('/v1/run', { attach: true, until: o.until }), undefined, runBody(request)),
    tasks: {
      create: (containerId, io = {}) =>
        c('POST', '/v1/tasks', { container_id: containerId, ...io }),
      start: (tid) => c('POST', `/v1/tasks/${id(tid)}/start`),
      startAttached: (tid, o = {}) =>
        observe(
          withQuery(`/v1/tasks/${id(tid)}/start`, { attach: true, until: o.until }),
          undefined,
          {},
        ),
      kill: async (tid, o = {}) => {
        await c('POST', `/v1/tasks/${id(tid)}/kill`, {
          signal: o.signal,
          all: o.all,
          exec_id: o.execId,
        });
      },
      resize: async (tid, o) => {
        await c('POST', `/v1/tasks/${id(tid)}/resize`, {
          width: o.width,
          height: o.height,
          exec_id: o.execId,
        });
      },
      update: (tid, resources) => c('POST', `/v1/tasks/${id(tid)}/update`, { resources }),
      pause: (tid) => c('POST', `/v1/tasks/${id(tid)}/pause`),
      resume: (tid) => c('POST', `/v1/tasks/${id(tid)}/resume`),
      wait: async (tid, o = {}) => {
        const until = o.until ?? (o.opened ? 'exit' : undefined);
        const path = withQuery(`/v1/tasks/${id(tid)}/wait`, { exec_id: o.execId, until });
        if (until === undefined) return c<ExitJson>('GET', path, undefined, o.signal);
        let exit: ExitJson | undefined;
        for await (const line of stream<ExitJson>(t, path, o.signal, undefined, o.opened))
          exit = line;
        if (exit) return exit;
        throw unavailable(`the wait for "${tid}" ended without its exit; wait again`);
      },
      delete: (tid, o = {}) => c('DELETE', withQuery(`/v1/tasks/${id(tid)}`, { force: o.force })),
      get: (tid) => c('GET', `/v1/tasks/${id(tid)}`),
      list: () => c('GET', '/v1/tasks'),
      pids: (tid) => c('GET', `/v1/tasks/${id(tid)}/pids`),
      metrics: (tid) => c('GET', `/v1/tasks/${id(tid)}/metrics`),
      exec: (tid, execId, process, io = {}) =>
        c('POST', `/v1/tasks/${id(tid)}/exec`, { exec_id: execId, process, ...io }),
      startExec: (tid, execId) => c('POST', `/v1/tasks/${id(tid)}/exec/${id(execId)}/start`),
      deleteExec: (tid, execId) => c('DELETE', `/v1/tasks/${id(tid)}/exec/${id(execId)}`),
      logs: (tid, o = {}) =>
        observe(
          withQuery(`/v1/tasks/${id(tid)}/logs`, {
            follow: o.follow,
            exec_id: o.execId,
            tail: o.tail,
            since: o.since,
            until: o.until,
          }),
          o.opened,
        ),
    },
    images: {
      import: async (source, name, o = {}) => {
        const body = { name, source, labels: o.labels };
        for await (const line of stream<ImportLineJson>(t, '/v1/images', o.signal, body)) {
          if ('image' in line) return line.image;
          o.onProgress?.(line.progress);
        }
        throw unavailable(`the daemon ended the import of "${name}" without an answer; retry`);
      },
      get: (name) => c('GET', `/v1/images/${id(name)}`),
      list: () => c('GET', '/v1/images'),
      delete: async (name) => {
        await c('DELETE', `/v1/images/${id(name)}`);
      },
      commit: (cid, name, o = {}) =>
        c('POST', `/v1/containers/${id(cid)}/commit`, { name, labels: o.labels }),
      snapshots: () => c('GET', '/v1/snapshots'),
    },
    events: (q = {}) =>
      observe(
        withQuery('/v1/events', {
          since: q.since,
          until: q.until,
          filter: q.filters,
          follow: q.follow,
        }),
      ),
    history: (cid) => c('GET', `/v1/history/${id(cid)}`),
    replay: (until) => c('GET', withQuery('/v1/replay', { until })),
  };
}

/** The body of `POST /v1/run`. */
const runBody = (request: RunRequest): Record<string, unknown> => ({
  container: request.container,
  start: request.start,
  remove_on_failure: request.removeOnFailure,
  ...request.io,
});
