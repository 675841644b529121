import { invalidArgument } from './errors.ts';

/** A terminal's size in character cells, as containerd's `ResizePty` carries it. */
export interface WindowSize {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
}

const maxCells = 0xffff; // the kernel's struct winsize holds unsigned shorts

/**
 * Checks a window size: whole numbers of cells from 0 to 65535, what the kernel's winsize holds
 * (0 x 0 is a terminal that does not know its size, and containerd passes it on too). Pure.
 */
export function validateWindowSize(size: { width?: unknown; height?: unknown }): WindowSize {
  for (const name of ['width', 'height'] as const) {
    const value = size[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > maxCells)
      throw invalidArgument(
        `${name} must be a whole number from 0 to ${maxCells}, not ${JSON.stringify(value)}`,
      );
  }
  return { width: size.width as number, height: size.height as number };
}
