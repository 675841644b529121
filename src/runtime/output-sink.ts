import { constants, createWriteStream, open as openFd } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { failedPrecondition } from '../domain/errors.ts';
import { isMissing } from './monitor-files.ts';

/**
 * Opens `path` (a FIFO or a regular file, as a client such as `ctr` passes for stdout/stderr)
 * for writing, without ever blocking the event loop.
 *
 * A FIFO is opened O_RDWR | O_NONBLOCK: on Linux that never waits for a reader (O_WRONLY would
 * block until one comes, and O_WRONLY | O_NONBLOCK fails with ENXIO when none is there yet), and
 * holding a read end means writes never fail with EPIPE while the client reconnects. The fd is
 * wrapped in a `net.Socket`, which writes through libuv's poller and honours backpressure
 * instead of failing with EAGAIN. A regular file (created if missing) is appended to.
 */
export async function openOutputSink(path: string): Promise<Writable> {
  let isFifo = false;
  try {
    isFifo = (await stat(path)).isFIFO();
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  if (!isFifo) return openFileSink(path);
  // A plain fd, not a FileHandle: a FileHandle would close the fd when garbage-collected, while
  // the Socket owns it from here on and closes it on end()/destroy().
  const fd = await promisify(openFd)(path, constants.O_RDWR | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: false, writable: true });
  socket.on('error', () => socket.destroy());
  return socket;
}

async function openFileSink(path: string): Promise<Writable> {
  const handle = await open(path, 'a').catch((error: unknown) => {
    throw failedPrecondition(`cannot open ${path} for output: ${String(error)}`);
  });
  const stream = createWriteStream('', { fd: handle, autoClose: true });
  stream.on('error', () => stream.destroy());
  return stream;
}
