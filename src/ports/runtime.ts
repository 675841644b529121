import type { Observable } from 'rxjs';
import type { Timestamp } from '../domain/timestamp.ts';
import type { WindowSize } from '../domain/window-size.ts';

/** A filesystem mount, as containerd passes a task's rootfs: `{type, source, options}`. */
export interface Mount {
  /** Filesystem type, e.g. `overlay` or `bind`. */
  readonly type: string;
  /** What is mounted: a device, a directory, or `overlay`. */
  readonly source: string;
  /** Mount options, e.g. `lowerdir=...`, `upperdir=...`, `workdir=...`, `rbind`, `ro`. */
  readonly options: readonly string[];
}

/** Where a process's standard streams go: paths (FIFOs or files) the client created, or none. */
export interface TaskIO {
  /** Path to read the process's stdin from; empty or absent means no stdin. */
  readonly stdin?: string;
  /** Path to write stdout to (besides the task log); empty or absent means the log only. */
  readonly stdout?: string;
  /** Path to write stderr to (besides the task log); empty or absent means the log only. */
  readonly stderr?: string;
  /** Whether the process gets a pseudo-terminal. */
  readonly terminal: boolean;
  /**
   * Keeps the process's stdin open for attach clients instead of reading `stdin`: the runtime
   * makes a FIFO ({@link RuntimeTask.stdinFifo}) and relays what any client writes to it; a
   * client's leaving is no end of input.
   */
  readonly openStdin?: boolean;
}

/** An OCI runtime spec (config.json) as a JSON object. */
export type OciSpec = Record<string, unknown>;

/** An OCI `process` object (args, env, cwd, user...), used for exec. */
export type OciProcess = Record<string, unknown>;

/** What {@link Runtime.create} needs, after containerd's `CreateOpts`. */
export interface CreateOpts {
  /** The namespace the task lives in; the runtime keeps namespaces apart on disk and in runc. */
  readonly namespace: string;
  /** The container's OCI runtime spec; the runtime writes it into the bundle. */
  readonly spec: OciSpec;
  /** Mounts that make up the root filesystem, mounted at `<bundle>/rootfs` before create. */
  readonly rootfs: readonly Mount[];
  /** The init process's standard streams. */
  readonly io: TaskIO;
  /** Checkpoint to restore from; unsupported here (CRIU cannot dump on these kernels). */
  readonly checkpoint?: string;
}

/** How a process ended: containerd's `Exit {Status, Timestamp}`. */
export interface Exit {
  /** Exit status; 128+N when killed by signal N; 255 when it cannot be known. */
  readonly status: number;
  /** When the process exited (the monitor's record), not when we learnt of it. */
  readonly timestamp: Timestamp;
}

/** Runtime view of a task's state. */
export type RuntimeStatus = 'created' | 'running' | 'paused' | 'stopped' | 'unknown';

/** Events the runtime reports on its own, as they happen. */
export type RuntimeEvent =
  | {
      /** A process (the init process or an exec) exited. */
      readonly type: 'exit';
      readonly namespace: string;
      readonly containerId: string;
      /** The exec id, or the container id for the init process (as in containerd's TaskExit). */
      readonly execId: string;
      readonly pid: number;
      readonly status: number;
      readonly exitedAt: Timestamp;
    }
  | {
      /** The kernel's OOM killer hit the task's cgroup. */
      readonly type: 'oom';
      readonly namespace: string;
      readonly containerId: string;
    };

/** Resource usage of a task's cgroup, from `runc events --stats`. */
export interface TaskMetrics {
  /** CPU time used, in nanoseconds: in all, in user and kernel mode, and on each CPU. */
  readonly cpu: {
    readonly usageNs: number;
    readonly userNs: number;
    readonly kernelNs: number;
    readonly perCpuNs: readonly number[];
  };
  /** Memory: in use, the limit, the most ever used, and the page cache part of it. */
  readonly memory: {
    readonly usageBytes: number;
    readonly limitBytes: number;
    readonly maxUsageBytes: number;
    readonly cacheBytes: number;
  };
  /** Processes in the cgroup, and their limit (0: none). */
  readonly pids: { readonly current: number; readonly limit: number };
}

/** An extra process in a task, started by {@link RuntimeTask.exec}. */
export interface RuntimeProcess {
  /** The exec id given by the client. */
  readonly execId: string;
  /** For an exec with an open stdin, the FIFO attach clients write to (made when it starts). */
  readonly stdinFifo?: string;
  /** Starts the process; resolves with its pid once it runs. */
  start(): Promise<number>;
  /** Sends `signal` (a number) to the process. */
  kill(signal: number): Promise<void>;
  /** Frees what the runtime keeps for this process (exit file, log, spec). */
  delete(): Promise<void>;
  /** Resizes the process's pseudo-terminal; only for a process started with one. */
  resize(size: WindowSize): Promise<void>;
}

