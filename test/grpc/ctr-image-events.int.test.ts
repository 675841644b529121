import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfs } from '../helpers/busybox-rootfs.ts';
import { startLiveCtrEvents, type CtrEvents } from './ctr-runner.ts';
import { startGrpcTestDaemon, type GrpcTestDaemon } from './grpc-test-daemon.ts';

describe('image and snapshot events on ctr events', () => {
  let d: GrpcTestDaemon;
  let rootfs: string;
  let events: CtrEvents;

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    d = await startGrpcTestDaemon();
    events = await startLiveCtrEvents(d.grpcAddress, async (i) => {
      await d.client.namespaces.create(`warmup${i}`);
    });
  });
  afterAll(async () => {
    await events.stop();
    await d.dispose();
  });

  it("prints an import, a container on the image, and their removal with containerd's payloads", async () => {
    await d.client.images.import(rootfs, 'busybox:events', { labels: { os: 'busybox' } });
    await d.client.containers.create({
      id: 'on-image',
      image: 'busybox:events',
      spec: { process: { args: ['true'] } },
    });
    await d.client.containers.delete('on-image');
    await d.client.images.delete('busybox:events');
    // The image's snapshot goes in the same append as the image, right after it.
    const baseRemoved = (e: { topic: string; event: Record<string, unknown> }) =>
      e.topic === '/snapshot/remove' && e.event.key !== 'on-image';
    await events.until((seen) => seen.some(baseRemoved));
    const seen = events.events.filter((e) => /^\/(images|snapshot)\//.test(e.topic));
    const base = seen.find((e) => e.topic === '/snapshot/prepare')!.event.key as string;
    // Sent with `snapshotter` (field 5) too, which the stock ctr 1.6's messages predate and drop.
    expect(seen.map((e) => [e.topic, e.event])).toEqual([
      ['/snapshot/prepare', { key: base }],
      ['/snapshot/commit', { key: base, name: base }],
      ['/images/create', { name: 'busybox:events', labels: { os: 'busybox' } }],
      ['/snapshot/prepare', { key: 'on-image', parent: base }],
      ['/snapshot/remove', { key: 'on-image' }],
      ['/images/delete', { name: 'busybox:events' }],
      ['/snapshot/remove', { key: base }],
    ]);
  });
});
