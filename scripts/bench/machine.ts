/** The machine a bench ran on, for the JSON and the README: CPUs, memory, kernel, tool versions. */
import os from 'node:os';
import { runCommand } from './proc.ts';

/** What the figures depend on. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly versions: Record<string, string>;
  /** 1-minute load average when the bench started (other work on the machine skews figures). */
  readonly loadAtStart: number;
  /** The highest 1-minute load average seen between sections. */
  loadPeak?: number;
}

async function firstLine(file: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await runCommand(file, args, { keepStdout: true, timeoutMs: 10_000 });
    return stdout.trim().split('\n')[0] ?? '';
  } catch {
    return 'not installed';
  }
}

/** Collects the machine's description. */
export async function describeMachine(): Promise<MachineInfo> {
  const versions: Record<string, string> = {
    runc: await firstLine('runc', ['--version']),
    conmon: await firstLine('conmon', ['--version']),
    containerd: await firstLine('containerd', ['--version']),
    podman: await firstLine('podman', ['--version']),
  };
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    versions,
    loadAtStart: os.loadavg()[0] ?? 0,
  };
}

/** One paragraph for the README. */
export function machineText(m: MachineInfo): string {
  const v = Object.entries(m.versions)
    .map(([k, text]) => `${k}: \`${text}\``)
    .join(', ');
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}; ${v}; load average ${m.loadAtStart.toFixed(2)} at start${m.loadPeak === undefined ? '' : `, up to ${m.loadPeak.toFixed(2)} during the run`}.`;
}
