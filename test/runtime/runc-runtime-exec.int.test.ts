import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import type { RuntimeEvent, RuntimeTask } from '../../src/ports/runtime.ts';
import { monitorsMentioning } from '../helpers/leftovers.ts';
import {
  createRuntimeFixture,
  findLeftovers,
  initExit,
  type RuntimeFixture,
} from './runtime-fixture.ts';

let fx: RuntimeFixture;
let task: RuntimeTask;

const execExit =
  (execId: string) =>
  (event: RuntimeEvent): boolean =>
    event.type === 'exit' && event.containerId === 'host' && event.execId === execId;

beforeAll(async () => {
  fx = await createRuntimeFixture('exec');
  task = await fx.create('host', ['sleep', '600']);
  await task.start();
});

afterAll(async () => {
  await fx.cleanup();
});

describe('runc runtime exec (real runc + conmon)', () => {
  it('runs an exec with its own pid, exit status and exec id', async () => {
    const exec = await task.exec(
      'probe',
      { args: ['sh', '-c', 'echo in-exec; exit 7'], env: ['PATH=/bin'] },
      { terminal: false },
    );
    expect(exec.execId).toBe('probe');
    const pid = await exec.start();
    expect(pid).not.toBe(task.pid);
    const event = await fx.nextEvent(execExit('probe'));
    expect(event).toEqual({
      type: 'exit',
      namespace: 'default',
      containerId: 'host',
      execId: 'probe',
      pid,
      status: 7,
      exitedAt: expect.stringMatching(/^\d{4}-.*\.\d{9}Z$/) as unknown,
    });
    expect(readFileSync(task.logPath('probe'), 'utf8')).toMatch(/ stdout F in-exec\n$/);
    expect(await task.status()).toBe('running'); // the init process is untouched
    await exec.delete();
  });

  it('runs the exec inside the container, in its namespaces', async () => {
    const exec = await task.exec(
      'inside',
      { args: ['sh', '-c', 'hostname; cat /proc/1/cmdline'], cwd: '/tmp' },
      { terminal: false },
    );
    await exec.start();
    await fx.nextEvent(execExit('inside'));
    const log = readFileSync(task.logPath('inside'), 'utf8');
    expect(log).toContain(' stdout F taskledger\n');
    expect(log).toContain(' stdout P sleep\u0000600\u0000');
    await exec.delete();
  });

  it('signals an exec by itself, leaving the init process running', async () => {
    const exec = await task.exec('sleeper', { args: ['sleep', '600'] }, { terminal: false });
    const pid = await exec.start();
    expect(await task.pids()).toContain(pid);
    await exec.kill(9);
    expect(await fx.nextEvent(execExit('sleeper'))).toMatchObject({ pid, status: 137 });
    expect(await task.status()).toBe('running');
    const error: unknown = await exec.kill(9).catch((e: unknown) => e);
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    await exec.delete();
  });

  it('refuses to delete an exec that is still running', async () => {
    const exec = await task.exec('stubborn', { args: ['sleep', '600'] }, { terminal: false });
    await exec.start();
    const error: unknown = await exec.delete().catch((e: unknown) => e);
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    await exec.kill(9);
    await fx.nextEvent(execExit('stubborn'));
    await exec.delete();
  });

  it("fails an exec of a missing command with runc's message and leaves no monitor", async () => {
    const exec = await task.exec('missing', { args: ['nosuchcmd'] }, { terminal: false });
    const error: unknown = await exec.start().catch((e: unknown) => e);
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    expect((error as Error).message).toContain(
      'exec: "nosuchcmd": executable file not found in $PATH',
    );
    expect(
      monitorsMentioning(path.join(fx.stateDir, 'bundles', 'default', 'host', 'execs', 'missing')),
    ).toEqual([]);
    await exec.delete();
    await expect(
      readFile(path.join(fx.stateDir, 'bundles/default/host/execs/missing/process.json')),
    ).rejects.toThrow();
  });

  it('rejects a second exec with the same id', async () => {
    const exec = await task.exec('twice', { args: ['true'] }, { terminal: false });
    const duplicate: unknown = await task
      .exec('twice', { args: ['true'] }, { terminal: false })
      .catch((e: unknown) => e);
    expect(isTaskledgerError(duplicate, 'AlreadyExists')).toBe(true);
    await exec.delete();
  });

  it('stops the execs with the task and cleans them up on delete', async () => {
    const exec = await task.exec('orphan', { args: ['sleep', '600'] }, { terminal: false });
    const pid = await exec.start();
    await task.kill(9);
    // The init process died, so the kernel killed everything in its pid namespace.
    const events = await Promise.all([
      fx.nextEvent(initExit('host')),
      fx.nextEvent(execExit('orphan')),
    ]);
    expect(events[1]).toMatchObject({ pid, status: 137 });
    await fx.runtime.delete(task);
    expect((await findLeftovers(fx.stateDir)).conmons).toEqual([]);
  });
});
