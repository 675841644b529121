/** Slots an emptied queue keeps; a larger array (left by a burst) is let go. */
const keptCapacity = 64;

/**
 * A first-in first-out queue with O(1) `shift`: `Array.prototype.shift` is O(n), which turns a
 * burst of 10k queued events into 50M moves.
 *
 * A queue that empties keeps a small array: a live subscriber's queues empty after every
 * event, and a fresh array (or one cut to length 0, whose storage V8 drops) would cost an
 * allocation per event per subscriber, garbage that a fan-out to a thousand subscribers pays
 * for in scavenges.
 */
export class FifoQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #tail = 0;

  /** Number of queued items. */
  get length(): number {
    return this.#tail - this.#head;
  }

  /** Appends `item` at the tail. */
  push(item: T): void {
    if (this.#tail === this.#items.length) this.#items.push(item);
    else this.#items[this.#tail] = item;
    this.#tail++;
  }

  /** Removes and returns the head item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#head === this.#tail) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined; // let it be collected
    this.#head++;
    if (this.#head === this.#tail) {
      if (this.#items.length > keptCapacity) this.#items = []; // a burst's array is let go
      this.#head = 0;
      this.#tail = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#tail) {
      this.#items = this.#items.slice(this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
    }
    return item;
  }

  /** Drops every item, and the array that held them. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#tail = 0;
  }
}
