/**
 * Turns measurements into the table's rows, with each target and its verdict. Pure: the bench
 * measures, this decides what the numbers say.
 */
import { medianOf, type PeerSamples } from './lifecycle.ts';
import type { HelperMemory } from './memory.ts';
import { formatValue, median, ratio, verdict, type Row } from './stats.ts';

/** Peer names the targets refer to. */
export interface PeerNames {
  readonly runc: string;
  readonly api: string;
  readonly cli: string;
  readonly ctr: string;
  readonly podman: string;
  /** taskledger's API on a daemon without standby monitors (the ordinary create path). */
  readonly cold?: string;
}

const find = (results: readonly PeerSamples[], name: string): PeerSamples | undefined =>
  results.find((r) => r.peer === name);

const note = (s: PeerSamples): string =>
  `n=${s.samples.length}${s.failures ? `, ${s.failures} FAILED: ${s.firstError?.slice(0, 80)}` : ''}`;

/** Lifecycle latency: ratios to `runc run`; targets for the API (<= 1.3x) and the CLI (< ctr). */
export function latencyRows(
  latency: readonly PeerSamples[],
  names: PeerNames,
  rounds: number,
): Row[] {
  const section = `lifecycle latency: one /bin/true task, create to delete (median of ${rounds})`;
  const runcMs = medianOf(find(latency, names.runc)!);
  const ctrMs = medianOf(find(latency, names.ctr)!);
  const both = (
    a: number | undefined,
    b: number | undefined,
    met: (a: number, b: number) => boolean,
  ): boolean | undefined => (a === undefined || b === undefined ? undefined : met(a, b));
  return latency.map((s) => {
    const value = medianOf(s);
    const target =
      s.peer === names.api
        ? {
            target: '<= 1.30x runc run',
            verdict: verdict(both(value, runcMs, (v, r) => v <= 1.3 * r)),
          }
        : s.peer === names.cli
          ? {
              target: `< ctr run --rm (${formatValue(ctrMs, 'ms')})`,
              verdict: verdict(both(value, ctrMs, (v, c) => v < c)),
            }
          : {};
    return {
      section,
      name: s.peer,
      value,
      unit: 'ms' as const,
      ratio: ratio(value, runcMs),
      ...target,
      note: note(s),
    };
  });
}

/** Throughput: tasks per second, ratios to `runc run`. */
export function throughputRows(
  throughput: readonly PeerSamples[],
  names: PeerNames,
  settings: { tasks: number; inFlight: number; rounds: number },
): Row[] {
  const section = `throughput: ${settings.tasks} /bin/true tasks, ${settings.inFlight} in flight (median of ${settings.rounds})`;
  const runcRate = medianOf(find(throughput, names.runc)!);
  return throughput.map((s) => {
    const value = medianOf(s);
    return {
      section,
      name: s.peer,
      value,
      unit: 'tasks/s' as const,
      ratio: ratio(value, runcRate),
      note: note(s),
    };
  });
}

/**
 * Where the time goes: the API's calls one by one, then the breakdown items (subprocesses, the
 * runtime driver alone) with their steps; ratios to `runc run`.
 */
export function breakdownRows(
  latency: readonly PeerSamples[],
  breakdown: readonly PeerSamples[],
  names: PeerNames,
): Row[] {
  const section = "where taskledger's time goes (median ms per step, same rounds)";
  const runcMs = medianOf(find(latency, names.runc)!);
  const rows: Row[] = [];
  const add = (s: PeerSamples, withTotal: boolean): void => {
    if (withTotal) {
      const value = medianOf(s);
      rows.push({
        section,
        name: s.peer,
        value,
        unit: 'ms',
        ratio: ratio(value, runcMs),
        note: note(s),
      });
    }
    for (const [step, values] of Object.entries(s.steps)) {
      rows.push({
        section,
        name: `  · ${withTotal ? '' : `${s.peer}: `}${step}`,
        value: median(values),
        unit: 'ms',
      });
    }
  };
  for (const name of [names.api, names.cold]) {
    const peer = name === undefined ? undefined : find(latency, name);
    if (peer) add(peer, false);
  }
  for (const s of breakdown) add(s, true);
  return rows;
}

const growth = (m: HelperMemory): number | undefined =>
  m.daemonAfterMb === undefined || m.daemonBeforeMb === undefined
    ? undefined
    : Math.max(0, m.daemonAfterMb - m.daemonBeforeMb) / m.tasks;

