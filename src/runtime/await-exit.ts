import { filter, Subscription, take, timeout } from 'rxjs';
import type { Exit } from '../ports/runtime.ts';
import type { ExitWatcher, WatchedProcess } from './exit-watcher.ts';
import { readExit } from './monitor-files.ts';

/**
 * Waits up to `timeoutMs` for conmon to record the exit of `process` (already recorded: at
 * once), through the watcher's inotify events. Undefined when nothing was recorded in time.
 */
export function awaitExit(
  watcher: ExitWatcher,
  process: WatchedProcess,
  timeoutMs: number,
): Promise<Exit | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const subscription = new Subscription();
    const finish = (exit: Exit | undefined): void => {
      if (settled) return;
      settled = true;
      subscription.unsubscribe();
      resolve(exit);
    };
    // Subscribe before looking, so an exit written in between is not missed.
    const live = watcher.events
      .pipe(
        filter(
          (event) =>
            event.type === 'exit' &&
            event.namespace === process.namespace &&
            event.containerId === process.containerId &&
            event.execId === process.execId,
        ),
        take(1),
        timeout({ first: timeoutMs }),
      )
      .subscribe({
        next: (event) =>
          finish(
            event.type === 'exit' ? { status: event.status, timestamp: event.exitedAt } : undefined,
          ),
        error: () => finish(undefined),
        complete: () => finish(undefined),
      });
    subscription.add(live);
    watcher.watch(process);
    readExit(process.paths).then(
      (exit) => {
        if (exit) finish(exit);
      },
      () => undefined,
    );
  });
}
