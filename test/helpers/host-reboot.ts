import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDaemon } from './test-daemon.ts';

/**
 * What a host reboot does to a stopped daemon's running task, simulated: its monitors and its
 * process (`pid`) die without a word, and runc's state and conmon's exit record are gone.
 */
export function simulateHostReboot(d: TestDaemon, id: string, pid: number): void {
  for (const conmon of execFileSync('pgrep', ['-f', `conmon.*${d.state}`])
    .toString()
    .trim()
    .split('\n'))
    process.kill(Number(conmon), 'SIGKILL');
  process.kill(pid, 'SIGKILL');
  rmSync(join(d.state, 'runc'), { recursive: true, force: true });
  rmSync(join(d.state, 'bundles', 'default', id, 'init', 'exit'), { force: true });
}
