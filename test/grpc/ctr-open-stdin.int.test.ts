import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { startGrpcTestDaemon, type GrpcTestDaemon } from './grpc-test-daemon.ts';
import { forceDeleteTasks } from '../helpers/test-daemon.ts';

describe('the stock ctr attaching to a task with an open stdin (run -d -i)', () => {
  let d: GrpcTestDaemon;
  let rootfs: string;

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    d = await startGrpcTestDaemon();
  });
  afterAll(async () => {
    await forceDeleteTasks(d.client);
    await d.dispose();
  });

  it('types into it through the FIFO Tasks/Get shows as its stdin, as with containerd', async () => {
    // Its status says what it read: 6 for the line ctr typed, 1 for anything else.
    const spec = specFor(['sh', '-c', 'read line; [ "$line" = via-ctr ] && exit 6; exit 1']);
    await d.client.containers.create({ id: 'held', rootfs, spec });
    const { stdin } = await d.client.tasks.create('held', { open_stdin: true });
    await d.client.tasks.start('held');
    expect(stdin).toMatch(/\/init\/stdin$/);
    const listed = await execa('ctr', ['--address', d.grpcAddress, 'tasks', 'ls']);
    expect(listed.stdout).toMatch(/held\s+\d+\s+RUNNING/);
    // ctr opens the task's stdin FIFO for writing, copies its own stdin, waits for the exit, and
    // deletes the task, as against containerd.
    const attach = await execa('ctr', ['--address', d.grpcAddress, 'tasks', 'attach', 'held'], {
      input: 'via-ctr\n',
      reject: false,
      timeout: 30_000,
    });
    expect(attach.exitCode).toBe(6);
    await d.client.containers.delete('held');
  });
});
