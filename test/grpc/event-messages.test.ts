import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/domain/event-envelope.ts';
import { toEnvelope } from '../../src/grpc/event-messages.ts';
import { api } from './grpc-test-client.ts';

const stored = (topic: string, event: Record<string, unknown>): StoredEvent => ({
  seq: 7,
  streamId: 'task/default/web',
  streamVersion: 3,
  namespace: 'default',
  topic,
  event,
  timestamp: '2026-11-29T04:59:42.739714379Z',
  correlationId: 'c',
  source: 'test',
  hash: 'h',
});

describe('toEnvelope', () => {
  it('packs a task exit as containerd does: bare type URL, protobuf bytes, Timestamp times', () => {
    const envelope = toEnvelope(
      api,
      stored('/tasks/exit', {
        container_id: 'web',
        id: 'web',
        pid: 42,
        exit_status: 137,
        exited_at: '2026-11-29T04:59:42.739689222Z',
      }),
    );
    expect(envelope).toMatchObject({
      namespace: 'default',
      topic: '/tasks/exit',
      timestamp: { seconds: 1795928382, nanos: 739714379 },
    });
    expect(envelope.event?.type_url).toBe('containerd.events.TaskExit');
    expect(api.decode('containerd.events.TaskExit', envelope.event!.value)).toEqual({
      container_id: 'web',
      id: 'web',
      pid: 42,
      exit_status: 137,
      exited_at: { seconds: 1795928382, nanos: 739689222 },
    });
  });

  it("leaves the id of an init process's TaskDelete empty, as containerd does, and keeps an exec's", () => {
    const init = toEnvelope(
      api,
      stored('/tasks/delete', {
        container_id: 'web',
        pid: 42,
        exit_status: 0,
        exited_at: '2026-11-29T04:59:42Z',
        id: 'web',
      }),
    );
    expect(api.decode('containerd.events.TaskDelete', init.event!.value).id).toBe('');
    const exec = toEnvelope(
      api,
      stored('/tasks/delete', {
        container_id: 'web',
        pid: 43,
        exit_status: 0,
        exited_at: '2026-11-29T04:59:42Z',
        id: 'probe',
      }),
    );
    expect(api.decode('containerd.events.TaskDelete', exec.event!.value).id).toBe('probe');
  });

  it("gives a container's stored runtime options back as the Any the client sent, and drops taskledger-only fields", () => {
    const options = {
      type_url: 'containerd.runc.v1.Options',
      value: Buffer.from([0x52, 0x01, 0x78]).toString('base64'),
    };
    const envelope = toEnvelope(
      api,
      stored('/containers/create', {
        id: 'web',
        image: '',
        runtime: { name: 'io.containerd.runc.v2', options },
        labels: { a: '1' },
        spec: { process: {} },
        rootfs: '/r',
      }),
    );
    expect(api.decode('containerd.events.ContainerCreate', envelope.event!.value)).toEqual({
      id: 'web',
      image: '',
      runtime: {
        name: 'io.containerd.runc.v2',
        options: { type_url: 'containerd.runc.v1.Options', value: Buffer.from([0x52, 0x01, 0x78]) },
      },
    });
  });

  it('sends an event of a topic without a containerd message with no payload', () => {
    const intent = stored('/taskledger/tasks/create-intent', { container_id: 'web' });
    expect(toEnvelope(api, intent).event).toBeNull();
  });

  it("encodes image events in containerd's images package, and snapshot events", () => {
    const image = toEnvelope(api, stored('/images/create', { name: 'b:1', labels: { a: '1' } }));
    expect(image.event!.type_url).toBe('containerd.services.images.v1.ImageCreate');
    const prepare = { key: 'web', parent: 'base:1', snapshotter: 'overlayfs', id: 7 };
    const snapshot = toEnvelope(api, stored('/snapshot/prepare', prepare));
    expect(snapshot.event!.type_url).toBe('containerd.events.SnapshotPrepare');
    expect(api.decode('containerd.events.SnapshotPrepare', snapshot.event!.value)).toEqual({
      key: 'web',
      parent: 'base:1',
      snapshotter: 'overlayfs',
    });
  });
});
