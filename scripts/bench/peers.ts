/**
 * The tools compared: taskledger (through its typed API client and through its CLI), bare
 * `runc run`, containerd (`ctr run --rm`) and Podman (`podman run --rm`), each on the same busybox
 * rootfs and each with private state under the bench's temp directory. Every peer runs with its
 * own defaults: nothing is tuned down to flatter taskledger.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect, type TaskledgerClient } from '../../src/api/client.ts';
import { defaultSpec } from '../../src/domain/default-spec.ts';
import type { BenchEnv } from './bench-env.ts';
import { runCommand } from './proc.ts';

/** A tool that runs one short task (`/bin/true`) from creation to deletion. */
export interface Peer {
  /** Its name in the table. */
  readonly name: string;
  /**
   * Creates, starts, waits for and deletes one task named `id`; rejects when anything fails.
   * A peer that makes several calls reports the end of each to `step`, for the breakdown.
   */
  runShortTask(id: string, step?: (name: string) => void): Promise<void>;
  /**
   * Waits, untimed, until the work the peer does after a task in the background is done
   * (taskledger prepares its next standby monitor then), so that it never lands on the next
   * sample, this peer's or another's.
   */
  settle?(): Promise<void>;
}

/** A peer whose running tasks have per-task helper processes (a monitor, a shim). */
export interface MonitoredPeer {
  /** Its name in the table. */
  readonly name: string;
  /** What the helper is, for the table ("conmon", "containerd-shim-runc-v2"). */
  readonly helper: string;
  /** The helper's /proc comm (truncated to 15 characters by the kernel). */
  readonly comm: string;
  /** A string every one of this peer's helpers has on its command line (a private path). */
  readonly marker: string;
  /**
   * Where the peer's helpers that serve no task yet work (taskledger's standby monitors): they
   * are counted apart, as a fixed cost of the daemon, not per task.
   */
  readonly standbyDir?: string;
  /** Starts a long-running `sleep` task named `id` and returns once it runs. */
  startSleeper(id: string): Promise<void>;
  /** Kills and deletes the given sleepers (best effort: also used on the way out). */
  stopSleepers(ids: readonly string[]): Promise<void>;
}

const namespace = 'bench';
// An absolute path: `ctr run --rootfs` gives the process no PATH (there is no image config).
const sleepArgs = ['/bin/sleep', '3600'];

/**
 * Resolves once the taskledger daemon at `client` has its standby monitors ready again (at most
 * `timeoutMs`); at once for a daemon that keeps none.
 */
