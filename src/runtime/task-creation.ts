import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  alreadyExists,
  failedPrecondition,
  invalidArgument,
  isTaskledgerError,
} from '../domain/errors.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import type { CreateOpts, OciSpec } from '../ports/runtime.ts';
import { bundleConfig } from './bundle-config.ts';
import { conmonCreateArgs } from './conmon-args.ts';
import { launchConmon } from './conmon-launcher.ts';
import { initProcess } from './exit-watcher.ts';
import { startLogForwarder } from './log-forwarder.ts';
import { runcStateArgs } from './runc-args.ts';
import type { RuncContext } from './runc-context.ts';
import { parseRuncState, type RuncContainerState } from './runc-output.ts';
import { RuncTask } from './runc-task.ts';
import { mountRootfs } from './rootfs-mounts.ts';
import { rootfsPlan, type RootfsPlan } from './rootfs-source.ts';
import { claimStandby } from './standby-claim.ts';
import type { StandbyMonitors } from './standby-monitors.ts';
import { startStdinRelay, stdinRelayFor } from './stdin-relay.ts';
import { removeTask } from './task-cleanup.ts';

/** What runc says of a container, or undefined when it does not know it. */
export async function runcState(
  ctx: RuncContext,
  namespace: string,
  id: string,
): Promise<RuncContainerState | undefined> {
  try {
    return parseRuncState(await ctx.runc.run(runcStateArgs(ctx.layout.runcRoot(namespace), id)));
  } catch (error) {
    if (isTaskledgerError(error, 'NotFound')) return undefined;
    throw error;
  }
}

/** Refuses a rootfs directory that is missing before anything is written, naming it. */
function checkRootfsDirectory(rootfs: RootfsPlan): void {
  if (rootfs.kind !== 'directory') return;
  const found = statSync(rootfs.path, { throwIfNoEntry: false });
  if (!found) throw failedPrecondition(`rootfs ${rootfs.path} does not exist`);
  if (!found.isDirectory()) throw failedPrecondition(`rootfs ${rootfs.path} is not a directory`);
}

/**
 * Whether a standby monitor can make this task: one started without stdin or terminal flags, for
 * a spec without hooks (runc runs create-time hooks while the container still has the slot's
 * name, and they would see it).
 */
function standbyCanMake(config: OciSpec, io: CreateOpts['io'], stdin: unknown): boolean {
  const hooks = config.hooks;
  const hasHooks =
    typeof hooks === 'object' &&
    hooks !== null &&
    Object.values(hooks).some((list) => Array.isArray(list) && list.length > 0);
  return stdin === undefined && !io.terminal && !hasHooks;
}

/**
 * Creates a task: validates, writes the bundle (config.json and, for a mounted rootfs, its mount
 * point), mounts the rootfs unless it is a plain directory (rootfs-source.ts), starts watching
 * the init's monitor directory and forwarding its output, then has conmon run `runc create`,
 * and relays the stdin path or an open stdin's FIFO, if any, into conmon (stdin-relay.ts). When
 * a standby monitor is ready and can make the task, it does (standby-claim.ts): its conmon and
 * runc have started already. Everything is checked that can be before anything is written;
 * after that, any failure removes every trace again (runc container, mounts, monitor, stdin
 * relay, bundle, what a claimed standby's slot left).
 */
export async function createTask(
  ctx: RuncContext,
  id: string,
  opts: CreateOpts,
  standbys?: StandbyMonitors,
): Promise<RuncTask> {
  const { namespace } = opts;
  validateIdentifier(namespace, 'namespace');
  validateIdentifier(id, 'container id');
  if (opts.checkpoint)
    throw invalidArgument(
      'restoring a checkpoint is not supported (CRIU cannot dump on this kernel)',
    );
  const { layout, watcher, forwarders } = ctx;
  const paths = layout.task(namespace, id);
  const runcRoot = layout.runcRoot(namespace);
  const rootfs = rootfsPlan(opts.rootfs, opts.spec);
  const config = bundleConfig(opts.spec, {
    rootfs: rootfs.kind === 'directory' ? rootfs.path : paths.rootfs,
    readonly: rootfs.kind === 'directory' && rootfs.readonly,
    cgroupsPath: layout.cgroupsPath(namespace, id),
    terminal: opts.io.terminal,
  });
  checkRootfsDirectory(rootfs);
  const stdin = await stdinRelayFor(opts.io, paths.init);
  // No `runc state` probe first (a process spawn on the hot path): the bundle directory is
  // created exclusively below, and a runc container without a bundle is an orphan that recovery
  // removes; `runc create` itself refuses a taken id with its own message.
  // The bundle's directories and small files are written synchronously: each async call would be
  // a thread-pool round trip (35 to 180 us here), and these are a few local metadata writes.
  mkdirSync(layout.namespaceBundles(namespace), { recursive: true });
  mkdirSync(runcRoot, { recursive: true });
  try {
    mkdirSync(paths.bundle);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST')
      throw alreadyExists(`task ${namespace}/${id} already exists`);
    throw error;
  }
  const what = `create ${namespace}/${id}`;
  const configText = JSON.stringify(config, null, 2);
  // Once the bundle directory holds the init's monitor directory: what runc needs before it reads
  // the spec, and what must watch the process before it can exit.
  const setUp = async (): Promise<void> => {
    if (rootfs.kind === 'mounts') {
      mkdirSync(paths.rootfs);
      await mountRootfs(rootfs.mounts, paths.rootfs, ctx.runner);
    }
    watcher.watch(initProcess(namespace, id, paths));
    const forwarder = await startLogForwarder({
      logFile: paths.init.logFile,
      stdout: opts.io.stdout,
      stderr: opts.io.stderr,
    });
    if (forwarder) forwarders.set(paths.init.dir, forwarder);
  };
  try {
    // A leftover runc container of this id: the ordinary path lets runc refuse it in its words.
    const standby =
      standbyCanMake(config, opts.io, stdin) && !existsSync(path.join(runcRoot, id))
        ? standbys?.take()
        : undefined;
    let pid: number;
    if (standby && standbys) {
      pid = await claimStandby(ctx, standbys, standby, {
        what,
        paths,
        runcRoot,
        id,
        config: configText,
        setUp,
      });
    } else {
      mkdirSync(paths.init.dir);
      writeFileSync(paths.config, configText);
      // The log exists before conmon starts, so the forwarder can watch it from the first byte.
      writeFileSync(paths.init.logFile, '');
      await setUp();
      pid = await launchConmon(ctx, {
        args: conmonCreateArgs({
          runcBinary: ctx.runcBinary,
          runcRoot,
          containerId: id,
          bundle: paths.bundle,
          process: paths.init,
          socketDir: layout.socketDir,
          stdin: stdin !== undefined,
          terminal: opts.io.terminal,
        }),
        monitor: paths.init,
        what,
      });
    }
    if (stdin) {
      await startStdinRelay({
        source: stdin,
        process: paths.init,
        runner: ctx.runner,
        timeoutMs: ctx.conmonTimeoutMs,
      });
    }
    return new RuncTask(ctx, namespace, id, pid, { openStdin: stdin?.open });
  } catch (error) {
    // Leave nothing behind: no runc container, no mount, no monitor, no bundle.
    await removeTask(ctx, namespace, id).catch(() => undefined);
    throw error;
  }
}
