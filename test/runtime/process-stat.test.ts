import { describe, expect, it } from 'vitest';
import { isLiveState, parseProcessStat, readProcessStat } from '../../src/runtime/process-stat.ts';

describe('process stat', () => {
  it('counts fields from the last parenthesis, whatever the command name holds', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'Z';
    const text = `4242 (we(ird) name) ${fields.join(' ')}\n`;
    expect(parseProcessStat(text)).toEqual({ state: 'Z', startTime: '22' });
  });

  it('reads a live process, and nothing for a pid that does not exist', async () => {
    const own = await readProcessStat(process.pid);
    expect(own && isLiveState(own)).toBe(true);
    expect(own?.startTime).toMatch(/^\d+$/);
    expect(await readProcessStat(2 ** 22 + 1)).toBeUndefined(); // above pid_max's ceiling
  });

  it('calls zombies and dead processes not live', () => {
    expect(isLiveState({ state: 'Z', startTime: '1' })).toBe(false);
    expect(isLiveState({ state: 'X', startTime: '1' })).toBe(false);
    expect(isLiveState({ state: 'S', startTime: '1' })).toBe(true);
  });
});
