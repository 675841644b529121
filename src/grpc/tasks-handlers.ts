import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { invalidArgument, notFound } from '../domain/errors.ts';
import { isLive, type Task } from '../domain/task-state.ts';
import type { TaskService } from '../services/task-service.ts';
import type { ContainerdApi } from './containerd-api.ts';
import { objectFromJsonAny, processTypeUrl, resourcesTypeUrl, type ProtoAny } from './proto-any.ts';
import { toProtoTimestamp } from './proto-timestamp.ts';
import { deleteResponse, execToProcess, taskToProcess } from './task-messages.ts';
import { unary, type Log } from './unary-handler.ts';

/** The stdio part shared by `CreateTaskRequest` and `ExecProcessRequest`: FIFO paths `ctr` made. */
interface StdioRequest {
  readonly stdin: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly terminal: boolean;
}

interface CreateTaskRequest extends StdioRequest {
  readonly container_id: string;
  readonly rootfs: readonly unknown[];
  readonly checkpoint: { readonly digest: string } | null;
}

interface ProcessRequest {
  readonly container_id: string;
  readonly exec_id: string;
}

interface ExecProcessRequest extends StdioRequest, ProcessRequest {
  readonly spec: ProtoAny | null;
}

interface ResizePtyRequest extends ProcessRequest {
  readonly width: number;
  readonly height: number;
}

interface KillRequest extends ProcessRequest {
  readonly signal: number;
  readonly all: boolean;
}

/** What the runc shim puts in `ProcessInfo.info` for an exec; `ctr tasks ps` prints it. */
const processDetailsType = 'containerd.runc.v1.ProcessDetails';

const stdio = (req: StdioRequest): StdioRequest => ({
  stdin: req.stdin,
  stdout: req.stdout,
  stderr: req.stderr,
  terminal: req.terminal,
});

