import type { Clock } from '../ports/clock.ts';
import type { ExitWatcher } from './exit-watcher.ts';
import type { LogForwarder } from './log-forwarder.ts';
import type { RuncCli } from './runc-cli.ts';
import type { RuntimeLayout } from './runtime-layout.ts';
import type { ShellLauncher } from './shell-launcher.ts';
import type { SubprocessRunner } from './subprocess-runner.ts';

/** What the runc runtime's tasks and processes share; owned by the runtime, private to it. */
export interface RuncContext {
  /** Paths under the state directory. */
  readonly layout: RuntimeLayout;
  /** Runs runc. */
  readonly runc: RuncCli;
  /** The runc binary conmon runs. */
  readonly runcBinary: string;
  /** How long one runc operation may take (a call, or a start through the exec FIFO). */
  readonly runcTimeoutMs: number;
  /** The conmon binary. */
  readonly conmonBinary: string;
  /** How long to wait for conmon to report a create or an exec. */
  readonly conmonTimeoutMs: number;
  /** Watches monitor directories for exits and OOMs. */
  readonly watcher: ExitWatcher;
  /** Output forwarders by monitor directory; finished when that process exits. */
  readonly forwarders: Map<string, LogForwarder>;
  /** Time of exits the runtime has to make up (status 255 when the monitor is gone). */
  readonly clock: Clock;
  /** Runs every other subprocess (runc, mount, umount, the stdin relay's starter), from the launcher shells when it can. */
  readonly runner: SubprocessRunner;
  /** The small long-lived shells that start conmon (and, through the runner, the rest), so that the daemon does not fork. */
  readonly launcher: ShellLauncher;
  /** conmon launches waiting for their report; close lets them finish. */
  readonly launches: Set<Promise<unknown>>;
  /** Removals of deleted tasks' files still under way (task-cleanup.ts); close waits for them. */
  readonly removals: Set<Promise<unknown>>;
}
