import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { readPidFile } from '../../src/runtime/monitor-files.ts';
import { createRuntimeLayout } from '../../src/runtime/runtime-layout.ts';
import {
  delay,
  eventually,
  initExit,
  withRuntimeFixture,
  type RuntimeFixture,
} from './runtime-fixture.ts';

let fx: RuntimeFixture;
withRuntimeFixture('lifecycle', (created) => (fx = created));

describe('runc runtime lifecycle (real runc + conmon)', () => {
  it('reports exit status 0 for a command that succeeds', async () => {
    const task = await fx.create('ok', ['true']);
    expect(await task.status()).toBe('created');
    await task.start();
    const event = await fx.nextEvent(initExit('ok'));
    expect(event).toMatchObject({
      type: 'exit',
      namespace: 'default',
      containerId: 'ok',
      execId: 'ok',
      status: 0,
    });
    expect(event.type === 'exit' && event.pid).toBe(task.pid);
    expect(await task.status()).toBe('stopped');
    expect(await fx.runtime.delete(task)).toMatchObject({ status: 0 });
  });

  it('reports the exit status a command returns', async () => {
    const task = await fx.create('three', ['sh', '-c', 'exit 3']);
    await task.start();
    expect(await fx.nextEvent(initExit('three'))).toMatchObject({ status: 3 });
    expect(await task.exit()).toMatchObject({ status: 3 });
    expect(await fx.runtime.delete(task)).toMatchObject({ status: 3 });
  });

  it('reports 137 for a task killed with SIGKILL', async () => {
    const task = await fx.create('killed', ['sleep', '60']);
    await task.start();
    expect(await task.status()).toBe('running');
    await task.kill(9);
    expect(await fx.nextEvent(initExit('killed'))).toMatchObject({ status: 137 });
    await fx.runtime.delete(task);
  });

  it('kills every process of the task with kill --all', async () => {
    const task = await fx.create('family', ['sh', '-c', 'sleep 60 & sleep 60 & wait']);
    await task.start();
    await waitFor(async () => (await task.pids()).length === 3);
    const pids = await task.pids();
    await task.kill(9, { all: true });
    expect(await fx.nextEvent(initExit('family'))).toMatchObject({ status: 137 });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    await fx.runtime.delete(task);
  });

  it('pauses and resumes a task', async () => {
    const task = await fx.create('frozen', ['sleep', '60']);
    await task.start();
    await task.pause();
    expect(await task.status()).toBe('paused');
    expect(processState(task.pid)).toBe('D'); // frozen by the cgroup freezer
    await task.resume();
    expect(await task.status()).toBe('running');
    expect(processState(task.pid)).toBe('S');
    await task.kill(9);
    await fx.nextEvent(initExit('frozen'));
    await fx.runtime.delete(task);
  });

  it('lists the host pids of every process in the task', async () => {
    const task = await fx.create('pids', ['sh', '-c', 'sleep 60 & wait']);
    await task.start();
    await waitFor(async () => (await task.pids()).length === 2);
    const pids = await task.pids();
    expect(pids).toContain(task.pid);
    for (const pid of pids)
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/^(sh|sleep)\0/);
    await task.kill(9, { all: true });
    await fx.nextEvent(initExit('pids'));
    await fx.runtime.delete(task);
  });

  it('reads cgroup metrics of a running task', async () => {
    const task = await fx.create('metrics', [
      'sh',
      '-c',
      'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 60 & wait',
    ]);
    await task.start();
    await waitFor(async () => (await task.pids()).length === 2);
    const metrics = await task.metrics();
    expect(metrics.cpu.usageNs).toBeGreaterThan(0);
    expect(metrics.memory.usageBytes).toBeGreaterThan(0);
    expect(metrics.memory.maxUsageBytes).toBeGreaterThanOrEqual(metrics.memory.usageBytes);
    expect(metrics.pids.current).toBe(2);
    await task.kill(9, { all: true });
    await fx.nextEvent(initExit('metrics'));
    await fx.runtime.delete(task);
  });

  it('refuses to delete a running task and keeps it intact', async () => {
    const task = await fx.create('busy', ['sleep', '60']);
    await task.start();
    const error: unknown = await fx.runtime.delete(task).catch((e: unknown) => e);
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    expect(await task.status()).toBe('running');
    await task.kill(9);
    await fx.nextEvent(initExit('busy'));
    await fx.runtime.delete(task);
  });

  it('deletes a stopped task with its cgroups and runc state, as runc delete would', async () => {
    const task = await fx.create('gone', ['sh', '-c', 'sleep 30 & exit 0']);
    const stateFile = path.join(fx.stateDir, 'runc', 'default', 'gone', 'state.json');
    const cgroups = Object.values(
      (JSON.parse(readFileSync(stateFile, 'utf8')) as { cgroup_paths: Record<string, string> })
        .cgroup_paths,
    );
    expect(cgroups.length).toBeGreaterThan(0);
    await task.start();
    // The init exits at once; the kernel kills the backgrounded sleep with its PID namespace.
    await fx.nextEvent(initExit('gone'));
    expect(await fx.runtime.delete(task)).toMatchObject({ status: 0 });
    expect(cgroups.filter((dir) => existsSync(dir))).toEqual([]);
    expect(existsSync(path.dirname(stateFile))).toBe(false);
    const { stdout } = await execa('runc', [
      '--root',
      path.dirname(path.dirname(stateFile)),
      'list',
      '-q',
    ]);
    expect(stdout.split('\n')).not.toContain('gone');
  });

  it("frees a deleted task's bundle path at once and removes its files soon after", async () => {
    const task = await fx.create('parked', ['sh', '-c', 'echo some output']);
    await task.start();
    await fx.nextEvent(initExit('parked'));
    await fx.runtime.delete(task);
    expect(existsSync(task.bundle)).toBe(false);
    // The same id at once, while the old files may still be on their way out.
    const again = await fx.create('parked', ['true']);
    await fx.runtime.delete(again);
    const scratch = path.join(fx.stateDir, 'scratch');
    await eventually(() =>
      expect(readdirSync(scratch).filter((name) => name.startsWith('removed-'))).toEqual([]),
    );
  });

  it('deletes a task that was created but never started', async () => {
    const task = await fx.create('unstarted', ['sleep', '60']);
    const exit = await fx.runtime.delete(task);
    expect(exit.status).toBe(137);
    expect(await fx.runtime.get('default', 'unstarted')).toBeUndefined();
  });

  it('finds tasks by namespace and id, keeping equal ids in two namespaces apart', async () => {
    const a = await fx.create('twin', ['sleep', '60'], { namespace: 'alpha' });
    const b = await fx.create('twin', ['sleep', '60'], { namespace: 'beta' });
    await a.start();
    await b.start();
    expect(a.pid).not.toBe(b.pid);
    const listed = (await fx.runtime.tasks()).map((t) => `${t.namespace}/${t.id}`);
    expect(listed).toEqual(expect.arrayContaining(['alpha/twin', 'beta/twin']));
    expect((await fx.runtime.get('beta', 'twin'))?.pid).toBe(b.pid);
    expect(await fx.runtime.get('gamma', 'twin')).toBeUndefined();
    await a.kill(9);
    expect(await fx.nextEvent((e) => initExit('twin')(e) && e.namespace === 'alpha')).toMatchObject(
      { status: 137 },
    );
    expect(await b.status()).toBe('running'); // its own cgroup: killing a did not touch b
    await b.kill(9);
    expect(await fx.nextEvent((e) => initExit('twin')(e) && e.namespace === 'beta')).toMatchObject({
      status: 137,
    });
    await fx.runtime.delete(a);
    await fx.runtime.delete(b);
  });

  it('keeps the conmon monitor as a daemon that is not our child', async () => {
    const task = await fx.create('daemon', ['sleep', '60']);
    await task.start();
    const layout = createRuntimeLayout(fx.stateDir);
    const conmonPid = await readPidFile(layout.task('default', 'daemon').init.conmonPidFile);
    expect(conmonPid).toBeDefined();
    const status = readFileSync(`/proc/${conmonPid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
    expect(ppid).not.toBe(process.pid);
    expect(readFileSync(`/proc/${conmonPid}/cmdline`, 'utf8')).toContain('conmon');
    // conmon is the parent (subreaper) of the container's init
    expect(
      Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${task.pid}/status`, 'utf8'))?.[1]),
    ).toBe(conmonPid);
    await task.kill(9);
    await fx.nextEvent(initExit('daemon'));
    await fx.runtime.delete(task);
  });

  it('writes the output of the task to its k8s-file log', async () => {
    const task = await fx.create('logger', ['sh', '-c', 'echo out; echo err >&2; printf partial']);
    await task.start();
    await fx.nextEvent(initExit('logger'));
    const lines = readFileSync(task.logPath(), 'utf8').trimEnd().split('\n');
    for (const line of lines)
      expect(line).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d std(out|err) [FP] /,
      );
    // stdout and stderr are separate pipes: their relative order is not defined, each one's is.
    const records = lines.map((line) => line.split(' ').slice(1).join(' '));
    expect(records.filter((r) => r.startsWith('stdout'))).toEqual([
      'stdout F out',
      'stdout P partial',
    ]);
    expect(records.filter((r) => r.startsWith('stderr'))).toEqual(['stderr F err']);
    await fx.runtime.delete(task);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(20);
  }
}

function isAlive(pid: number): boolean {
  try {
    return processState(pid) !== 'Z';
  } catch {
    return false;
  }
}

function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
