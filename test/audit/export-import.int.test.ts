import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminCompact, adminExport, adminImport, adminVerify } from '../../src/daemon/admin.ts';
import { projections } from '../../src/daemon/daemon.ts';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { chainHash, genesisHash } from '../../src/store/event-hash.ts';
import { openLedgerDatabase } from '../../src/store/open-database.ts';
import { createSqliteEventStore } from '../../src/store/sqlite-event-store.ts';
import { hashedFields, type EventRow } from '../../src/store/stored-event-row.ts';
import { steppingClock } from '../helpers/temp-store.ts';
import { collector, ledgerContents, linesOf, mixedRoot } from './mixed-log.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function source(steps = 1500): Promise<string> {
  const root = await mixedRoot(steps);
  dirs.push(root);
  return root;
}

function emptyRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'taskledger-import-'));
  dirs.push(dir);
  return join(dir, 'root'); // does not exist yet: import creates it
}

async function exportText(root: string, range: { since?: string; until?: string } = {}) {
  const out = collector();
  await adminExport(root, range, out.stream);
  return out.text();
}

/** Imports `text` into a new root; resolves with the error it fails with (or undefined). */
async function importFails(text: string): Promise<{ error: unknown; root: string }> {
  const root = emptyRoot();
  try {
    await adminImport(root, linesOf(text));
    return { error: undefined, root };
  } catch (error) {
    return { error, root };
  }
}

const lines = (text: string) => text.trimEnd().split('\n');
const edit = (text: string, seq: number, change: (e: Record<string, unknown>) => void) =>
  lines(text)
    .map((line) => {
      const e = JSON.parse(line) as Record<string, unknown>;
      if (e.seq !== seq) return line;
      change(e);
      return JSON.stringify(e);
    })
    .join('\n');

