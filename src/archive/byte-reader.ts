/** Thrown when the input ends in the middle of something: a truncated archive. */
export class TruncatedInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TruncatedInputError';
  }
}

/**
 * Pulls exact byte counts out of a stream of chunks, without copying when a chunk already holds
 * them. Tar headers need exactly 512 bytes; file bodies are handed on chunk by chunk.
 */
export class ByteReader {
  readonly #source: AsyncIterator<Buffer>;
  #chunk: Buffer = Buffer.alloc(0);
  #ended = false;
  /** Bytes handed out so far (the position in the stream). */
  position = 0;

  constructor(source: AsyncIterable<Buffer>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Refills the current chunk; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    while (this.#chunk.length === 0) {
      if (this.#ended) return false;
      const next = await this.#source.next();
      if (next.done) {
        this.#ended = true;
        return false;
      }
      this.#chunk = next.value;
    }
    return true;
  }

  /** Exactly `n` bytes; undefined when the stream ended before the first; throws when it ends midway. */
  async read(n: number, what: string): Promise<Buffer | undefined> {
    if (!(await this.#fill())) return undefined;
    if (this.#chunk.length >= n) return this.#take(n);
    const parts: Buffer[] = [];
    let missing = n;
    while (missing > 0) {
      if (!(await this.#fill())) {
        throw new TruncatedInputError(`ended ${missing} bytes into ${what}`);
      }
      const part = this.#take(Math.min(missing, this.#chunk.length));
      parts.push(part);
      missing -= part.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Up to `max` bytes (at least one), for streaming a body; throws at the end of the stream. */
  async readSome(max: number, what: string): Promise<Buffer> {
    if (!(await this.#fill())) throw new TruncatedInputError(`ended inside ${what}`);
    return this.#take(Math.min(max, this.#chunk.length));
  }

  /** Skips `n` bytes; throws when the stream ends first. */
  async skip(n: number, what: string): Promise<void> {
    let left = n;
    while (left > 0) left -= (await this.readSome(left, what)).length;
  }

  /** Stops reading: the source is told to clean up (close its file, stop decompressing). */
  async close(): Promise<void> {
    this.#ended = true;
    await this.#source.return?.();
  }

  #take(n: number): Buffer {
    const out = this.#chunk.subarray(0, n);
    this.#chunk = this.#chunk.subarray(n);
    this.position += n;
    return out;
  }
}
