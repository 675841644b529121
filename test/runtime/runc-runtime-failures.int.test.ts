import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { specFor } from '../helpers/busybox-rootfs.ts';
import {
  expectNothingLeft as expectNoTrace,
  withRuntimeFixture,
  type RuntimeFixture,
} from './runtime-fixture.ts';

let fx: RuntimeFixture;
withRuntimeFixture('failures', (created) => (fx = created));

/** Asserts that a failed create left no runc container, mount, conmon, bundle or socket link. */
const expectNothingLeft = (): Promise<void> => expectNoTrace(fx.stateDir);

async function createError(...args: Parameters<RuntimeFixture['create']>): Promise<Error> {
  const error: unknown = await fx.create(...args).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('create was expected to fail');
  return error;
}

describe('runc runtime create failures (real runc + conmon)', () => {
  it("fails on a command missing from the rootfs with runc's own message, leaving nothing behind", async () => {
    const error = await createError('nocmd', ['nosuchcmd']);
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    expect(error.message).toContain('exec: "nosuchcmd": executable file not found in $PATH');
    await expectNothingLeft();
  });

  it('fails on a spec runc cannot read as InvalidArgument, leaving nothing behind', async () => {
    const spec = specFor(['true']);
    (spec.process as Record<string, unknown>).user = { uid: 'root', gid: 0 };
    const error = await createError('badspec', [], { spec });
    expect(isTaskledgerError(error, 'InvalidArgument')).toBe(true);
    expect(error.message).toMatch(/json: cannot unmarshal string .*uid/);
    await expectNothingLeft();
  });

  it('fails on a spec without a command before touching anything', async () => {
    const spec = specFor(['true']);
    (spec.process as Record<string, unknown>).args = [];
    const error = await createError('noargs', [], { spec });
    expect(isTaskledgerError(error, 'InvalidArgument')).toBe(true);
    expect(error.message).toBe('spec.process.args must be a non-empty array of strings');
    await expectNothingLeft();
  });

  it('fails on a missing rootfs directory, naming it, leaving nothing behind', async () => {
    const source = path.join(fx.stateDir, 'no-such-rootfs');
    const error = await createError('norootfs', ['true'], {
      rootfs: [{ type: 'bind', source, options: ['rbind'] }],
    });
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    expect(error.message).toContain(source);
    expect(error.message).toMatch(/does not exist|No such file/);
    await expectNothingLeft();
  });

  it('surfaces rlimits above the hard limit as runc reports them, leaving nothing behind', async () => {
    const spec = specFor(['true']);
    (spec.process as Record<string, unknown>).rlimits = [
      { type: 'RLIMIT_NOFILE', hard: 1 << 30, soft: 1 << 30 },
    ];
    const error = await createError('rlimits', [], { spec });
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    expect(error.message).toContain('error setting rlimit');
    await expectNothingLeft();
  });

  it('rejects a second task with the same id in a namespace, keeping the first', async () => {
    const first = await fx.create('dup', ['sleep', '60']);
    const error = await createError('dup', ['true']);
    expect(isTaskledgerError(error, 'AlreadyExists')).toBe(true);
    expect(await first.status()).toBe('created');
    await fx.runtime.delete(first);
    await expectNothingLeft();
  });

  it('rejects invalid ids and checkpoints', async () => {
    expect(isTaskledgerError(await createError('../escape', ['true']), 'InvalidArgument')).toBe(
      true,
    );
    expect(
      isTaskledgerError(await createError('ok', ['true'], { namespace: 'a/b' }), 'InvalidArgument'),
    ).toBe(true);
    const checkpoint: unknown = await fx.runtime
      .create('ckpt', {
        namespace: 'default',
        spec: specFor(['true']),
        rootfs: [],
        io: { terminal: false },
        checkpoint: '/x',
      })
      .catch((e: unknown) => e);
    expect(isTaskledgerError(checkpoint, 'InvalidArgument')).toBe(true);
    await expectNothingLeft();
  });
});
