import { lastValueFrom, take, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { adaptObject, parseFilters } from '../../src/domain/filter.ts';
import { createEventBus } from '../../src/services/event-bus.ts';
import { MemoryLog, nextTurn, range, seqs } from '../helpers/memory-event-log.ts';

/** Subscriber exceptions RxJS reported; the first bus of this file installs the hook. */
const reported: unknown[] = [];

beforeAll(() => {
  createEventBus({
    readPage: () => [],
    onSubscriberError: (error) => reported.push(error),
  }).close();
});

describe('catching up while the log grows', () => {
  it('delivers 50k stored events plus 20k appended during catch-up exactly once, in order', async () => {
    const log = new MemoryLog();
    log.seed(50_000);
    const total = 70_000;
    const received: number[] = [];
    let appendedDuringCatchUp = -1;
    const done = new Promise<void>((resolve, reject) => {
      log.bus.subscribe({ afterSeq: 0, untilSeq: total }).subscribe({
        next: (event) => {
          received.push(event.seq);
          if (event.seq === 50_000) appendedDuringCatchUp = log.events.length - 50_000;
        },
        error: reject,
        complete: resolve,
      });
    });
    await Promise.all([log.appendInBackground(20_000, 20), done]);

    expect(appendedDuringCatchUp).toBeGreaterThan(0);
    expect(received).toEqual(range(1, total));
  });

  it('yields to the event loop between history pages', async () => {
    const log = new MemoryLog({ pageSize: 1000 });
    log.seed(50_000);
    let received = 0;
    const subscription = log.bus.subscribe({ afterSeq: 0 }).subscribe(() => received++);
    await nextTurn();
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(50_000);
    subscription.unsubscribe();
  });

  it('fills a hole in the live sequence from the log', async () => {
    const log = new MemoryLog();
    const received: number[] = [];
    log.bus.subscribe({ afterSeq: 0 }).subscribe((event) => received.push(event.seq));
    log.append(2);
    log.seed(2); // committed, but the publish was lost
    log.append(1);
    await nextTurn();
    expect(received).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('untilSeq', () => {
  it('completes after the event at untilSeq when it is in the history', async () => {
    const log = new MemoryLog();
    log.seed(10);
    const events = await lastValueFrom(
      log.bus.subscribe({ afterSeq: 3, untilSeq: 7 }).pipe(toArray()),
    );
    expect(seqs(events)).toEqual([4, 5, 6, 7]);
  });

  it('waits for live events up to untilSeq, then completes', async () => {
    const log = new MemoryLog();
    log.seed(5);
    const result = lastValueFrom(log.bus.subscribe({ afterSeq: 0, untilSeq: 8 }).pipe(toArray()));
    await nextTurn();
    log.append(5);
    expect(seqs(await result)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('completes even when the predicate drops the event at untilSeq', async () => {
    const log = new MemoryLog();
    log.seed(6);
    const events = await lastValueFrom(
      log.bus
        .subscribe({ afterSeq: 0, untilSeq: 5, predicate: (e) => e.seq % 2 === 0 })
        .pipe(toArray()),
    );
    expect(seqs(events)).toEqual([2, 4]);
  });

  it('completes at once when afterSeq is already at untilSeq', async () => {
    const log = new MemoryLog();
    log.seed(3);
    const events = await lastValueFrom(
      log.bus.subscribe({ afterSeq: 3, untilSeq: 3 }).pipe(toArray()),
    );
    expect(events).toEqual([]);
  });
});

describe('predicate', () => {
  it('delivers only matching events, from history and live alike', async () => {
    const log = new MemoryLog();
    log.seed(10);
    const filter = parseFilters(['topic=="/tasks/exit",event.container_id==c1', 'event.pid==2']);
    const result = lastValueFrom(
      log.bus
        .subscribe({ afterSeq: 0, untilSeq: 30, predicate: (e) => filter.match(adaptObject(e)) })
        .pipe(toArray()),
    );
    await nextTurn();
    log.append(20);
    // exits are multiples of 3; container c1 is seq % 5 === 1
    expect(seqs(await result)).toEqual([2, 6, 21]);
  });

  it('ends the subscription with the error a predicate throws', async () => {
    const log = new MemoryLog();
    log.seed(3);
    const failure = new Error('bad predicate');
    const result = lastValueFrom(
      log.bus.subscribe({
        afterSeq: 0,
        predicate: (e) => {
          if (e.seq === 2) throw failure;
          return true;
        },
      }),
    );
    await expect(result).rejects.toBe(failure);
  });
});

describe('publishing from inside a subscriber', () => {
  it('keeps delivery order for every subscriber when one appends while receiving', () => {
    const log = new MemoryLog();
    const first: number[] = [];
    const second: number[] = [];
    log.bus.live().subscribe((event) => {
      first.push(event.seq);
      if (event.seq === 1) log.append(1);
    });
    log.bus.subscribe({ afterSeq: 0 }).subscribe((event) => second.push(event.seq));
    const third: number[] = [];
    log.bus.live().subscribe((event) => third.push(event.seq));
    log.append(1);
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([1, 2]);
    expect(third).toEqual([1, 2]);
  });

  it('keeps order when a subscriber appends while receiving its last history page', async () => {
    const log = new MemoryLog();
    log.seed(3);
    const received: number[] = [];
    const done = lastValueFrom(log.bus.subscribe({ afterSeq: 0, untilSeq: 5 }).pipe(toArray()));
    log.bus.subscribe({ afterSeq: 0 }).subscribe((event) => {
      received.push(event.seq);
      if (event.seq === 1) log.append(2);
    });
    expect(received).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(await done)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('robustness', () => {
  it('reports an exception thrown by a subscriber instead of crashing, and others still receive', async () => {
    const log = new MemoryLog();
    const failure = new Error('subscriber bug');
    log.bus.live().subscribe(() => {
      throw failure;
    });
    const received: number[] = [];
    log.bus.subscribe({ afterSeq: 0 }).subscribe((event) => received.push(event.seq));
    log.append(3);
    await new Promise((resolve) => setTimeout(resolve, 10)); // RxJS reports from a timer
    expect(received).toEqual([1, 2, 3]);
    expect(reported.filter((e) => e === failure)).toHaveLength(3);
  });

  it('stops delivering when a subscriber unsubscribes while receiving', async () => {
    const log = new MemoryLog();
    log.seed(10);
    const events = await lastValueFrom(log.bus.subscribe({ afterSeq: 0 }).pipe(take(3), toArray()));
    expect(seqs(events)).toEqual([1, 2, 3]);
  });

  it('errors the subscription when the log cannot be read', async () => {
    const failure = new Error('disk I/O error');
    const bus = createEventBus({
      readPage: () => {
        throw failure;
      },
    });
    await expect(lastValueFrom(bus.subscribe({ afterSeq: 0 }))).rejects.toBe(failure);
    await expect(bus.consume({ afterSeq: 0 }, () => {})).rejects.toBe(failure);
  });

  it('rejects invalid positions with InvalidArgument', async () => {
    const log = new MemoryLog();
    expect(() => log.bus.subscribe({ afterSeq: -1 })).toThrow(/afterSeq must be an integer >= 0/);
    expect(() => log.bus.subscribe({ afterSeq: 1.5 })).toThrow(/afterSeq/);
    await expect(log.bus.consume({ afterSeq: 0, bufferLimit: 0 }, () => {})).rejects.toThrow(
      /bufferLimit must be an integer >= 1/,
    );
  });
});

describe('close', () => {
  it('completes live subscribers, catching-up subscribers and consumers', async () => {
    const log = new MemoryLog({ pageSize: 10 });
    log.seed(100);
    const live = lastValueFrom(log.bus.live().pipe(toArray()));
    const catchingUp = lastValueFrom(log.bus.subscribe({ afterSeq: 0 }).pipe(toArray()));
    const consumer = log.bus.consume({ afterSeq: 0 }, () => nextTurn());
    log.bus.close();
    expect(await live).toEqual([]);
    expect((await catchingUp).length).toBeLessThan(100);
    await expect(consumer).resolves.toBeUndefined();
  });

  it('refuses new subscriptions with Unavailable and ignores later publishes', async () => {
    const log = new MemoryLog();
    log.bus.close();
    expect(() => log.append(1)).not.toThrow();
    const error: unknown = await lastValueFrom(log.bus.subscribe({ afterSeq: 0 })).catch(
      (e: unknown) => e,
    );
    expect(isTaskledgerError(error, 'Unavailable')).toBe(true);
    await expect(log.bus.consume({ afterSeq: 0 }, () => {})).rejects.toThrow(/closed/);
  });
});
