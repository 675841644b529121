import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { FellBehindError } from '../../src/services/event-bus.ts';
import { MemoryLog, nextTurn, range } from '../helpers/memory-event-log.ts';

describe('an async consumer', () => {
  it('catches up on 50k events plus 20k appended meanwhile through a 100-event buffer, in order', async () => {
    const log = new MemoryLog({ bufferLimit: 100 });
    log.seed(50_000);
    const received: number[] = [];
    const consumed = log.bus.consume({ afterSeq: 0, untilSeq: 70_000 }, async (event) => {
      received.push(event.seq);
      if (event.seq % 50 === 0) await nextTurn();
      else await Promise.resolve();
    });
    await Promise.all([log.appendInBackground(20_000, 20), consumed]);

    expect(received).toEqual(range(1, 70_000));
  });
});

describe('a consumer that cannot keep up', () => {
  it('is ended with FellBehindError at the first seq it missed while others get everything', async () => {
    const log = new MemoryLog({ bufferLimit: 100 });
    let stuckSignal: AbortSignal | undefined;
    const stuck = log.bus
      .consume({ afterSeq: 0 }, (_event, signal) => {
        stuckSignal = signal;
        return new Promise<void>(() => {}); // never finishes
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const healthy: number[] = [];
    const healthyDone = log.bus.consume({ afterSeq: 0, untilSeq: 500 }, async (event) => {
      healthy.push(event.seq);
      await Promise.resolve();
    });
    log.append(1);
    await nextTurn(); // the stuck consumer takes event 1 and hangs on it
    await log.appendInBackground(499, 20);

    const error = await stuck;
    expect(error).toBeInstanceOf(FellBehindError);
    expect(isTaskledgerError(error, 'Unavailable')).toBe(true);
    expect((error as FellBehindError).seq).toBe(2);
    expect((error as FellBehindError).message).toBe('subscriber fell behind at seq 2');
    expect(stuckSignal?.aborted).toBe(true);
    expect(stuckSignal?.reason).toBe(error);

    await healthyDone;
    expect(healthy).toEqual(range(1, 500));

    const resumed: number[] = [];
    await log.bus.consume(
      { afterSeq: (error as FellBehindError).seq - 1, untilSeq: 500 },
      (event) => void resumed.push(event.seq),
    );
    expect(resumed).toEqual(range(2, 500));
  });

  it('never slows publishing: the stuck buffer stays bounded and is released', () => {
    const log = new MemoryLog({ bufferLimit: 10 });
    const stuck = log.bus.consume({ afterSeq: 0 }, () => new Promise<void>(() => {}));
    stuck.catch(() => undefined);
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) log.append(1);
    expect(performance.now() - started).toBeLessThan(2000);
    return expect(stuck).rejects.toBeInstanceOf(FellBehindError);
  });

  it('rejects with the handler error and stops delivering', async () => {
    const log = new MemoryLog();
    log.seed(5);
    const failure = new Error('handler failed');
    const handled: number[] = [];
    const result = log.bus.consume({ afterSeq: 0 }, (event) => {
      handled.push(event.seq);
      if (event.seq === 3) throw failure;
    });
    await expect(result).rejects.toBe(failure);
    expect(handled).toEqual([1, 2, 3]);
  });

  it('rejects with the abort reason when its signal aborts', async () => {
    const log = new MemoryLog();
    const controller = new AbortController();
    const result = log.bus.consume({ afterSeq: 0, signal: controller.signal }, () => {});
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
  });
});

describe('live delivery to many consumers', () => {
  it('hands each event to every consumer after the publish returns, never inside it, in order', async () => {
    const log = new MemoryLog();
    let publishing = false;
    const inside: number[] = [];
    const received = Array.from({ length: 300 }, () => [] as number[]);
    const consumers = received.map((seen, i) =>
      log.bus.consume({ afterSeq: 0, untilSeq: 40 }, (event) => {
        if (publishing) inside.push(event.seq);
        seen.push(event.seq);
        // Some consumers are async: they must not hold up, or reorder, the others.
        return i % 3 === 0 ? nextTurn() : undefined;
      }),
    );
    for (let batch = 0; batch < 20; batch++) {
      publishing = true;
      log.append(2);
      publishing = false;
      if (batch % 4 === 0) await nextTurn();
    }
    await Promise.all(consumers);
    expect(inside).toEqual([]);
    for (const seen of received) expect(seen).toEqual(range(1, 40));
  });

  it('gives a consumer the event its own handler appends, after the one it is handling', async () => {
    const log = new MemoryLog();
    const received: number[] = [];
    const consumed = log.bus.consume({ afterSeq: 0, untilSeq: 6 }, (event) => {
      received.push(event.seq);
      if (event.seq % 2 === 1) log.append(1); // the reply to an odd event
    });
    log.append(1);
    await nextTurn();
    log.append(1);
    log.append(1);
    await consumed;
    expect(received).toEqual(range(1, 6));
    expect(log.events.length).toBe(6); // 1, 3 and 4 appended here; 2, 5 and 6 are replies
  });
});