export async function standbySettled(client: TaskledgerClient, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const standby = (await client.version()).standby_monitors;
    if (!standby || standby.ready >= standby.target) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * taskledger through the typed client: containers.create, tasks.create/start/wait/delete,
 * containers.delete; against the bench's daemon, or another one (`address`, `name`).
 */
export function taskledgerApiPeer(
  env: BenchEnv,
  daemon: { address?: string; name?: string } = {},
): Peer & MonitoredPeer {
  const client: TaskledgerClient = connect(daemon.address ?? env.taskledgerAddress, {
    namespace,
    client: 'bench',
  });
  const create = async (id: string, args: string[]): Promise<void> => {
    await client.containers.create({
      id,
      rootfs: env.rootfs,
      labels: {},
      spec: defaultSpec({ args, hostname: id }),
    });
    await client.tasks.create(id);
    await client.tasks.start(id);
  };
  const remove = async (id: string): Promise<void> => {
    await client.tasks.delete(id, { force: true }).catch(() => undefined);
    await client.containers.delete(id).catch(() => undefined);
  };
  return {
    name: daemon.name ?? 'taskledger API',
    helper: 'conmon',
    comm: 'conmon',
    marker: `${path.join(env.dir, 'taskledger')}/`,
    standbyDir: path.join(env.dir, 'taskledger', 'state', 'standby', 'slots'),
    settle: () => standbySettled(client),
    async runShortTask(id, step = () => undefined) {
      await client.containers.create({
        id,
        rootfs: env.rootfs,
        labels: {},
        spec: defaultSpec({ args: ['/bin/true'], hostname: id }),
      });
      step('containers.create');
      await client.tasks.create(id);
      step('tasks.create');
      await client.tasks.start(id);
      step('tasks.start');
      const exit = await client.tasks.wait(id);
      step('tasks.wait');
      await client.tasks.delete(id);
      step('tasks.delete');
      await client.containers.delete(id);
      step('containers.delete');
      if (exit.exit_status !== 0) throw new Error(`${id} exited ${exit.exit_status}`);
    },
    startSleeper: (id) => create(id, sleepArgs),
    async stopSleepers(ids) {
      await Promise.all(
        ids.map((id) => client.tasks.kill(id, { signal: 'SIGKILL' }).catch(() => undefined)),
      );
      for (const id of ids) await remove(id);
    },
  };
}

/** taskledger's CLI, a new Node process per task: `taskledger run --rm --rootfs DIR ID -- /bin/true`. */
export function taskledgerCliPeer(env: BenchEnv): Peer {
  const bin = path.join(env.repo, 'bin', 'taskledger');
  const client = connect(env.taskledgerAddress, { namespace, client: 'bench' });
  return {
    name: 'taskledger CLI',
    settle: () => standbySettled(client),
    async runShortTask(id) {
      await runCommand(bin, [
        '--address',
        env.taskledgerAddress,
        '--namespace',
        namespace,
        'run',
        '--rm',
        '--rootfs',
        env.rootfs,
        id,
        '--',
        '/bin/true',
      ]);
    },
  };
}

/**
 * Bare `runc run` (create, start, wait and delete in one foreground process) with its own
 * `--root` and a bundle from `runc spec`, changed only where it must be: no terminal, the shared
 * rootfs (writable, as the other peers have it), `/bin/true`.
 */
export async function runcPeer(env: BenchEnv): Promise<Peer & { readonly bundle: string }> {
  const root = path.join(env.dir, 'runc', 'root');
  const bundle = path.join(env.dir, 'runc', 'bundle');
  mkdirSync(root, { recursive: true });
  mkdirSync(bundle, { recursive: true });
  await runCommand('runc', ['spec', '--bundle', bundle]);
  const configPath = path.join(bundle, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
    process: { terminal: boolean; args: string[] };
    root: { path: string; readonly: boolean };
  };
  config.process.terminal = false;
  config.process.args = ['/bin/true'];
  config.root = { path: env.rootfs, readonly: false };
  writeFileSync(configPath, JSON.stringify(config));
  return {
    name: 'runc run',
    bundle,
    async runShortTask(id) {
      await runCommand('runc', ['--root', root, 'run', '--bundle', bundle, id]);
    },
  };
}

/** containerd's `ctr` against the private containerd (its FIFOs and runc root private too). */
export function ctrPeer(env: BenchEnv): Peer & MonitoredPeer {
  const ctr = (...args: string[]): Promise<unknown> =>
    runCommand('ctr', ['--address', env.containerdAddress, '--namespace', namespace, ...args]);
  const runFlags = [
    '--fifo-dir',
    path.join(env.dir, 'ctr', 'fifo'),
    '--runc-root',
    path.join(env.dir, 'ctr', 'runc'),
    '--rootfs',
    env.rootfs,
  ];
  return {
    name: 'ctr run --rm',
    helper: 'containerd-shim-runc-v2',
    comm: 'containerd-shim',
    marker: env.containerdAddress,
    async runShortTask(id) {
      await ctr('run', '--rm', ...runFlags, id, '/bin/true');
    },
    async startSleeper(id) {
      await ctr('run', '-d', ...runFlags, id, ...sleepArgs);
    },
    async stopSleepers(ids) {
      for (const id of ids) {
        await ctr('task', 'delete', '--force', id).catch(() => undefined);
        await ctr('container', 'delete', id).catch(() => undefined);
      }
    },
  };
}

/**
 * `podman run --rm --rootfs DIR` with its own --root, --runroot and --tmpdir. The `--ulimit`
 * flags are what this machine needs (Podman's default rlimits exceed its hard limits; see
 * containerd-facts.md); they go before `--rootfs DIR`, since Podman reads everything after the
 * first positional argument as the container's command.
 */
export function podmanPeer(env: BenchEnv): Peer & MonitoredPeer {
  const base = path.join(env.dir, 'podman');
  const podman = (...args: string[]): Promise<unknown> =>
    runCommand('podman', [
      '--root',
      path.join(base, 'root'),
      '--runroot',
      path.join(base, 'run'),
      '--tmpdir',
      path.join(base, 'tmp'),
      // Podman prefers crun when it is installed; every peer runs runc (crun also fails on this
      // machine's hybrid cgroup hierarchy).
      '--runtime',
      'runc',
      ...args,
    ]);
  const limits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  return {
    name: 'podman run --rm',
    helper: 'conmon',
    comm: 'conmon',
    marker: base,
    async runShortTask() {
      // Unnamed, as the plain command is: Podman picks a name.
      await podman('run', '--rm', ...limits, '--rootfs', env.rootfs, '/bin/true');
    },
    async startSleeper(id) {
      await podman('run', '-d', '--name', id, ...limits, '--rootfs', env.rootfs, ...sleepArgs);
    },
    async stopSleepers(ids) {
      if (ids.length > 0)
        await podman('rm', '--force', '--time', '0', ...ids).catch(() => undefined);
    },
  };
}
