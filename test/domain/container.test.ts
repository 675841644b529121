import { describe, expect, it } from 'vitest';
import {
  decideCreateContainer,
  decideUpdateContainer,
  evolveContainer,
  type Container,
} from '../../src/domain/container.ts';
import { TaskledgerError } from '../../src/domain/errors.ts';
import { given } from '../helpers/given-events.ts';

const spec = { process: { args: ['/bin/sh'] } };
const create = (over: Record<string, unknown> = {}) =>
  decideCreateContainer(undefined, 'default', { id: 'web', spec, rootfs: '/srv/rootfs', ...over });

const givenContainer = (events: ReturnType<typeof create>): Container | undefined =>
  given(evolveContainer, events, 'container/default/web');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof TaskledgerError ? `${error.code}: ${error.message}` : String(error);
  }
  return undefined;
}

describe('container decider', () => {
  it('creates with the default runtime and containerd payload fields', () => {
    const [e] = create({ labels: { a: 'b' } });
    expect(e!.topic).toBe('/containers/create');
    expect(e!.event).toMatchObject({
      id: 'web',
      image: '',
      runtime: { name: 'io.containerd.runc.v2' },
      labels: { a: 'b' },
    });
  });

  it.each([
    ['', 'container id must be a non-empty string'],
    ['a/b', 'must match'],
    ['..', 'must match'],
    ['-web', 'must match'],
    ['web-', 'must match'],
    ['a'.repeat(77), 'at most 76'],
  ])('rejects the id %j with InvalidArgument', (id, message) => {
    expect(codeOf(() => create({ id }))).toMatch(new RegExp(`^InvalidArgument: .*${message}`));
  });

  it('accepts a 76-character id', () => {
    expect(codeOf(() => create({ id: 'a'.repeat(76) }))).toBeUndefined();
  });

  it('rejects a spec without process.args, a relative rootfs and a path trick', () => {
    expect(codeOf(() => create({ spec: { process: {} } }))).toMatch(
      /InvalidArgument: spec.process.args/,
    );
    expect(codeOf(() => create({ spec: [] }))).toMatch(
      /InvalidArgument: spec must be a JSON object/,
    );
    expect(codeOf(() => create({ rootfs: 'rootfs' }))).toMatch(
      /InvalidArgument: rootfs "rootfs" must be an absolute path/,
    );
    expect(codeOf(() => create({ rootfs: '/srv/../etc' }))).toMatch(/InvalidArgument: .*"\.\."/);
  });

  it('rejects labels over 4096 bytes for key and value together', () => {
    expect(codeOf(() => create({ labels: { k: 'v'.repeat(4095) } }))).toBeUndefined();
    expect(codeOf(() => create({ labels: { k: 'v'.repeat(4096) } }))).toMatch(
      /InvalidArgument: label "k" is 4097 bytes/,
    );
    expect(codeOf(() => create({ labels: { '': 'v' } }))).toMatch(/label key must not be empty/);
  });

  it('refuses a duplicate with AlreadyExists', () => {
    const state = givenContainer(create());
    expect(
      codeOf(() => decideCreateContainer(state, 'default', { id: 'web', spec, rootfs: '/x' })),
    ).toMatch(/^AlreadyExists/);
  });

  it('updates only the masked label paths, and an empty value removes a label', () => {
    const state = givenContainer(create({ labels: { keep: '1', drop: '2', change: '3' } }));
    const [e] = decideUpdateContainer(state, 'default', 'web', {
      labels: { drop: '', change: 'x', ignored: 'y' },
      updateMask: ['labels.drop', 'labels.change'],
    });
    expect(e!.event.labels).toEqual({ keep: '1', change: 'x' });
  });

  it('keeps created_at and moves updated_at on update', () => {
    const events = [
      ...create(),
      ...decideUpdateContainer(givenContainer(create()), 'default', 'web', { labels: { a: 'b' } }),
    ];
    const state = givenContainer(events)!;
    expect(state.createdAt).toBe('2026-11-29T00:00:00.000000000Z');
    expect(state.updatedAt).toBe('2026-11-29T00:00:01.000000000Z');
  });

  it('refuses unknown update paths', () => {
    expect(
      codeOf(() =>
        decideUpdateContainer(givenContainer(create()), 'default', 'web', {
          updateMask: ['rootfs'],
        }),
      ),
    ).toMatch(/InvalidArgument: cannot update field path "rootfs"/);
  });
});
