import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.ts';

const spec = {
  flags: { interactive: 'boolean', tty: 'boolean', signal: 'string', label: 'list' },
  short: { i: 'interactive', t: 'tty', s: 'signal', l: 'label' },
} as const;

describe('parsing CLI arguments', () => {
  it('takes flags before and between positionals, and keeps what follows -- verbatim', () => {
    expect(parseArgs(['a', '--tty', 'b', '-s', 'KILL', '--', '-i', 'x'], spec)).toEqual({
      flags: { tty: true, signal: 'KILL' },
      positionals: ['a', 'b'],
      rest: ['-i', 'x'],
    });
  });

  it('reads --flag=value, -sVALUE and repeated list flags', () => {
    const parsed = parseArgs(['--signal=TERM', '-lx=1', '--label', 'y=2', '-s9'], spec);
    expect(parsed.flags).toEqual({ signal: '9', label: ['x=1', 'y=2'] });
  });

  it('reads one-letter switches grouped, as in `run -it`', () => {
    expect(parseArgs(['-it', 'web'], spec)).toEqual({
      flags: { interactive: true, tty: true },
      positionals: ['web'],
      rest: [],
    });
    expect(parseArgs(['-ti'], spec).flags).toEqual({ interactive: true, tty: true });
  });

  it('names what is wrong', () => {
    expect(() => parseArgs(['-ix'], spec)).toThrow('unknown flag -x in -ix');
    expect(() => parseArgs(['-is'], spec)).toThrow('unknown flag -s in -is');
    expect(() => parseArgs(['-x'], spec)).toThrow('unknown flag -x');
    expect(() => parseArgs(['--nope'], spec)).toThrow('unknown flag --nope');
    expect(() => parseArgs(['--tty=yes'], spec)).toThrow('--tty takes no value');
    expect(() => parseArgs(['--signal'], spec)).toThrow('--signal needs a value');
  });
});
