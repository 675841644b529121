import { status, type handleUnaryCall } from '@grpc/grpc-js';
import { isTaskledgerError } from '../domain/errors.ts';
import { parseFilters, type Filter } from '../domain/filter.ts';
import { adaptTask } from '../domain/task-filter.ts';
import { isLive } from '../domain/task-state.ts';
import type { Clock } from '../ports/clock.ts';
import type { TaskMetrics } from '../ports/runtime.ts';
import type { TaskService } from '../services/task-service.ts';
import type { ContainerdApi } from './containerd-api.ts';
import { GrpcStatusError } from './grpc-status.ts';
import type { ProtoAny } from './proto-any.ts';
import { toProtoTimestamp } from './proto-timestamp.ts';
import { unary, type Log } from './unary-handler.ts';

/** What a runc shim reports on a cgroup v1 host; `ctr tasks metrics` decodes it by this name. */
export const cgroupV1MetricsType = 'io.containerd.cgroups.v1.Metrics';

/** `containerd.types.Metric`. */
interface ProtoMetric {
  readonly timestamp: ReturnType<typeof toProtoTimestamp>;
  readonly id: string;
  readonly data: ProtoAny;
}

/** A task's metrics in the shape of `io.containerd.cgroups.v1.Metrics` (the fields we know). */
export function cgroupV1Metrics(m: TaskMetrics): Record<string, unknown> {
  return {
    pids: { current: m.pids.current, limit: m.pids.limit },
    cpu: {
      usage: {
        total: m.cpu.usageNs,
        kernel: m.cpu.kernelNs,
        user: m.cpu.userNs,
        per_cpu: m.cpu.perCpuNs,
      },
    },
    memory: {
      cache: m.memory.cacheBytes,
      // A task's cgroup has no children here: its hierarchical total is its own figure.
      total_cache: m.memory.cacheBytes,
      usage: {
        usage: m.memory.usageBytes,
        limit: m.memory.limitBytes,
        max: m.memory.maxUsageBytes,
      },
    },
  };
}

/**
 * `Tasks/Metrics`, as containerd answers it: one sample per task of the namespace that the
 * filters match (`ctr tasks metrics ID` sends `id==ID`), read now from runc. A task that stops
 * meanwhile, or is not running, is left out; a bad filter is code Unknown, as in containerd.
 */
export function metricsHandler(deps: {
  readonly tasks: TaskService;
  readonly api: ContainerdApi;
  readonly log: Log;
  readonly clock: Clock;
}): handleUnaryCall<{ filters: string[] }, { metrics: ProtoMetric[] }> {
  const { tasks, api, log, clock } = deps;
  return unary(log, async (req, ctx) => {
    const ns = ctx.namespace();
    let filter: Filter;
    try {
      filter = parseFilters(req.filters);
    } catch (error) {
      throw new GrpcStatusError(status.UNKNOWN, (error as Error).message, { cause: error });
    }
    const metrics: ProtoMetric[] = [];
    // One task after the other, as containerd does: an unfiltered call on a namespace with many
    // tasks must not start a runc per task at once.
    for (const task of tasks.list(ns).filter((t) => isLive(t) && filter.match(adaptTask(t)))) {
      const collected = clock.now();
      let sample: TaskMetrics;
      try {
        sample = await tasks.metrics(ns, task.containerId);
      } catch (error) {
        if (isTaskledgerError(error) && error.code !== 'Internal') continue; // stopped meanwhile
        throw error;
      }
      metrics.push({
        timestamp: toProtoTimestamp(collected),
        id: task.containerId,
        data: {
          type_url: cgroupV1MetricsType,
          value: api.encode(cgroupV1MetricsType, cgroupV1Metrics(sample)),
        },
      });
    }
    return { metrics };
  });
}
