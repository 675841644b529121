import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { initExit, withRuntimeFixture, type RuntimeFixture } from './runtime-fixture.ts';

// Start goes through runc's exec FIFO in-process (exec-fifo-start.ts); runc must agree.
let fx: RuntimeFixture;
withRuntimeFixture('start', (created) => (fx = created));

const execFifo = (id: string): string => path.join(fx.stateDir, 'runc', 'default', id, 'exec.fifo');

describe('runc runtime start (real runc + conmon)', () => {
  it('starts a created task: the process runs and runc reports it running', async () => {
    const task = await fx.create('runs', ['sleep', '30']);
    expect(existsSync(execFifo('runs'))).toBe(true);
    await task.start();
    expect(existsSync(execFifo('runs'))).toBe(false);
    expect(await task.status()).toBe('running');
    expect(await task.pids()).toContain(task.pid);
    await task.kill(9);
    expect(await fx.nextEvent(initExit('runs'))).toMatchObject({ status: 137 });
    await fx.runtime.delete(task);
  });

  it("refuses a second start with runc's own message", async () => {
    const task = await fx.create('twice', ['sleep', '30']);
    await task.start();
    const error: unknown = await task.start().catch((e: unknown) => e);
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    expect((error as Error).message).toMatch(/running/);
    await task.kill(9);
    await fx.nextEvent(initExit('twice'));
    await fx.runtime.delete(task);
  });

  it('fails promptly, without hanging, when the init was killed before start', async () => {
    const task = await fx.create('doomed', ['true']);
    process.kill(task.pid, 'SIGKILL');
    await fx.nextEvent(initExit('doomed'));
    const started = Date.now();
    const error: unknown = await task.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await task.status()).toBe('stopped');
    await fx.runtime.delete(task);
  });

  it('starts 10 tasks at once', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `many-${i}`);
    const tasks = await Promise.all(ids.map((id) => fx.create(id, ['true'])));
    await Promise.all(tasks.map((task) => task.start()));
    const exits = await Promise.all(ids.map((id) => fx.nextEvent(initExit(id), 15_000)));
    expect(exits.map((e) => e.type === 'exit' && e.status)).toEqual(ids.map(() => 0));
    for (const task of tasks) await fx.runtime.delete(task);
  });
});
