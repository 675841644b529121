import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryJson, ReplayJson } from '../../src/api/audit-types.ts';
import { busyboxRootfs } from '../helpers/busybox-rootfs.ts';
import { cli, requireBuiltCli } from '../helpers/run-cli.ts';
import { forceDeleteTasks, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.ts';
import { ledgerContents } from './mixed-log.ts';

describe('history, replay, export, import and compaction through the daemon and the CLI', () => {
  let d: TestDaemon;
  let rootfs: string;
  let scratch: string;
  const tl = (...args: string[]) => cli(d.address, args);
  const history = async (id: string) =>
    JSON.parse((await tl('history', '--json', id)).stdout) as HistoryJson;
  beforeAll(async () => {
    requireBuiltCli();
    rootfs = await busyboxRootfs();
    d = await startTestDaemon();
    scratch = mkdtempSync(join(tmpdir(), 'taskledger-audit-cli-'));
  });
  afterAll(async () => {
    await forceDeleteTasks(d.client);
    await d.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Web's whole life on real runc, driven by the CLI; returns the states `ls` showed on the way. */
  async function liveAndDie() {
    const run = ['run', '-d', '--label', 'env=prod', '--rootfs', rootfs, 'web'];
    expect((await tl(...run, '--', 'sh', '-c', 'exec sleep 300')).exitCode).toBe(0);
    await tl('containers', 'label', 'web', 'team=infra');
    const whileRunning = {
      containers: JSON.parse((await tl('--json', 'containers', 'ls')).stdout) as unknown[],
      tasks: JSON.parse((await tl('--json', 'tasks', 'ls')).stdout) as unknown[],
    };
    const exec = await tl('tasks', 'exec', '--exec-id', 'dbg', 'web', '--', 'sh', '-c', 'exit 3');
    expect(exec.exitCode).toBe(3);
    await tl('tasks', 'pause', 'web');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await tl('tasks', 'resume', 'web');
    await tl('tasks', 'kill', '-s', 'SIGKILL', 'web');
    expect((await tl('tasks', 'wait', 'web')).exitCode).toBe(137);
    await tl('tasks', 'rm', 'web');
    expect((await tl('containers', 'rm', 'web')).exitCode).toBe(0);
    return whileRunning;
  }

  let whileRunning: Awaited<ReturnType<typeof liveAndDie>>;

  it('tells a deleted container’s whole timeline, with who did what and how long it took', async () => {
    whileRunning = await liveAndDie();
    const h = await history('web');
    expect(h).toMatchObject({ id: 'web', namespace: 'default', exists: false });
    const shown = h.entries.filter((e) => !e.hidden);
    expect(shown.map((e) => [e.topic, e.source])).toEqual([
      ['/containers/create', 'cli run'],
      ['/tasks/create', 'cli run'],
      ['/tasks/start', 'cli run'],
      ['/containers/update', 'cli containers label'],
      ['/tasks/exec-added', 'cli tasks exec'],
      ['/tasks/exec-started', 'cli tasks exec'],
      ['/tasks/exit', 'daemon runtime monitor'],
      ['/taskledger/tasks/exec-deleted', 'cli tasks exec'],
      ['/tasks/paused', 'cli tasks pause'],
      ['/tasks/resumed', 'cli tasks resume'],
      ['/tasks/exit', 'daemon runtime monitor'],
      ['/tasks/delete', 'cli tasks rm'],
      ['/containers/delete', 'cli containers rm'],
    ]);
    const byTopic = (topic: string) => shown.filter((e) => e.topic === topic);
    expect(byTopic('/tasks/exit').map((e) => e.summary)).toEqual([
      'exec dbg exited with status 3',
      'task exited with status 137 (SIGKILL)',
    ]);
    expect(byTopic('/tasks/resumed')[0]!.duration_ms).toBeGreaterThanOrEqual(150);
    const [execExit, taskExit] = byTopic('/tasks/exit');
    expect(execExit!.duration_ms).toBeGreaterThanOrEqual(0); // `exit 3` may end before its start is recorded
    expect(taskExit!.duration_ms).toBeGreaterThan(150); // it slept through the pause
    expect(byTopic('/containers/delete')[0]!.duration_ms).toBeGreaterThan(taskExit!.duration_ms!);
    const times = shown.map((e) => e.since_created_ms!);
    expect(times[0]).toBe(0);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(h.entries.filter((e) => e.hidden).map((e) => e.topic)).toEqual([
      '/taskledger/tasks/create-intent',
      '/taskledger/tasks/delete-intent',
    ]);
  });

  it('prints the timeline as a table, hiding resolved intents unless --all', async () => {
    const plain = await tl('history', 'web');
    const lines = plain.stdout.split('\n');
    expect(lines[0]).toMatch(/^container web \(namespace default\): created .*, deleted .* after /);
    expect(lines[1]).toMatch(/^SEQ\s+TIME \(UTC\)\s+SINCE\s+TOOK\s+SOURCE\s+EVENT$/);
    expect(plain.stdout).toMatch(
      /\+0s\s+-\s+cli run\s+container created: sh -c "exec sleep 300", labels env=prod$/m,
    );
    expect(plain.stdout).toMatch(
      /\+\S+\s+\d\S*s\s+daemon runtime monitor\s+task exited with status 137 \(SIGKILL\)$/m,
    );
    expect(plain.stdout).toMatch(/· exec dbg removed/);
    expect(lines.at(-1)).toBe(
      '· taskledger bookkeeping, not a containerd event; 2 resolved intent(s) hidden: --all shows them',
    );
    expect((await tl('history', '--all', 'web')).stdout).toMatch(/· task create requested/);
    const missing = await tl('history', 'ghost');
    expect(missing).toMatchObject({
      exitCode: 3,
      stderr: 'taskledger: no history for container "ghost" in namespace "default"',
    });
  });

  it('shows a failed task create with its error', async () => {
    const bad = await tl('run', '-d', '--rootfs', rootfs, 'broken', '--', '/no/such/binary');
    expect(bad.exitCode).toBe(5);
    const h = await history('broken');
    const failed = h.entries.find((e) => e.topic === '/taskledger/tasks/create-failed')!;
    expect(failed.error).toMatch(/runc create failed: .*\/no\/such\/binary/);
    expect(failed).toMatchObject({ bookkeeping: true, hidden: false, source: 'cli run' });
    expect(failed.summary).toBe(`task create failed: ${failed.error}`);
    expect((await tl('history', 'broken')).stdout).toMatch(/cli run\s+· task create failed: /);
  });

  it('replays the containers and tasks of any past seq or time, in ls’s shape', async () => {
    const h = await history('web');
    const update = h.entries.find((e) => e.topic === '/containers/update')!;
    const bySeq = JSON.parse(
      (await tl('replay', '--json', '--until', String(update.seq))).stdout,
    ) as ReplayJson;
    expect(bySeq.until_seq).toBe(update.seq);
    expect(bySeq.containers).toEqual(whileRunning.containers);
    expect(bySeq.tasks).toEqual(whileRunning.tasks);
    const byTime = JSON.parse(
      (await tl('replay', '--json', '--until', update.timestamp)).stdout,
    ) as ReplayJson;
    expect(byTime).toEqual(bySeq);
    const table = (await tl('replay', '--until', String(update.seq))).stdout;
    expect(table).toMatch(/^state after seq \d+ \(.* UTC\), namespace default:$/m);
    expect(table).toMatch(/^web\s+-\s+io\.containerd\.runc\.v2\s+env=prod,team=infra$/m);
    expect(table).toMatch(/^web\s+\d+\s+RUNNING$/m);
    const before = await tl('replay', '--json', '--until', '0');
    expect(JSON.parse(before.stdout)).toEqual({
      until_seq: 0,
      timestamp: null,
      containers: [],
      tasks: [],
    });
    expect((await tl('replay')).exitCode).toBe(2);
  });

  it('exports the stopped daemon’s log and imports it into a root that reproduces it', async () => {
    await d.stop();
    const file = join(scratch, 'events.jsonl');
    const exported = await cli(d.address, ['admin', 'export', '--root', d.root]);
    expect(exported.exitCode).toBe(0);
    writeFileSync(file, `${exported.stdout}\n`);
    const copy = join(scratch, 'copy');
    const imported = await cli(d.address, ['admin', 'import', '--root', copy], {
      input: readFileSync(file, 'utf8'),
    });
    const original = ledgerContents(d.root);
    expect(imported.stdout).toBe(
      `imported ${original.events.length} events: last seq ${original.events.length}, chain hash ${original.lastHash}`,
    );
    expect(ledgerContents(copy)).toEqual(original);
    expect((await cli(d.address, ['admin', 'verify', '--root', copy])).exitCode).toBe(0);
    const again = await cli(d.address, ['admin', 'import', '--root', copy], {
      input: readFileSync(file, 'utf8'),
    });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/^taskledger: the target root already holds a log/);
  });

  it('compacts, after which history says so and readers of compacted events are refused', async () => {
    const last = ledgerContents(d.root).events.length;
    const compact = await cli(d.address, ['admin', 'compact', '--root', d.root, '--before', '8']);
    expect(compact.stdout).toMatch(
      /^compacted 7 events \(up to seq 7\) into a snapshot; \d+ events kept/,
    );
    expect((await cli(d.address, ['admin', 'verify', '--root', d.root])).stdout).toBe(
      `ok: ${last} events, hash chain intact, projections equal replay (events up to seq 7 compacted: chain checked from the snapshot's hash, projections against snapshot + replay)`,
    );
    await d.restart();
    const h = await history('web');
    expect(h.compacted).toMatchObject({ through_seq: 7, events: 7 });
    expect(h.entries[0]!.seq).toBe(8);
    expect((await tl('history', 'web')).stdout.split('\n')[1]).toMatch(
      /^earlier history compacted: 7 event\(s\) up to seq 7 \(.*\); then: the container existed, task running \(pid \d+\)$/,
    );
    const since1 = await tl('events', '--since', '1');
    expect(since1.exitCode).toBe(5);
    expect(since1.stderr).toMatch(
      /^taskledger: events up to seq 7 \(.*\) were compacted: since 1 asks for deleted history; the log starts at seq 8$/,
    );
    expect(await tl('events', '--until', '3')).toMatchObject({
      exitCode: 5,
      stderr: 'taskledger: events up to seq 7 were compacted: nothing is left up to 3',
    });
    const all = (await tl('events', '--json')).stdout.split('\n');
    expect((JSON.parse(all[0]!) as { seq: number }).seq).toBe(8);
    expect((await tl('replay', '--until', '3')).stderr).toMatch(
      /^taskledger: events up to seq 7 \(.*\) were compacted: the earliest state left is at seq 7$/,
    );
  });
});
