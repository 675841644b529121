import { statSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { TaskledgerClient } from '../../src/api/client.ts';
import type { EventJson } from '../../src/api/wire-types.ts';
import { specFor } from '../helpers/busybox-rootfs.ts';
import { withCliDaemon } from '../helpers/cli-daemon.ts';
import type { TestDaemon } from '../helpers/test-daemon.ts';

/** A client of the FIFO in another process, as `ctr tasks attach` is: writes `text`, closes. */
const writeFifo = (file: string, text: string) =>
  execa('sh', ['-c', 'printf %s "$1" > "$2"', 'writer', text, file], { timeout: 20_000 });

/** Reads two lines: a client's leaving must not end its input after the first. */
const twoReads = ['sh', '-c', 'read a; echo "got $a"; read b; echo "got $b"'];

describe('an open stdin through the API (open_stdin, as run -d -i asks)', () => {
  let d: TestDaemon;
  let rootfs: string;
  withCliDaemon((fixture) => ({ daemon: d, rootfs } = fixture));
  // The daemon's client: a restart replaces it.
  const c = (): TaskledgerClient => d.client;

  const output = async (id: string, execId?: string): Promise<string> => {
    let text = '';
    await new Promise<void>((resolve, reject) => {
      c()
        .tasks.logs(id, { execId })
        .subscribe({
          next: (r) => (text += r.full ? `${r.text}\n` : r.text),
          error: reject,
          complete: resolve,
        });
    });
    return text;
  };

  it('shows the FIFO as the task stdin, in its state and its /tasks/create event', async () => {
    await c().containers.create({ id: 'held', rootfs, spec: specFor(twoReads) });
    const task = await c().tasks.create('held', { open_stdin: true });
    expect(task.open_stdin).toBe(true);
    const fifo = task.stdin as string;
    expect(statSync(fifo).isFIFO()).toBe(true);
    const [created] = await new Promise<EventJson[]>((resolve, reject) => {
      const out: EventJson[] = [];
      c()
        .events({ filters: ['topic=="/tasks/create",event.container_id==held'] })
        .subscribe({
          next: (e) => out.push(e),
          error: reject,
          complete: () => resolve(out),
        });
    });
    expect((created!.event as { io: unknown }).io).toMatchObject({ stdin: fifo, openStdin: true });
    await c().tasks.start('held');
    await writeFifo(fifo, 'one\n');
    // The writer left; the task still runs, waiting for its second line, and a restarted daemon
    // shows the same FIFO, still relayed.
    await d.restart();
    expect((await c().tasks.get('held')).stdin).toBe(fifo);
    expect((await c().tasks.get('held')).status).toBe('running');
    await writeFifo(fifo, 'two\n');
    expect((await c().tasks.wait('held')).exit_status).toBe(0);
    expect(await output('held')).toBe('got one\ngot two\n');
    await c().tasks.delete('held');
  });

  it('gives an exec an open stdin of its own', async () => {
    await c().containers.create({ id: 'exec-host', rootfs, spec: specFor(['sleep', '60']) });
    await c().tasks.create('exec-host');
    await c().tasks.start('exec-host');
    await c().tasks.exec('exec-host', 'reader', { args: twoReads }, { open_stdin: true });
    await c().tasks.startExec('exec-host', 'reader');
    const exec = ((await c().tasks.get('exec-host')).execs as Record<string, unknown>[])[0]!;
    expect(exec).toMatchObject({ exec_id: 'reader', open_stdin: true, terminal: false });
    await writeFifo(exec.stdin as string, 'a\n');
    await writeFifo(exec.stdin as string, 'b\n');
    expect((await c().tasks.wait('exec-host', { execId: 'reader' })).exit_status).toBe(0);
    expect(await output('exec-host', 'reader')).toBe('got a\ngot b\n');
    await c().tasks.delete('exec-host', { force: true });
  });

  it('refuses a stdin path and an open stdin together, and a non-boolean, creating nothing', async () => {
    await c().containers.create({ id: 'both', rootfs, spec: specFor(['cat']) });
    await expect(c().tasks.create('both', { open_stdin: true, stdin: '/tmp/x' })).rejects.toThrow(
      'io.stdin and io.openStdin cannot both be set',
    );
    await expect(
      c().tasks.create('both', { open_stdin: 'yes' as unknown as boolean }),
    ).rejects.toThrow('io.openStdin must be a boolean');
    await expect(c().tasks.get('both')).rejects.toThrow('no task for container "both"');
  });
});
