import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { busyboxRootfs } from '../helpers/busybox-rootfs.ts';
import { requireBuiltCli } from '../helpers/run-cli.ts';

const script = fileURLToPath(new URL('../../scripts/crash-test.ts', import.meta.url));

describe('crash test (short)', () => {
  it('survives SIGKILLs of the daemon under load with no invariant violated', async () => {
    requireBuiltCli();
    const rootfs = await busyboxRootfs();
    const result = await execa(
      'node',
      ['--import', 'tsx', script, '--rounds', '3', '--workers', '3', '--seed', '7'],
      {
        reject: false,
        timeout: 170_000,
        env: { TASKLEDGER_ROOTFS: rootfs },
      },
    );
    expect(result.stderr).not.toContain('violation:');
    expect(result.stdout).toMatch(/^rounds: 3, kills: 3, exits checked: \d+, violations: 0$/m);
    expect(result.exitCode).toBe(0);
  }, 180_000);
});
