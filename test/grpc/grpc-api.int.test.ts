import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtoEnvelope } from '../../src/grpc/event-messages.ts';
import { resourcesTypeUrl, specTypeUrl } from '../../src/grpc/proto-any.ts';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { api, serviceClient, type TestServiceClient } from './grpc-test-client.ts';
import { startGrpcTestDaemon, type GrpcTestDaemon } from './grpc-test-daemon.ts';

interface ContainerReply {
  container: {
    id: string;
    labels: Record<string, string>;
    runtime: { name: string; options: { type_url: string; value: Buffer } | null };
    spec: { type_url: string; value: Buffer };
  };
}

/** Collects a Subscribe stream's envelopes, and how it ended. */
function subscribe(events: TestServiceClient, filters: string[]) {
  const received: ProtoEnvelope[] = [];
  const stream = events.stream<ProtoEnvelope>('Subscribe', { filters }, null);
  stream.on('data', (e: ProtoEnvelope) => received.push(e));
  const ended = new Promise<ServiceError | 'end'>((resolve) => {
    stream.on('error', (error: ServiceError) => resolve(error));
    stream.on('end', () => resolve('end'));
  });
  return { received, ended, cancel: () => stream.cancel() };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (
    const deadline = Date.now() + 10_000;
    !check();
    await new Promise((r) => setTimeout(r, 50))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

const specAny = (args: string[], rootfs: string) => ({
  type_url: specTypeUrl,
  value: Buffer.from(JSON.stringify({ ...specFor(args), root: { path: rootfs } })),
});

describe('the containerd gRPC API', () => {
  let d: GrpcTestDaemon;
  let rootfs: string;
  let containers: TestServiceClient;
  let tasks: TestServiceClient;
  let events: TestServiceClient;

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    d = await startGrpcTestDaemon();
    containers = serviceClient(d.grpcAddress, 'containers');
    tasks = serviceClient(d.grpcAddress, 'tasks');
    events = serviceClient(d.grpcAddress, 'events');
  });
  afterAll(async () => {
    for (const c of [containers, tasks, events]) c?.close();
    await d?.dispose();
  });

  const create = (id: string, extra: Record<string, unknown> = {}, namespace = 'default') =>
    containers.call<ContainerReply>(
      'Create',
      { container: { id, spec: specAny(['true'], rootfs), ...extra } },
      namespace,
    );

  it('answers Tasks/Get for a container without a task with NOT_FOUND', async () => {
    await create('idle');
    await expect(tasks.call('Get', { container_id: 'idle' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(tasks.call('Get', { container_id: 'never-made' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('refuses a namespaced call without the containerd-namespace header, as containerd does', async () => {
    await expect(containers.call('List', { filters: [] }, null)).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: 'namespace is required',
    });
  });

  it('answers a bad container filter with INVALID_ARGUMENT', async () => {
    await expect(containers.call('List', { filters: ['labels.=='] })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('ends a subscription with a bad filter with UNKNOWN, as containerd does', async () => {
    const ended = await subscribe(events, ['topic=="/tasks/exit']).ended;
    expect(ended).toMatchObject({
      code: status.UNKNOWN,
      details: expect.stringMatching(
        /^subscription error: failed parsing subscription filters: .*not terminated/,
      ),
    });
  });

  it('keeps the spec JSON and the runtime options bytes a client sent', async () => {
    const options = {
      type_url: 'containerd.runc.v1.Options',
      value: Buffer.from([0x52, 0x04, 0x72, 0x75, 0x6e, 0x63]),
    };
    await create('kept', {
      runtime: { name: 'io.containerd.runc.v2', options },
      labels: { a: '1' },
    });
    const { container } = await containers.call<ContainerReply>('Get', { id: 'kept' });
    expect(container.runtime).toEqual({ name: 'io.containerd.runc.v2', options });
    expect(container.spec.type_url).toBe(specTypeUrl);
    expect(JSON.parse(container.spec.value.toString('utf8'))).toEqual({
      ...specFor(['true']),
      root: { path: rootfs },
    });
    expect(await d.client.containers.get('kept')).toMatchObject({
      rootfs,
      labels: { a: '1' },
      spec: { process: { args: ['true'] } },
    });
  });

  it('applies only the masked label paths on Containers/Update', async () => {
    await create('labelled', { labels: { keep: 'yes', drop: 'soon' } });
    const { container } = await containers.call<ContainerReply>('Update', {
      container: { id: 'labelled', labels: { add: 'new' } },
      update_mask: { paths: ['labels.add', 'labels.drop'] },
    });
    expect(container.labels).toEqual({ keep: 'yes', add: 'new' });
  });

  it('streams live events as containerd envelopes, filtered, without bookkeeping topics', async () => {
    const sub = subscribe(events, ['namespace==evt']);
    const evt = d.client.withNamespace('evt');
    // The stream shows nothing until an event comes: probe until the subscription is live.
    for (let i = 0; sub.received.length === 0; i++) {
      if (i === 100) throw new Error('the subscription never went live');
      await evt.containers.create({ id: `probe${i}`, rootfs, spec: specFor(['true']) });
      await evt.containers.delete(`probe${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await create('hidden', {}, 'other'); // another namespace: filtered out
    const idOf = (e: ProtoEnvelope): string =>
      api.decode(e.event!.type_url, e.event!.value).id as string;
    await evt.containers.create({
      id: 'doomed',
      rootfs: '/nonexistent-rootfs',
      spec: specFor(['true']),
    });
    // A failed create records only bookkeeping topics (/taskledger/tasks/...), never sent to ctr.
    await expect(evt.tasks.create('doomed')).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await evt.containers.delete('doomed');
    await until(
      () => sub.received.some((e) => e.topic === '/containers/delete' && idOf(e) === 'doomed'),
      'the delete of doomed',
    );
    sub.cancel();

    const doomed = sub.received.filter((e) => !idOf(e).startsWith('probe'));
    expect(doomed.map((e) => [e.namespace, e.topic, e.event?.type_url])).toEqual([
      ['evt', '/containers/create', 'containerd.events.ContainerCreate'],
      ['evt', '/containers/delete', 'containerd.events.ContainerDelete'],
    ]);
    expect(api.decode('containerd.events.ContainerCreate', doomed[0]!.event!.value)).toMatchObject({
      id: 'doomed',
      runtime: { name: 'io.containerd.runc.v2' },
    });
    expect(doomed[0]!.timestamp.seconds).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('applies Tasks/Update resources to a live task, and refuses an Any of another type', async () => {
    await create('updated', { spec: specAny(['sleep', '300'], rootfs) });
    await tasks.call('Create', { container_id: 'updated' });
    await tasks.call('Start', { container_id: 'updated' });
    const resources = (value: unknown, typeUrl = resourcesTypeUrl) => ({
      type_url: typeUrl,
      value: Buffer.from(JSON.stringify(value)),
    });
    await tasks.call('Update', {
      container_id: 'updated',
      resources: resources({ pids: { limit: 12 } }),
    });
    expect(await d.client.tasks.metrics('updated')).toMatchObject({ pids: { limit: 12 } });
    await expect(
      tasks.call('Update', {
        container_id: 'updated',
        resources: resources({ pids: { limit: 12 } }, specTypeUrl),
      }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await d.client.tasks.delete('updated', { force: true });
  });

  it('ends open subscriptions when the daemon stops', async () => {
    const other = await startGrpcTestDaemon();
    const client = serviceClient(other.grpcAddress, 'events');
    const sub = subscribe(client, []);
    await new Promise((r) => setTimeout(r, 200)); // let the call reach the server
    await other.dispose();
    expect(await sub.ended).toBe('end'); // a clean end (status OK), not a broken connection
    client.close();
  });
});