/** A task the runtime created: the live process tree of one container. */
export interface RuntimeTask {
  /** The task's namespace. */
  readonly namespace: string;
  /** The container id (also the runc container id inside the namespace's runc root). */
  readonly id: string;
  /** Pid of the init process (as runc reports it after create). */
  readonly pid: number;
  /** The OCI bundle directory. */
  readonly bundle: string;
  /** For a task created with an open stdin, the FIFO attach clients write to (on create's handle). */
  readonly stdinFifo?: string;
  /** Starts the init process created by {@link Runtime.create}. */
  start(): Promise<void>;
  /** Sends `signal` to the init process, or to every process in the task when `all` is set. */
  kill(signal: number, options?: { all?: boolean }): Promise<void>;
  /** Freezes every process of the task (cgroup freezer). */
  pause(): Promise<void>;
  /** Thaws a paused task. */
  resume(): Promise<void>;
  /** Pids of all processes in the task. */
  pids(): Promise<number[]>;
  /** The runtime's view of the task's state, asked of runc. */
  status(): Promise<RuntimeStatus>;
  /** Prepares an extra process; it runs on {@link RuntimeProcess.start}. */
  exec(execId: string, process: OciProcess, io: TaskIO): Promise<RuntimeProcess>;
  /** Resizes the init process's pseudo-terminal; only for a task created with one. */
  resize(size: WindowSize): Promise<void>;
  /** cgroup cpu, memory and pids usage. */
  metrics(): Promise<TaskMetrics>;
  /** Applies new cgroup limits (a validated OCI `LinuxResources` object) to the task. */
  update(resources: Readonly<Record<string, unknown>>): Promise<void>;
  /** Exit of the init process as the monitor recorded it, if it has exited. */
  exit(): Promise<Exit | undefined>;
  /** The handle of an exec started earlier (also after a daemon restart), if the runtime has it. */
  process(execId: string): RuntimeProcess | undefined;
  /** Path of the k8s-file log (`TIMESTAMP stream F|P line`) of the init process or of an exec. */
  logPath(execId?: string): string;
}

/** A task found by {@link Runtime.inventory}, as of that listing. */
export interface InventoryEntry {
  /** The task's handle. */
  readonly task: RuntimeTask;
  /** Its state when listed: runc's, or `stopped`/`unknown` when runc no longer knows it. */
  readonly status: RuntimeStatus;
  /** The init process's exit as its monitor recorded it, if it has exited. */
  readonly exit: Exit | undefined;
}

/** The task runtime, after containerd's `Runtime` interface (plugin/runtime.go). */
export interface Runtime {
  /** Creates a task (bundle, mounts, monitor, `runc create`); it does not start it. */
  create(id: string, opts: CreateOpts): Promise<RuntimeTask>;
  /** Every task the runtime knows of, in every namespace, including ones that already exited. */
  tasks(): Promise<RuntimeTask[]>;
  /**
   * Every task with runc's status from one listing per namespace and the monitor's exit record:
   * what recovery needs, without a runc call per task.
   */
  inventory(): Promise<InventoryEntry[]>;
  /** Finds one task; undefined when the runtime has no trace of it. */
  get(namespace: string, id: string): Promise<RuntimeTask | undefined>;
  /** Deletes a task (runc state, monitor files, mounts, bundle) and returns its exit. */
  delete(task: RuntimeTask): Promise<Exit>;
  /**
   * Removes every trace of a task whatever its state, killing what still runs: for recovery of
   * orphans, rolled-back creates and tasks whose state was lost. Idempotent.
   */
  discard(task: RuntimeTask): Promise<void>;
  /** Exits and OOMs as they happen; on subscription, exits recorded while nobody watched come first. */
  events(): Observable<RuntimeEvent>;
  /**
   * The standby monitors kept ready for the next creates; absent for a runtime that keeps none.
   */
  standbyStatus?(): StandbyStatus;
  /** Stops watching; running tasks and their monitors are left alone. */
  close(): Promise<void>;
}

/**
 * Monitors a runtime starts ahead of the creates that will use them, so that a create skips
 * their start-up (the runc runtime's are conmon plus a `runc create` waiting for its spec).
 */
export interface StandbyStatus {
  /** How many it keeps ready between creates (0: none). */
  readonly target: number;
  /** How many are ready now. */
  readonly ready: number;
  /** Why the last one failed to become ready, if it did. */
  readonly lastError?: string;
}
