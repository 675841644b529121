import { afterAll, beforeAll } from 'vitest';
import { busyboxRootfs } from './busybox-rootfs.ts';
import { forceDeleteTasks, startTestDaemon, type TestDaemon } from './test-daemon.ts';

/** What {@link withCliDaemon} hands a test file. */
export interface CliDaemonFixture {
  /** The file's daemon. */
  readonly daemon: TestDaemon;
  /** The busybox rootfs for `--rootfs`. */
  readonly rootfs: string;
}

/**
 * Registers a test file's hooks: a daemon and the busybox rootfs before its tests, passed to
 * `use`; after them, every task left is force-removed (no conmon outlives the file) and the
 * daemon disposed.
 */
export function withCliDaemon(use: (fixture: CliDaemonFixture) => void): void {
  let daemon: TestDaemon | undefined;
  beforeAll(async () => {
    const rootfs = await busyboxRootfs();
    daemon = await startTestDaemon();
    use({ daemon, rootfs });
  });
  afterAll(async () => {
    if (!daemon) return;
    await forceDeleteTasks(daemon.client);
    await daemon.dispose();
  });
}
