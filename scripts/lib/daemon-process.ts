import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../../src/api/client.ts';

/** The repository root (scripts run from anywhere). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI entry point (it runs the bundle scripts/build.sh makes). */
export const cliPath = join(repoRoot, 'bin', 'taskledger.js');

/** Where a daemon process keeps things. */
export interface DaemonDirs {
  readonly root: string;
  readonly state: string;
  readonly address: string;
}

/** A daemon process and the tail of what it wrote on stderr (its log). */
export interface DaemonProcess {
  readonly child: ChildProcess;
  /** The last lines of the daemon's log, for failure reports. */
  logTail(): string;
}

/** Spawns `taskledger daemon` as a real process, keeping the tail of its log. */
export function spawnDaemon(dirs: DaemonDirs): DaemonProcess {
  const child = spawn(
    'node',
    [cliPath, 'daemon', '--root', dirs.root, '--state', dirs.state, '--address', dirs.address],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let tail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  return { child, logTail: () => tail };
}

/**
 * Resolves once the daemon at `address` answers, polling every `stepMs`; rejects after
 * `timeoutMs`, or as soon as the process exits, with the tail of its log.
 */
export async function waitReady(
  daemon: DaemonProcess,
  address: string,
  timeoutMs = 10_000,
  stepMs = 5,
): Promise<void> {
  const client = connect(address);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) {
      throw new Error(
        `daemon exited (${daemon.child.exitCode ?? daemon.child.signalCode}) before serving:\n${daemon.logTail()}`,
      );
    }
    if (existsSync(address)) {
      try {
        await client.version();
        return;
      } catch {
        // listening soon
      }
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(
    `daemon at ${address} did not answer within ${timeoutMs} ms; its log:\n${daemon.logTail()}`,
  );
}

/** Sends `signal` to the daemon and resolves when it has exited. */
export async function stopDaemon(
  daemon: DaemonProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const { child } = daemon;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