/** `containerd.services.tasks.v1.Tasks` over the task service. */
export function tasksHandlers(
  tasks: TaskService,
  api: ContainerdApi,
  log: Log,
): UntypedServiceImplementation {
  /** The task, or NotFound: a failed create leaves a record that containerd clients must not see as a task. */
  const liveTask = (ns: string, id: string): Task => {
    const task = tasks.get(ns, id);
    if (!isLive(task)) throw notFound(`no task for container "${id}" in namespace "${ns}"`);
    return task;
  };
  /** Checks the process (the task, or one of its execs) exists. */
  const requireProcess = (ns: string, req: ProcessRequest): void => {
    const task = liveTask(ns, req.container_id);
    if (req.exec_id && !task.execs[req.exec_id])
      throw notFound(`exec "${req.exec_id}" not found in task "${req.container_id}"`);
  };

  return {
    Create: unary(log, async (req: CreateTaskRequest, ctx) => {
      // The task service mounts the container's rootfs directory; mounts from a snapshotter
      // (image-based containers) have no place to go.
      if (req.rootfs.length > 0) {
        throw invalidArgument(
          'rootfs mounts are not supported: create the container with a rootfs directory (ctr run --rootfs DIR)',
        );
      }
      if (req.checkpoint?.digest)
        throw invalidArgument('restoring a task from a checkpoint is not supported');
      // Runtime options (containerd.runc.v1.Options) are accepted and not applied: the runtime has no knobs for them.
      const task = await tasks.create(ctx.namespace(), req.container_id, stdio(req), ctx.cause);
      return { container_id: task.containerId, pid: task.pid };
    }),

    Start: unary(log, async (req: ProcessRequest, ctx) => {
      const ns = ctx.namespace();
      if (req.exec_id)
        return { pid: await tasks.startExec(ns, req.container_id, req.exec_id, ctx.cause) };
      return { pid: (await tasks.start(ns, req.container_id, ctx.cause)).pid };
    }),

    // `ctr` sends Wait from a goroutine: it may come after the exit, which the service keeps until delete.
    Wait: unary(log, async (req: ProcessRequest, ctx) => {
      const exit = await tasks.wait(
        ctx.namespace(),
        req.container_id,
        req.exec_id || undefined,
        ctx.signal,
      );
      return { exit_status: exit.exit_status, exited_at: toProtoTimestamp(exit.exited_at) };
    }),

    Get: unary(log, (req: ProcessRequest, ctx) => {
      const task = liveTask(ctx.namespace(), req.container_id);
      if (!req.exec_id) return { process: taskToProcess(task) };
      const exec = task.execs[req.exec_id];
      if (!exec) throw notFound(`exec "${req.exec_id}" not found in task "${req.container_id}"`);
      return { process: execToProcess(task, exec) };
    }),

    // containerd 1.6 ignores the filter of Tasks/List, and so does this.
    List: unary(log, (_req: { filter: string }, ctx) => ({
      tasks: tasks.list(ctx.namespace()).filter(isLive).map(taskToProcess),
    })),

    Delete: unary(log, async (req: { container_id: string }, ctx) => {
      const exit = await tasks.delete(
        ctx.namespace(),
        req.container_id,
        { force: false },
        ctx.cause,
      );
      return deleteResponse(req.container_id, exit);
    }),

    DeleteProcess: unary(log, async (req: ProcessRequest, ctx) => {
      if (!req.exec_id) throw invalidArgument('exec_id is required');
      return deleteResponse(
        req.exec_id,
        await tasks.deleteExec(ctx.namespace(), req.container_id, req.exec_id, ctx.cause),
      );
    }),

    Exec: unary(log, async (req: ExecProcessRequest, ctx) => {
      const process = objectFromJsonAny(req.spec, processTypeUrl, 'exec process spec');
      await tasks.exec(
        ctx.namespace(),
        req.container_id,
        { execId: req.exec_id, process, io: stdio(req) },
        ctx.cause,
      );
      return {};
    }),

    Kill: unary(log, async (req: KillRequest, ctx) => {
      await tasks.kill(ctx.namespace(), req.container_id, {
        signal: req.signal,
        all: req.all,
        execId: req.exec_id || undefined,
      });
      return {};
    }),

    // containerd's runc shim hands the resources to `runc update` as they are; taskledger checks
    // them first (domain/linux-resources.ts), so a field runc would drop is refused, not lost.
    Update: unary(log, async (req: { container_id: string; resources: ProtoAny | null }, ctx) => {
      const resources = objectFromJsonAny(req.resources, resourcesTypeUrl, 'resources');
      await tasks.update(ctx.namespace(), req.container_id, resources, ctx.cause);
      return {};
    }),

    Pause: unary(log, async (req: { container_id: string }, ctx) => {
      await tasks.pause(ctx.namespace(), req.container_id, ctx.cause);
      return {};
    }),

    Resume: unary(log, async (req: { container_id: string }, ctx) => {
      await tasks.resume(ctx.namespace(), req.container_id, ctx.cause);
      return {};
    }),

    ListPids: unary(log, async (req: { container_id: string }, ctx) => {
      const ns = ctx.namespace();
      const task = liveTask(ns, req.container_id);
      const execByPid = new Map(
        Object.values(task.execs)
          .filter((x) => x.status === 'running')
          .map((x) => [x.pid, x.execId]),
      );
      const pids = await tasks.pids(ns, req.container_id);
      return {
        processes: pids.map((pid) => {
          const execId = execByPid.get(pid);
          const info =
            execId === undefined
              ? null
              : {
                  type_url: processDetailsType,
                  value: api.encode(processDetailsType, { exec_id: execId }),
                };
          return { pid, info };
        }),
      };
    }),

    // A process's stdin ends when the client closes its stdin FIFO (`ctr` does so right after its
    // own stdin ends), so there is nothing more to close; the process must exist, as in containerd.
    CloseIO: unary(log, (req: ProcessRequest, ctx) => {
      requireProcess(ctx.namespace(), req);
      return {};
    }),

    ResizePty: unary(log, async (req: ResizePtyRequest, ctx) => {
      requireProcess(ctx.namespace(), req);
      await tasks.resize(ctx.namespace(), req.container_id, req.exec_id || undefined, req);
      return {};
    }),
  };
}
