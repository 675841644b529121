import { describe, expect, it } from 'vitest';
import {
  decideCreateImage,
  decideDeleteImage,
  evolveImage,
  validateImageName,
  type Image,
} from '../../src/domain/image.ts';
import {
  decideCreateCommitted,
  decidePrepare,
  decideRemove,
  evolveSnapshot,
  parentChain,
  snapshotStreamId,
  type Snapshot,
} from '../../src/domain/snapshot.ts';
import { given } from '../helpers/given-events.ts';

const base = given<Snapshot>(
  evolveSnapshot,
  decideCreateCommitted(undefined, { key: 'base:1', parentKey: '', parent: undefined, id: 1 }),
)!;

describe('snapshot decisions', () => {
  it('records an import as prepare then commit of one key, as containerd unpacks a layer', () => {
    const events = decideCreateCommitted(undefined, {
      key: 'base:1',
      parentKey: '',
      parent: undefined,
      id: 1,
    });
    expect(events.map((e) => e.topic)).toEqual(['/snapshot/prepare', '/snapshot/commit']);
    expect(events[0]!.event).toEqual({
      key: 'base:1',
      parent: '',
      snapshotter: 'overlayfs',
      id: 1,
    });
    expect(events[1]!.event).toEqual({ key: 'base:1', name: 'base:1', snapshotter: 'overlayfs' });
    expect(base).toMatchObject({ key: 'base:1', kind: 'committed', parent: '', id: 1 });
  });

  it('prepares an active snapshot over a committed parent', () => {
    const web = given<Snapshot>(
      evolveSnapshot,
      decidePrepare(undefined, { key: 'web', parentKey: 'base:1', parent: base, id: 2 }),
    );
    expect(web).toMatchObject({ key: 'web', kind: 'active', parent: 'base:1', id: 2 });
  });

  it('refuses a key that is taken', () => {
    expect(() =>
      decidePrepare(base, { key: 'base:1', parentKey: '', parent: undefined, id: 3 }),
    ).toThrow('snapshot "base:1" already exists');
  });

  it('refuses a missing parent and an active one', () => {
    expect(() =>
      decidePrepare(undefined, { key: 'x', parentKey: 'gone', parent: undefined, id: 3 }),
    ).toThrow('parent snapshot "gone" not found');
    const active = { ...base, kind: 'active' as const };
    expect(() =>
      decidePrepare(undefined, { key: 'x', parentKey: 'base:1', parent: active, id: 3 }),
    ).toThrow('only committed snapshots can be parents');
  });

  it('refuses to remove a base something is built on, naming the user', () => {
    const child = { ...base, key: 'web', kind: 'active' as const, parent: 'base:1' };
    expect(() => decideRemove(base, 'base:1', [child], 'container "web"')).toThrow(
      'snapshot "base:1" is in use by container "web"',
    );
    expect(decideRemove(base, 'base:1', [])).toEqual([
      { topic: '/snapshot/remove', event: { key: 'base:1', snapshotter: 'overlayfs' } },
    ]);
  });

  it('walks the parent chain nearest first, and reports a broken one', () => {
    const mid = { ...base, key: 'base:2', parent: 'base:1', id: 2 };
    const top = { ...base, key: 'web', kind: 'active' as const, parent: 'base:2', id: 3 };
    const all = new Map([base, mid].map((s) => [s.key, s]));
    expect(parentChain(top, (k) => all.get(k)).map((s) => s.id)).toEqual([2, 1]);
    expect(() => parentChain(top, () => undefined)).toThrow('lost its parent "base:2"');
  });

  it('encodes keys in stream ids so that / and : cannot split them', () => {
    expect(snapshotStreamId('default', 'base:1')).toBe('snapshot/default/base%3A1');
  });
});

describe('image decisions', () => {
  it('accepts references with registry, path and tag', () => {
    for (const name of ['busybox', 'busybox:1.36', 'registry.example:5000/team/app:v1.2-rc_1']) {
      expect(validateImageName(name)).toBe(name);
    }
  });

  it('refuses names that are not references', () => {
    for (const name of ['', '../x', 'a//b', '/abs', 'UPPER CASE', 'x:', 'a/../b']) {
      expect(() => validateImageName(name)).toThrow(/image name/);
    }
  });

  it('creates, then refuses a second image of the same name', () => {
    const events = decideCreateImage(undefined, 'default', {
      name: 'busybox',
      labels: { a: 'b' },
      snapshotKey: 'base:1',
      size: 10,
    });
    expect(events).toEqual([
      {
        topic: '/images/create',
        event: { name: 'busybox', labels: { a: 'b' }, snapshot_key: 'base:1', size: 10 },
      },
    ]);
    const image = given<Image>(evolveImage, events)!;
    expect(image).toMatchObject({ name: 'busybox', snapshotKey: 'base:1', size: 10 });
    expect(() =>
      decideCreateImage(image, 'default', { name: 'busybox', snapshotKey: 'base:2', size: 1 }),
    ).toThrow('image "busybox" already exists in namespace "default"');
    expect(decideDeleteImage(image, 'default', 'busybox')).toEqual([
      { topic: '/images/delete', event: { name: 'busybox' } },
    ]);
    expect(() => decideDeleteImage(undefined, 'default', 'nope')).toThrow('image "nope" not found');
  });
});
