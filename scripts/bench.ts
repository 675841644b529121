/**
 * taskledger side by side with runc, containerd and Podman, in one run on one machine
 * (`npm run bench`, which starts the private daemons this script talks to; see scripts/bench.sh).
 * Prints one table of medians and ratios with each target's verdict, writes
 * docs/bench-latest.json and the README's "Benchmarks" block (BENCH_README=0 leaves it alone).
 */
import os from 'node:os';
import { readBenchEnv } from './bench/bench-env.ts';
import { measureBreakdown } from './bench/breakdown.ts';
import { measureCliStartup } from './bench/cli-startup.ts';
import { measureEventStore } from './bench/event-store.ts';
import { measureLatency, measureThroughput } from './bench/lifecycle.ts';
import { describeMachine } from './bench/machine.ts';
import { measureHelpers, type HelperMemory } from './bench/memory.ts';
import {
  ctrPeer,
  podmanPeer,
  runcPeer,
  taskledgerApiPeer,
  taskledgerCliPeer,
} from './bench/peers.ts';
import { processesWorkingIn, rssMb } from './bench/proc.ts';
import { writeReport } from './bench/report.ts';
import { formatTable, type Row } from './bench/stats.ts';
import {
  breakdownRows,
  latencyRows,
  memoryRows,
  startupRows,
  throughputRows,
} from './bench/table-rows.ts';

const machine = await describeMachine();
// Other work on the machine skews every figure: the peak load between sections goes in the report.
const log = (line: string): void => {
  machine.loadPeak = Math.max(machine.loadPeak ?? 0, os.loadavg()[0] ?? 0);
  process.stderr.write(`${line}\n`);
};

const env = readBenchEnv();
const idle = { taskledgerMb: rssMb(env.taskledgerPid), containerdMb: rssMb(env.containerdPid) };

const api = taskledgerApiPeer(env);
const cold = taskledgerApiPeer(env, {
  address: env.taskledgerColdAddress,
  name: 'taskledger API, no standby monitor',
});
const cli = taskledgerCliPeer(env);
const runc = await runcPeer(env);
const ctr = ctrPeer(env);
const podman = podmanPeer(env);
const peers = [runc, api, cli, ctr, podman];
const names = {
  runc: runc.name,
  api: api.name,
  cli: cli.name,
  ctr: ctr.name,
  podman: podman.name,
  cold: cold.name,
};

log('== CLI start-up');
const startup = await measureCliStartup(env, env.rounds, log);
log('== lifecycle latency');
const latency = await measureLatency([runc, api, cold, cli, ctr, podman], env.rounds, log);
log("== where taskledger's time goes");
const breakdown = await measureBreakdown(env, runc.bundle, env.rounds, log);
log('== throughput');
const tpSettings = {
  rounds: env.throughputRounds,
  tasks: env.throughputTasks,
  inFlight: env.inFlight,
};
const throughput = await measureThroughput(peers, tpSettings, log);
log('== memory');
// The standby monitor, measured once it is ready: a fixed cost of the daemon, apart from tasks.
await api.settle?.();
const standby = processesWorkingIn(api.standbyDir!).flatMap((p) => {
  const mb = rssMb(p.pid);
  return mb === undefined ? [] : [{ comm: p.comm, mb }];
});
const memory: HelperMemory[] = [];
for (const peer of [api, ctr, podman]) {
  const daemonPid = peer === api ? env.taskledgerPid : peer === ctr ? env.containerdPid : undefined;
  memory.push(await measureHelpers(peer, env.memoryTasks, { prefix: 'mem', log, daemonPid }));
}
const daemonLoad = await measureHelpers(api, env.daemonTasks, {
  prefix: 'load',
  log,
  daemonPid: env.taskledgerPid,
});
log('== event store');
const store = env.eventStore
  ? await measureEventStore(env, log)
  : { rows: [] as Row[], raw: { skipped: 'BENCH_EVENT_STORE=0' } };

const rows: Row[] = [
  ...latencyRows(latency, names, env.rounds),
  ...throughputRows(throughput, names, tpSettings),
  ...memoryRows(memory, daemonLoad, names, idle, standby),
  ...startupRows(startup, env.rounds),
  ...store.rows,
  ...breakdownRows(latency, breakdown, names),
];

process.stdout.write(`\n${formatTable(rows)}\n\n`);
const missed = rows.filter((r) => r.verdict === 'MISSED');
process.stdout.write(
  missed.length === 0
    ? 'all targets met\n'
    : `targets MISSED: ${missed.map((r) => `${r.name} (${r.target})`).join('; ')}\n`,
);
const written = writeReport(
  env.repo,
  {
    date: new Date().toISOString(),
    machine,
    settings: {
      rounds: env.rounds,
      throughputRounds: env.throughputRounds,
      throughputTasks: env.throughputTasks,
      inFlight: env.inFlight,
      memoryTasks: env.memoryTasks,
      daemonTasks: env.daemonTasks,
      eventStore: env.eventStore,
    },
    rows,
    details: {
      latency,
      breakdown,
      throughput,
      startup,
      memory,
      standby,
      daemonLoad,
      eventStore: store.raw,
    },
  },
  process.env.BENCH_README !== '0',
);
log(`wrote ${written.join(', ')}`);
