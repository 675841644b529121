/**
 * Memory per running task: start `sleep` tasks, then add up VmRSS (from /proc/PID/status) of the
 * per-task processes each tool leaves running beside the container (taskledger and Podman: one
 * conmon; containerd: one containerd-shim-runc-v2). The container's own processes are not
 * counted: they are the same `sleep` for everyone. Daemons are measured apart, before and after.
 */
import type { MonitoredPeer } from './peers.ts';
import { findProcesses, pool, rssMb, sleep, worksIn } from './proc.ts';
import { median } from './stats.ts';

/** What one peer's sleepers cost. */
export interface HelperMemory {
  readonly peer: string;
  readonly helper: string;
  /** Sleepers started. */
  readonly tasks: number;
  /** Helper processes found (one per task expected). */
  readonly helpers: number;
  /** Sum of the helpers' VmRSS divided by the tasks, MB. */
  readonly perTaskMb: number | undefined;
  /** Median VmRSS of one helper, MB. */
  readonly medianHelperMb: number | undefined;
  /** A daemon's RSS before the sleepers started and while they all ran, MB. */
  readonly daemonBeforeMb?: number | undefined;
  readonly daemonAfterMb?: number | undefined;
  readonly error?: string;
}

/** Lets helpers finish starting up (conmon and the shim settle in well under this). */
const settleMs = 1_000;

/**
 * Starts `tasks` sleepers of `peer` (a few at a time), measures its helpers and, when given, a
 * daemon's RSS before and after, then removes the sleepers.
 */
export async function measureHelpers(
  peer: MonitoredPeer,
  tasks: number,
  options: { daemonPid?: number; prefix: string; log: (line: string) => void },
): Promise<HelperMemory> {
  const ids = Array.from({ length: tasks }, (_, i) => `${options.prefix}-${i}`);
  const started: string[] = [];
  const daemonBeforeMb = options.daemonPid === undefined ? undefined : rssMb(options.daemonPid);
  try {
    const t0 = performance.now();
    await pool(ids.length, 4, async (i) => {
      await peer.startSleeper(ids[i]!);
      started.push(ids[i]!);
    });
    options.log(
      `  ${peer.name}: ${tasks} sleep tasks running after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await sleep(settleMs);
    const { standbyDir } = peer;
    const helpers = findProcesses(peer.comm, peer.marker).filter(
      (h) => standbyDir === undefined || !worksIn(h.pid, standbyDir),
    );
    const rss = helpers.map((h) => rssMb(h.pid)).filter((v): v is number => v !== undefined);
    return {
      peer: peer.name,
      helper: peer.helper,
      tasks,
      helpers: rss.length,
      perTaskMb: rss.length > 0 ? rss.reduce((a, b) => a + b, 0) / tasks : undefined,
      medianHelperMb: rss.length > 0 ? median(rss) : undefined,
      daemonBeforeMb,
      daemonAfterMb: options.daemonPid === undefined ? undefined : rssMb(options.daemonPid),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.log(`  ${peer.name}: FAILED: ${message}`);
    return {
      peer: peer.name,
      helper: peer.helper,
      tasks,
      helpers: 0,
      perTaskMb: undefined,
      medianHelperMb: undefined,
      error: message,
    };
  } finally {
    await peer.stopSleepers(started);
  }
}
