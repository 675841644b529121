import { describe, expect, it } from 'vitest';
import { scanDetachKeys } from '../../src/cli/detach-keys.ts';

const p = 0x10;
const q = 0x11;
const text = (b: Buffer): string => b.toString('latin1');

describe('the detach keys of an attached terminal (ctrl-p ctrl-q)', () => {
  it('passes keystrokes on as typed when there are none', () => {
    expect(scanDetachKeys(Buffer.from('ls -l\r'), false)).toEqual({
      forward: Buffer.from('ls -l\r'),
      detach: false,
      pending: false,
    });
  });

  it('detaches at ctrl-p ctrl-q, passing on what came before and nothing after', () => {
    const scan = scanDetachKeys(Buffer.from([0x61, p, q, 0x62]), false);
    expect(scan.detach).toBe(true);
    expect(text(scan.forward)).toBe('a');
  });

  it('holds a trailing ctrl-p back until the next chunk says what it was', () => {
    const held = scanDetachKeys(Buffer.from([0x61, p]), false);
    expect(held).toMatchObject({ detach: false, pending: true });
    expect(text(held.forward)).toBe('a');
    expect(scanDetachKeys(Buffer.from([q]), true)).toMatchObject({ detach: true });
    const other = scanDetachKeys(Buffer.from('x'), true);
    expect(other).toMatchObject({ detach: false, pending: false });
    expect([...other.forward]).toEqual([p, 0x78]);
  });

  it('passes on a ctrl-p followed by anything else, and a doubled one', () => {
    expect([...scanDetachKeys(Buffer.from([p, 0x61]), false).forward]).toEqual([p, 0x61]);
    const doubled = scanDetachKeys(Buffer.from([p, p, 0x61]), false);
    expect([...doubled.forward]).toEqual([p, p, 0x61]);
    expect(scanDetachKeys(Buffer.from([p, p, q]), false)).toMatchObject({ detach: true });
    expect([...scanDetachKeys(Buffer.from([p, p, q]), false).forward]).toEqual([p]);
  });
});