function expectInvalid(error: unknown, message: RegExp): void {
  expect(isTaskledgerError(error, 'InvalidArgument'), String(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

describe('admin export and import', () => {
  it('reproduce the same events, projections and chain hash in a new root', async () => {
    const from = await source();
    const text = await exportText(from);
    const to = emptyRoot();
    const result = await adminImport(to, linesOf(text));
    const original = ledgerContents(from);
    const copy = ledgerContents(to);
    expect(original.events.length).toBeGreaterThan(500);
    expect(result).toMatchObject({ events: original.events.length, lastHash: original.lastHash });
    expect(copy.lastHash).toBe(original.lastHash);
    // seq, timestamps, stream versions, correlation ids, sources: every column of every event.
    expect(copy.events).toEqual(original.events);
    expect(copy.containers).toEqual(original.containers);
    expect(copy.tasks).toEqual(original.tasks);
    expect(await adminVerify(to)).toMatchObject({ chain: undefined, projection: undefined });
  });

  it('writes one JSON line per event, then an end line that counts them', async () => {
    const text = await exportText(await source(50));
    const all = lines(text).map((l) => JSON.parse(l) as Record<string, unknown>);
    const end = all.pop()!;
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(Object.keys(all[0]!)).toEqual([
      'seq',
      'timestamp',
      'namespace',
      'topic',
      'event',
      'stream_id',
      'stream_version',
      'correlation_id',
      'source',
      'hash',
    ]);
    expect(end).toEqual({
      end: { events: all.length, last_seq: all.length, last_hash: all.at(-1)!.hash },
    });
  });

  it('exports a range with --since and --until', async () => {
    const text = await exportText(await source(200), { since: '5', until: '9' });
    const seqs = lines(text).map((l) => (JSON.parse(l) as { seq?: number }).seq);
    expect(seqs).toEqual([5, 6, 7, 8, 9, undefined]);
  });

  it('refuses an edited line at its exact seq and imports nothing', async () => {
    const text = await exportText(await source(300));
    const tampered = edit(text, 42, (e) => {
      e.source = 'someone else';
    });
    const { error, root } = await importFails(tampered);
    expectInvalid(error, /^hash mismatch at seq 42:/);
    expect(existsSync(join(root, 'ledger.db'))).toBe(false); // the root it created is gone
  });

  it('refuses a line whose payload was edited, found at its seq', async () => {
    const text = await exportText(await source(300));
    const tampered = edit(text, 77, (e) => {
      (e.event as Record<string, unknown>).evil = true;
    });
    expectInvalid((await importFails(tampered)).error, /^hash mismatch at seq 77:/);
  });

  it('refuses a gap, a duplicate and a reordering with the seq where it happens', async () => {
    const text = await exportText(await source(300));
    const l = lines(text);
    const without = [...l.slice(0, 9), ...l.slice(10)].join('\n'); // seq 10 missing
    expectInvalid((await importFails(without)).error, /^seq 11 cannot follow seq 9/);
    const twice = [...l.slice(0, 10), l[9], ...l.slice(10)].join('\n'); // seq 10 twice
    expectInvalid((await importFails(twice)).error, /^seq 10 cannot follow seq 10/);
    const swapped = [...l.slice(0, 4), l[5], l[4], ...l.slice(6)].join('\n');
    expectInvalid((await importFails(swapped)).error, /^seq 6 cannot follow seq 4/);
  });

  it('refuses malformed lines naming the line', async () => {
    const text = await exportText(await source(50));
    const l = lines(text);
    const garbage = [...l.slice(0, 3), '{"seq": 4, oops', ...l.slice(3)].join('\n');
    expectInvalid((await importFails(garbage)).error, /^line 4 is not valid JSON/);
    const noHash = edit(text, 2, (e) => {
      delete e.hash;
    });
    expectInvalid((await importFails(noHash)).error, /^line 2 \(seq 2\): "hash" must be a string/);
  });

  it('refuses a truncated export and one made with --since', async () => {
    const from = await source(300);
    const text = await exportText(from);
    const cut = lines(text).slice(0, 40).join('\n');
    expectInvalid((await importFails(cut)).error, /without its end line: it is truncated/);
    const partial = await exportText(from, { since: '10' });
    expectInvalid((await importFails(partial)).error, /starts at seq 10 with no snapshot/);
  });

  it('refuses a target that already holds events, and leaves it as it was', async () => {
    const from = await source(100);
    const target = await source(30);
    const before = ledgerContents(target);
    let error: unknown;
    try {
      await adminImport(target, linesOf(await exportText(from)));
    } catch (e) {
      error = e;
    }
    expectInvalid(error, /already holds a log \(last seq \d+\): import needs an empty root/);
    expect(ledgerContents(target)).toEqual(before);
  });

  it('carries a compacted log over with its snapshot: same projections and chain', async () => {
    const from = await source(1200);
    const last = ledgerContents(from).events.length;
    await adminCompact(from, Math.floor(last / 2));
    const text = await exportText(from);
    expect(Object.keys(JSON.parse(lines(text)[0]!) as object)).toEqual(['snapshot']);
    const to = emptyRoot();
    const result = await adminImport(to, linesOf(text));
    expect(result.fromSnapshot).toBe(true);
    const original = ledgerContents(from);
    expect(ledgerContents(to)).toEqual(original);
    const report = await adminVerify(to);
    expect(report).toMatchObject({ chain: undefined, projection: undefined });
    expect(report.compactedThrough).toBe(Math.floor(last / 2) - 1);
  });

  it('keeps a payload byte for byte when its text is not what JSON.stringify would write', async () => {
    // A log written by another JSON encoder: same object, different text, and the hash covers it.
    const from = emptyRoot();
    mkdirSync(from, { recursive: true });
    const db = await openLedgerDatabase(join(from, 'ledger.db'));
    try {
      const store = createSqliteEventStore(db, { clock: steppingClock(), projections });
      const row: EventRow = {
        seq: 1,
        stream_id: 'container/default/odd',
        stream_version: 1,
        namespace: 'default',
        topic: '/containers/create',
        payload:
          '{ "id": "odd", "image": "", "labels": {}, "spec": {}, "rootfs": "/r", "runtime": {"name": "x"} }',
        timestamp: '2026-11-29T00:00:00.000000000Z',
        correlation_id: 'c',
        source: 'elsewhere',
        hash: '',
      };
      row.hash = chainHash(genesisHash, hashedFields(row));
      store.appendStored([row]);
    } finally {
      await db.close();
    }
    const text = await exportText(from);
    const line = JSON.parse(lines(text)[0]!) as Record<string, unknown>;
    expect(line.event).toBeUndefined();
    expect(typeof line.payload).toBe('string');
    const to = emptyRoot();
    await adminImport(to, linesOf(text));
    expect(ledgerContents(to)).toEqual(ledgerContents(from));
  });
});
