import { describe, expect, it } from 'vitest';
import { FifoQueue } from '../../src/services/fifo-queue.ts';

const drain = <T>(queue: FifoQueue<T>): T[] => {
  const items: T[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) items.push(item);
  return items;
};

describe('the FIFO queue of the event bus', () => {
  it('keeps order when it empties and fills again, as a live subscriber does', () => {
    const queue = new FifoQueue<number>();
    for (let round = 0; round < 5; round++) {
      queue.push(round * 10 + 1);
      queue.push(round * 10 + 2);
      expect(queue.shift()).toBe(round * 10 + 1);
      queue.push(round * 10 + 3);
      expect(queue.length).toBe(2);
      expect(drain(queue)).toEqual([round * 10 + 2, round * 10 + 3]);
      expect(queue.length).toBe(0);
    }
  });

  it('keeps order through a burst that moves its head far along, and a clear', () => {
    const queue = new FifoQueue<number>();
    for (let i = 1; i <= 5000; i++) queue.push(i);
    const first = Array.from({ length: 3000 }, () => queue.shift());
    for (let i = 5001; i <= 6000; i++) queue.push(i);
    expect(queue.length).toBe(3000);
    expect([...first, ...drain(queue)]).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
    queue.push(1);
    queue.clear();
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