const helperNote = (m: HelperMemory): string =>
  m.error
    ? `FAILED: ${m.error.slice(0, 80)}`
    : `${m.helpers} ${m.helper} for ${m.tasks} tasks, median ${formatValue(m.medianHelperMb, 'MB')} each`;

/**
 * Memory per running task (helpers, ratio to Podman's conmon), taskledger's total with its
 * daemon's growth per task (target: Podman's conmon + 0.5 MB), then the daemons' own RSS.
 */
export function memoryRows(
  memory: readonly HelperMemory[],
  daemonLoad: HelperMemory,
  names: PeerNames,
  idle: { taskledgerMb: number | undefined; containerdMb: number | undefined },
  standby: readonly { comm: string; mb: number }[],
): Row[] {
  const by = (name: string): HelperMemory => memory.find((m) => m.peer === name)!;
  const tl = by(names.api);
  const pm = by(names.podman);
  const cd = by(names.ctr);
  const section = `memory per running sleep task: VmRSS of per-task processes (${tl.tasks} tasks each)`;
  // The daemon's share comes from the bigger run: growth over a few tasks is mostly noise.
  const share = growth(daemonLoad);
  const total = tl.perTaskMb === undefined ? undefined : tl.perTaskMb + (share ?? 0);
  const limit = pm.perTaskMb === undefined ? undefined : pm.perTaskMb + 0.5;
  const daemons = 'daemon RSS';
  return [
    {
      section,
      name: 'podman: conmon',
      value: pm.perTaskMb,
      unit: 'MB',
      ratio: ratio(pm.perTaskMb, pm.perTaskMb),
      note: helperNote(pm),
    },
    {
      section,
      name: 'containerd: containerd-shim-runc-v2',
      value: cd.perTaskMb,
      unit: 'MB',
      ratio: ratio(cd.perTaskMb, pm.perTaskMb),
      note: helperNote(cd),
    },
    {
      section,
      name: 'taskledger: conmon',
      value: tl.perTaskMb,
      unit: 'MB',
      ratio: ratio(tl.perTaskMb, pm.perTaskMb),
      note: helperNote(tl),
    },
    {
      section,
      name: 'taskledger: daemon growth per task',
      value: share,
      unit: 'MB',
      note: `(${formatValue(daemonLoad.daemonAfterMb, 'MB')} - ${formatValue(daemonLoad.daemonBeforeMb, 'MB')}) / ${daemonLoad.tasks} tasks`,
    },
    {
      section,
      name: 'taskledger: total per task',
      value: total,
      unit: 'MB',
      ratio: ratio(total, pm.perTaskMb),
      target: `<= podman conmon + 0.5 MB (${formatValue(limit, 'MB')})`,
      verdict: verdict(total === undefined || limit === undefined ? undefined : total <= limit),
    },
    {
      section: daemons,
      name: 'taskledger daemon, fresh (0 tasks)',
      value: idle.taskledgerMb,
      unit: 'MB',
    },
    {
      section: daemons,
      name: 'taskledger daemon, 0 tasks after the runs above',
      value: daemonLoad.daemonBeforeMb,
      unit: 'MB',
    },
    {
      section: daemons,
      name: `taskledger daemon, ${daemonLoad.tasks} running tasks`,
      value: daemonLoad.daemonAfterMb,
      unit: 'MB',
      note: daemonLoad.error
        ? `FAILED: ${daemonLoad.error.slice(0, 80)}`
        : `${daemonLoad.helpers} conmon found`,
    },
    {
      section: daemons,
      name: 'taskledger standby monitor, once per daemon (not per task)',
      value: standby.length > 0 ? standby.reduce((sum, p) => sum + p.mb, 0) : undefined,
      unit: 'MB',
      note: standby.map((p) => `${p.comm} ${formatValue(p.mb, 'MB')}`).join(' + ') || 'none found',
    },
    { section: daemons, name: 'containerd, fresh (0 tasks)', value: idle.containerdMb, unit: 'MB' },
    {
      section: daemons,
      name: `containerd, ${cd.tasks} running tasks`,
      value: cd.daemonAfterMb,
      unit: 'MB',
    },
  ];
}

/** CLI start-up: ratios to `node -e 0` (the first command). */
export function startupRows(startup: readonly PeerSamples[], rounds: number): Row[] {
  const section = `CLI start-up (median of ${rounds})`;
  const nodeMs = startup[0] ? medianOf(startup[0]) : undefined;
  return startup.map((s) => ({
    section,
    name: s.peer,
    value: medianOf(s),
    unit: 'ms' as const,
    ratio: ratio(medianOf(s), nodeMs),
    note: note(s),
  }));
}
