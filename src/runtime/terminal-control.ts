import { constants, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { failedPrecondition } from '../domain/errors.ts';
import { validateWindowSize, type WindowSize } from '../domain/window-size.ts';
import type { ProcessPaths } from './runtime-layout.ts';

// conmon's control messages (ctrl.c): "TYPE HEIGHT WIDTH\n", type 1 being a window resize.
const resizeMessageType = 1;

/**
 * Asks a process's conmon to resize its pseudo-terminal, through the control FIFO it keeps open
 * for reading while it runs. Refused once the process has exited: conmon writes the exit file
 * before it lets go of the FIFO, so a resize just after the exit is refused too, not swallowed.
 * The FIFO is opened without blocking: with no conmon reading, the open fails at once instead
 * of hanging.
 */
export async function resizeTerminal(process: ProcessPaths, size: WindowSize): Promise<void> {
  const { width, height } = validateWindowSize(size);
  if (existsSync(process.exitFile)) throw failedPrecondition('the process has exited');
  let fifo;
  try {
    fifo = await open(process.controlFifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENXIO' || code === 'ENOENT')
      throw failedPrecondition('the process has no running monitor to resize its terminal');
    throw error;
  }
  try {
    await fifo.write(`${resizeMessageType} ${height} ${width}\n`);
  } finally {
    await fifo.close();
  }
}
