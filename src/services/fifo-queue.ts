/**
 * A first-in first-out queue with O(1) `shift`: `Array.prototype.shift` is O(n), which turns a
 * burst of 10k queued events into 50M moves.
 */
export class FifoQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Number of queued items. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends `item` at the tail. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns the head item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined; // let it be collected
    this.#head++;
    if (this.#head === this.#items.length) {
      this.clear();
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Drops every item. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
