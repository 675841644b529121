import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDaemon } from './test-daemon.ts';

/** Resolves once no process has `pid` any more; rejects after `timeoutMs`. */
export async function processGone(pid: number, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 20))) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} did not end`);
  }
}

/**
 * Resolves once the conmon of task `id` (namespace default) has exited, which it does after it
 * wrote the exit file: from then on, a daemon (re)started finds the exit recorded, not live.
 * Waiting for the task's process alone is not enough; conmon writes the file after reaping it.
 */
export async function monitorExited(d: TestDaemon, id: string): Promise<void> {
  const monitor = join(d.state, 'bundles', 'default', id, 'init');
  const conmon = Number(readFileSync(join(monitor, 'conmon.pid'), 'utf8'));
  if (!Number.isInteger(conmon) || conmon <= 0) throw new Error(`no conmon pid for ${id}`);
  await processGone(conmon);
  if (!existsSync(join(monitor, 'exit'))) throw new Error(`conmon of ${id} left no exit file`);
}
