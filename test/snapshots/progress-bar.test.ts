import { describe, expect, it } from 'vitest';
import { formatBytes, renderProgress } from '../../src/cli/progress-bar.ts';

describe('import progress bar', () => {
  it('draws the fraction done, the bytes and the phase', () => {
    expect(
      renderProgress({ phase: 'applying layer 2/3', done: 5_000_000, total: 20_000_000 }, 20),
    ).toBe('[#####...............]  25%  5.0 MB / 20.0 MB  applying layer 2/3');
  });

  it('shows bytes alone when the total is unknown', () => {
    expect(renderProgress({ phase: 'reading archive', done: 1500, total: 0 })).toBe(
      '1.5 kB  reading archive',
    );
  });

  it('never draws past 100%', () => {
    expect(renderProgress({ phase: 'x', done: 30, total: 10 }, 10)).toMatch(/^\[#{10}\] 100%/);
  });

  it('formats bytes in decimal units', () => {
    expect([999, 1000, 2_500_000, 7e9].map(formatBytes)).toEqual([
      '999 B',
      '1.0 kB',
      '2.5 MB',
      '7.0 GB',
    ]);
  });
});
