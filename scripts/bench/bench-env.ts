/**
 * What scripts/bench.sh hands scripts/bench.ts: the private temp directory, the sockets of the
 * private containerd and taskledger daemons it started, and the sizes of the runs. Read once.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench's frozen configuration. */
export interface BenchEnv {
  /** The repository (where bin/taskledger is). */
  readonly repo: string;
  /** The bench's private temp directory; every helper's command line names a path under it. */
  readonly dir: string;
  /** The busybox rootfs every peer runs `/bin/true` and `sleep` on. */
  readonly rootfs: string;
  /** The private containerd's socket. */
  readonly containerdAddress: string;
  /** The private containerd's pid. */
  readonly containerdPid: number;
  /** The private taskledger daemon's socket. */
  readonly taskledgerAddress: string;
  /** The private taskledger daemon's pid (its RSS is measured). */
  readonly taskledgerPid: number;
  /** A second private taskledger daemon, run with `--standby-monitors 0`: the ordinary path. */
  readonly taskledgerColdAddress: string;
  /** Measured rounds of the latency and start-up sections (after the warm-up round). */
  readonly rounds: number;
  /** Rounds of the throughput section (each runs `throughputTasks` per peer). */
  readonly throughputRounds: number;
  /** Short tasks per peer and round in the throughput section. */
  readonly throughputTasks: number;
  /** Tasks in flight in the throughput section. */
  readonly inFlight: number;
  /** `sleep` tasks per peer for the per-task memory figure. */
  readonly memoryTasks: number;
  /** Running tasks for the taskledger daemon's own RSS. */
  readonly daemonTasks: number;
  /** Whether to run the event store benchmarks (slow: a log of 1,000,000 events is built). */
  readonly eventStore: boolean;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the bench with npm run bench`);
  return value;
}

function count(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be an integer >= 1`);
  return value;
}

/** Reads the configuration from the environment scripts/bench.sh sets. */
export function readBenchEnv(): BenchEnv {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  return Object.freeze({
    repo,
    dir: required('BENCH_DIR'),
    rootfs: process.env.BENCH_ROOTFS ?? path.join(repo, '.cache', 'rootfs'),
    containerdAddress: required('BENCH_CONTAINERD_ADDRESS'),
    containerdPid: Number(required('BENCH_CONTAINERD_PID')),
    taskledgerAddress: required('BENCH_TASKLEDGER_ADDRESS'),
    taskledgerPid: Number(required('BENCH_TASKLEDGER_PID')),
    taskledgerColdAddress: required('BENCH_TASKLEDGER_COLD_ADDRESS'),
    rounds: count('BENCH_ROUNDS', 15),
    throughputRounds: count('BENCH_THROUGHPUT_ROUNDS', 2),
    throughputTasks: count('BENCH_THROUGHPUT_TASKS', 200),
    inFlight: count('BENCH_IN_FLIGHT', 16),
    memoryTasks: count('BENCH_MEMORY_TASKS', 20),
    daemonTasks: count('BENCH_DAEMON_TASKS', 200),
    eventStore: process.env.BENCH_EVENT_STORE !== '0',
  });
}
