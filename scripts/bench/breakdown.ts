/**
 * Where a taskledger task's time goes, measured in the same run as the table: the bare
 * subprocesses a task could cost (any process at all; `mount` and `umount`, which only a
 * mounted rootfs such as a snapshot's overlay pays; `runc create|start|delete`, of which the
 * runtime runs only `create`, under conmon, doing start and a stopped container's delete
 * in-process), and the runtime driver alone in this process (no daemon, SQLite or HTTP) with
 * runc and, when installed, with crun. Interleaved like the peers.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { defaultSpec } from '../../src/domain/default-spec.ts';
import { createSystemClock } from '../../src/platform/system-clock.ts';
import type { Runtime } from '../../src/ports/runtime.ts';
import { createRuncRuntime } from '../../src/runtime/runc-runtime.ts';
import type { BenchEnv } from './bench-env.ts';
import { measureLatency, type PeerSamples } from './lifecycle.ts';
import type { Peer } from './peers.ts';
import { runCommand } from './proc.ts';

/** A task through the runtime driver only: create (mount, conmon, runc create), start, exit, delete. */
async function runtimePeer(
  env: BenchEnv,
  binary: string,
): Promise<Peer & { close(): Promise<void> }> {
  const runtime: Runtime = await createRuncRuntime({
    stateDir: path.join(env.dir, 'breakdown', `runtime-${binary}`),
    clock: createSystemClock(),
    runcBinary: binary,
    // The ordinary path, conmon started per create: what the standby monitor saves shows in the
    // latency section, against the daemon without one.
    standbyMonitors: 0,
  });
  const exits = new Map<string, () => void>();
  const subscription = runtime.events().subscribe((event) => {
    if (event.type === 'exit') exits.get(event.containerId)?.();
  });
  return {
    name: `runtime driver alone, no standby, ${binary}`,
    async runShortTask(id, step = () => undefined) {
      // The timer also keeps Node alive: the runtime's exit watcher does not hold the loop.
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise<void>((resolve, reject) => {
        exits.set(id, resolve);
        timer = setTimeout(() => reject(new Error(`no exit event for ${id}`)), 30_000);
      }).finally(() => clearTimeout(timer));
      const task = await runtime.create(id, {
        namespace: 'bench',
        spec: defaultSpec({ args: ['/bin/true'], hostname: id }),
        rootfs: [{ type: 'bind', source: env.rootfs, options: ['rbind'] }],
        io: { terminal: false },
      });
      step('create');
      await task.start();
      step('start');
      await exited;
      exits.delete(id);
      step('exit seen');
      await runtime.delete(task);
      step('delete');
    },
    async close() {
      subscription.unsubscribe();
      await runtime.close();
    },
  };
}

/** The runtime's subprocesses one by one, as a shell would run them. */
function subprocessPeers(env: BenchEnv, bundle: string): Peer[] {
  const root = path.join(env.dir, 'breakdown', 'runc-root');
  const mnt = path.join(env.dir, 'breakdown', 'mnt');
  mkdirSync(root, { recursive: true });
  mkdirSync(mnt, { recursive: true });
  const runc = (...args: string[]): Promise<unknown> =>
    runCommand('runc', ['--root', root, ...args]);
  return [
    {
      name: 'any process: spawn /bin/true',
      async runShortTask() {
        await runCommand('/bin/true', []);
      },
    },
    {
      name: 'mount --bind, umount (a mounted rootfs only)',
      async runShortTask(_id, step = () => undefined) {
        await runCommand('mount', ['-t', 'bind', '-o', 'rbind,rw', '--', env.rootfs, mnt]);
        step('mount');
        await runCommand('umount', ['--recursive', '--', mnt]);
        step('umount');
      },
    },
    {
      name: 'runc create, start, delete --force',
      async runShortTask(id, step = () => undefined) {
        await runCommand('runc', ['--root', root, 'create', '--bundle', bundle, id], {
          discardStderr: true,
        });
        step('runc create');
        await runc('start', id);
        step('runc start');
        await runc('delete', '--force', id);
        step('runc delete');
      },
    },
  ];
}

/**
 * Measures the subprocesses and the runtime driver (`bundle` is the runc peer's, whose rootfs is
 * the shared one). crun is measured only when installed: it is not a dependency, only a proposal.
 */
export async function measureBreakdown(
  env: BenchEnv,
  bundle: string,
  rounds: number,
  log: (line: string) => void,
): Promise<PeerSamples[]> {
  const drivers = [await runtimePeer(env, 'runc')];
  if (existsSync('/usr/bin/crun')) drivers.push(await runtimePeer(env, 'crun'));
  try {
    return await measureLatency([...subprocessPeers(env, bundle), ...drivers], rounds, log);
  } finally {
    for (const driver of drivers) await driver.close();
  }
}
