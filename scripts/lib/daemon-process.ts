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

/** Spawns `taskledger daemon` as a real process (its stderr is drained, not shown). */
export function spawnDaemon(dirs: DaemonDirs): ChildProcess {
  const child = spawn(
    'node',
    [cliPath, 'daemon', '--root', dirs.root, '--state', dirs.state, '--address', dirs.address],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr.resume();
  return child;
}

/** Resolves once the daemon at `address` answers, polling every `stepMs`; rejects after `timeoutMs`. */
export async function waitReady(address: string, timeoutMs = 10_000, stepMs = 5): Promise<void> {
  const client = connect(address);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
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
  throw new Error(`daemon at ${address} did not answer within ${timeoutMs} ms`);
}

/** Sends `signal` to the daemon and resolves when it has exited. */
export async function stopDaemon(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
