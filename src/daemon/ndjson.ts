import type { ServerResponse } from 'node:http';

/**
 * Writes one NDJSON line; when the socket buffer is full, waits for it to drain (or for the client
 * to go away, so a vanished reader never leaves a handler hanging). Returns false once closed.
 */
export async function writeLine(res: ServerResponse, value: unknown): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(`${JSON.stringify(value)}\n`)) return true;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
  return !res.destroyed;
}
