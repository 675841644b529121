import { describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../src/domain/event-envelope.ts';
import {
  decideCreateNamespace,
  decideDeleteNamespace,
  decideUpdateNamespace,
  type Namespace,
} from '../../src/domain/namespace.ts';
import { namespaceProjection } from '../../src/domain/namespace-projection.ts';

/** Folds events, each on its own stream, through the projection, one second apart. */
function fold(events: readonly (NewEvent & { streamId: string })[]): Namespace | undefined {
  return events.reduce<Namespace | undefined>((state, e, i) => {
    const stored: StoredEvent = {
      ...e,
      seq: i + 1,
      streamVersion: 1,
      namespace: 'team',
      timestamp: `2026-11-29T00:00:0${i}.000000000Z`,
      correlationId: 'c',
      source: 's',
      hash: '',
    };
    return namespaceProjection.evolve(state, stored);
  }, undefined);
}

const own = (events: NewEvent[]) => events.map((e) => ({ ...e, streamId: 'namespace/team' }));
const containerCreated = { topic: '/containers/create', event: { id: 'web' } };

describe('namespaces', () => {
  it('is created with labels, relabelled by mask, and deleted', () => {
    const created = decideCreateNamespace(undefined, { name: 'team', labels: { a: '1' } });
    expect(created).toEqual([
      { topic: '/namespaces/create', event: { name: 'team', labels: { a: '1' } } },
    ]);
    const state = fold(own(created));
    expect(state).toMatchObject({ name: 'team', labels: { a: '1' } });
    const relabel = decideUpdateNamespace(state, {
      name: 'team',
      labels: { b: '2', a: '' },
      updateMask: ['labels.b', 'labels.a'],
    });
    expect(relabel[0]!.event).toEqual({ name: 'team', labels: { b: '2' } });
    const replaced = decideUpdateNamespace(state, { name: 'team', labels: { c: '3' } });
    expect(replaced[0]!.event).toEqual({ name: 'team', labels: { c: '3' } });
    const after = fold(own([...created, ...relabel]));
    expect(after).toMatchObject({
      labels: { b: '2' },
      createdAt: '2026-11-29T00:00:00.000000000Z',
    });
    expect(after!.updatedAt).toBe('2026-11-29T00:00:01.000000000Z');
    expect(fold(own([...created, ...decideDeleteNamespace(after, 'team')]))).toBeUndefined();
  });

  it('comes into being with the first object in it, and outlives it until deleted', () => {
    const streams = [
      { ...containerCreated, streamId: 'container/team/web' },
      { topic: '/containers/delete', event: { id: 'web' }, streamId: 'container/team/web' },
    ];
    expect(fold(streams)).toEqual({
      name: 'team',
      labels: {},
      createdAt: '2026-11-29T00:00:00.000000000Z',
      updatedAt: '2026-11-29T00:00:00.000000000Z',
    });
    const deleted = [
      ...streams,
      ...own([{ topic: '/namespaces/delete', event: { name: 'team' } }]),
    ];
    expect(fold(deleted)).toBeUndefined();
    // Created again by its next object, with nothing of the old record left.
    const again = [...deleted, { ...containerCreated, streamId: 'container/team/api' }];
    expect(fold(again)).toMatchObject({ labels: {}, createdAt: '2026-11-29T00:00:03.000000000Z' });
  });

  it('counts the streams of containers, images, snapshots and its own, not of tasks', () => {
    const keyOf = (streamId: string) => namespaceProjection.keyOf(streamId);
    expect(keyOf('namespace/team')).toEqual({ name: 'team' });
    expect(keyOf('container/team/web')).toEqual({ name: 'team' });
    expect(keyOf('image/team/busybox%3Alatest')).toEqual({ name: 'team' });
    expect(keyOf('snapshot/team/web')).toEqual({ name: 'team' });
    expect(keyOf('task/team/web')).toBeUndefined();
  });

  it('refuses what containerd refuses, naming it', () => {
    const state = fold(own(decideCreateNamespace(undefined, { name: 'team' })));
    expect(() => decideCreateNamespace(state, { name: 'team' })).toThrow(
      'namespace "team": already exists',
    );
    expect(() => decideCreateNamespace(undefined, { name: 'bad/name' })).toThrow(/namespace/);
    expect(() => decideDeleteNamespace(undefined, 'gone')).toThrow('namespace "gone": not found');
    expect(() => decideUpdateNamespace(state, { name: 'team', updateMask: ['name'] })).toThrow(
      'cannot update field path "name" of a namespace: only labels',
    );
    // Updating a namespace nobody made yet makes it, as containerd's SetLabel does.
    expect(decideUpdateNamespace(undefined, { name: 'new', labels: { a: '1' } })).toHaveLength(1);
  });
});
