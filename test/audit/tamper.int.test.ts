import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCompact, adminVerify } from '../../src/daemon/admin.ts';
import { cli, requireBuiltCli } from '../helpers/run-cli.ts';
import { ledgerContents, mixedRoot, withFile } from './mixed-log.ts';

/** `taskledger admin verify --root DIR`, the real CLI. */
const verify = (root: string) => cli('/nonexistent.sock', ['admin', 'verify', '--root', root]);

describe('admin verify on a database edited behind its back', () => {
  const roots: string[] = [];
  let last: number;
  const tampered = async (change: (sql: (text: string) => void) => void): Promise<string> => {
    const root = await mixedRoot(400);
    roots.push(root);
    withFile(root, (db) => change((text) => db.exec(text)));
    return root;
  };
  beforeAll(async () => {
    requireBuiltCli();
    const root = await mixedRoot(400);
    roots.push(root);
    last = ledgerContents(root).events.length;
    expect(last).toBeGreaterThan(100);
    expect((await verify(root)).stdout).toBe(
      `ok: ${last} events, hash chain intact, projections equal replay`,
    );
  });
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('reports an edited payload at its seq', async () => {
    const root = await tampered((sql) =>
      sql(`update events set payload = json_set(payload, '$.evil', 1) where seq = 57`),
    );
    const result = await verify(root);
    expect(result.stdout).toBe(
      'hash chain broken at seq 57: hash mismatch: the event was edited or reordered',
    );
    expect(result.exitCode).toBe(1);
  });

  it('reports a deleted row at its seq', async () => {
    const root = await tampered((sql) => sql('delete from events where seq = 40'));
    expect((await verify(root)).stdout).toBe(
      'hash chain broken at seq 40: event 40 is missing (next stored is 41)',
    );
  });

  it('reports two rows whose seqs were swapped at the first of them', async () => {
    const root = await tampered((sql) =>
      sql(`update events set seq = -1 where seq = 30;
           update events set seq = 30 where seq = 31;
           update events set seq = 31 where seq = -1;`),
    );
    expect((await verify(root)).stdout).toBe(
      'hash chain broken at seq 30: hash mismatch: the event was edited or reordered',
    );
  });

  it('reports a cut-off tail at the first missing seq, through the projection checkpoint', async () => {
    const root = await tampered((sql) => sql(`delete from events where seq > ${last - 3}`));
    expect((await verify(root)).stdout).toBe(
      `hash chain broken at seq ${last - 2}: events ${last - 2} to ${last} are missing: the log ends at seq ${last - 3} but the projections were checkpointed at seq ${last} (its tail was cut off)`,
    );
  });

  it('reports the first kept event missing, or a forged snapshot hash, after compaction', async () => {
    const root = await mixedRoot(400);
    roots.push(root);
    await adminCompact(root, 100);
    expect((await verify(root)).stdout).toMatch(/^ok: .*events up to seq 99 compacted/);
    withFile(root, (db) => db.exec(`update log_snapshot set hash = '${'f'.repeat(64)}'`));
    expect((await adminVerify(root)).chain).toEqual({
      seq: 100,
      reason: 'hash mismatch: the event was edited or reordered',
    });
    withFile(root, (db) => db.exec('delete from events where seq = 100'));
    expect((await adminVerify(root)).chain).toEqual({
      seq: 100,
      reason: 'event 100 is missing (next stored is 101)',
    });
  });
});
