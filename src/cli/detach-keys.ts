/** Podman's default detach keys: ctrl-p, then ctrl-q. */
const first = 0x10;
const second = 0x11;

/** What one chunk of keystrokes comes to, given whether the last chunk ended in a ctrl-p. */
export interface DetachScan {
  /** The bytes to pass on to the process. */
  readonly forward: Buffer;
  /** Whether the detach keys were typed: stop here, passing on nothing after them. */
  readonly detach: boolean;
  /** Whether this chunk ends in a ctrl-p held back until the next one says what it was. */
  readonly pending: boolean;
}

/**
 * Finds Podman's detach keys (ctrl-p ctrl-q) in keystrokes typed into an attached terminal,
 * across chunk boundaries. A ctrl-p followed by anything else is passed on with what follows,
 * as Podman does; so is a ctrl-p typed twice. Pure.
 */
export function scanDetachKeys(chunk: Buffer, pendingBefore: boolean): DetachScan {
  const out: number[] = [];
  let pending = pendingBefore;
  for (const byte of chunk) {
    if (pending) {
      pending = false;
      if (byte === second) return { forward: Buffer.from(out), detach: true, pending: false };
      out.push(first);
    }
    if (byte === first) pending = true;
    else out.push(byte);
  }
  return { forward: Buffer.from(out), detach: false, pending };
}
