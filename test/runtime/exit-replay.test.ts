import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { RuntimeEvent } from '../../src/ports/runtime.ts';
import { withRecordedExits } from '../../src/runtime/exit-replay.ts';

const exit = (containerId: string, exitedAt: string): RuntimeEvent => ({
  type: 'exit',
  namespace: 'default',
  containerId,
  execId: containerId,
  pid: 100,
  status: 0,
  exitedAt,
});

const t = (second: number): string => `2026-11-29T04:00:0${second}.000000000Z`;

describe('exit replay', () => {
  it('sends recorded exits first, oldest first, then live events', async () => {
    const live = new Subject<RuntimeEvent>();
    const seen: RuntimeEvent[] = [];
    withRecordedExits(live, () => Promise.resolve([exit('b', t(2)), exit('a', t(1))])).subscribe(
      (e) => seen.push(e),
    );
    await Promise.resolve();
    live.next(exit('c', t(3)));
    expect(seen.map((e) => e.containerId)).toEqual(['a', 'b', 'c']);
  });

  it('holds live events that arrive during the scan and drops exits the scan delivered', async () => {
    const live = new Subject<RuntimeEvent>();
    const seen: RuntimeEvent[] = [];
    let finishScan: (exits: RuntimeEvent[]) => void = () => undefined;
    withRecordedExits(live, () => new Promise((resolve) => (finishScan = resolve))).subscribe((e) =>
      seen.push(e),
    );
    live.next(exit('a', t(1))); // written while the disk was being scanned, and found by the scan
    live.next({ type: 'oom', namespace: 'default', containerId: 'x' });
    live.next(exit('b', t(2))); // written after the scan had passed its directory
    expect(seen).toEqual([]);
    finishScan([exit('a', t(1))]);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen.map((e) => `${e.type}:${e.containerId}`)).toEqual(['exit:a', 'oom:x', 'exit:b']);
  });

  it('replays to every subscriber and stops live delivery on unsubscribe', async () => {
    const live = new Subject<RuntimeEvent>();
    const first: RuntimeEvent[] = [];
    const second: RuntimeEvent[] = [];
    const events = withRecordedExits(live, () => Promise.resolve([exit('a', t(1))]));
    const subscription = events.subscribe((e) => first.push(e));
    events.subscribe((e) => second.push(e));
    await Promise.resolve();
    subscription.unsubscribe();
    live.next(exit('b', t(2)));
    expect(first.map((e) => e.containerId)).toEqual(['a']);
    expect(second.map((e) => e.containerId)).toEqual(['a', 'b']);
  });

  it('passes a failed scan on as an error', async () => {
    const errors: unknown[] = [];
    withRecordedExits(new Subject<RuntimeEvent>(), () =>
      Promise.reject(new Error('disk gone')),
    ).subscribe({
      error: (e: unknown) => errors.push(e),
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toEqual([new Error('disk gone')]);
  });
});
