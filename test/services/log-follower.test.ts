import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/domain/k8s-log.ts';
import { parseTimestampNs } from '../../src/domain/timestamp.ts';
import { followLog } from '../../src/services/log-follower.ts';

let dir: string;
let log: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'taskledger-follow-'));
  log = path.join(dir, 'log');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (text: string): string => `2026-11-29T10:00:00.000000000Z stdout F ${text}\n`;

describe('following a k8s-file log', () => {
  it('reads what is there and stops when not following', async () => {
    await writeFile(log, line('one') + line('two'));
    const texts: string[] = [];
    const options = { follow: false, finished: () => false, signal: new AbortController().signal };
    for await (const record of await followLog(log, options)) texts.push(record.text);
    expect(texts).toEqual(['one', 'two']);
  });

  it('follows new lines, and ends as soon as the exit is recorded, with the last lines', async () => {
    await writeFile(log, line('first'));
    let finished = false;
    let recordExit!: () => void;
    const exited = new Promise<void>((resolve) => (recordExit = resolve));
    const follower = await followLog(log, {
      follow: true,
      finished: () => finished,
      exited,
      signal: new AbortController().signal,
    });
    const records: LogRecord[] = [];
    expect((await follower.next()).value).toMatchObject({ text: 'first' });
    const rest = (async () => {
      for await (const record of follower) records.push(record);
    })();
    await appendFile(log, line('last'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The exit is recorded after the file stopped changing: only `exited` can wake the follower.
    finished = true;
    const started = performance.now();
    recordExit();
    await rest;
    expect(performance.now() - started).toBeLessThan(150); // the fallback re-check is 250 ms
    expect(records.map((r) => r.text)).toEqual(['last']);
  });

  it('starts with only the last `tail` lines, a line still being written not counted', async () => {
    // More than one 64 KiB chunk, so the backwards scan crosses a chunk boundary.
    const many = Array.from({ length: 3000 }, (_, i) => line(`line ${i}`)).join('');
    await writeFile(log, `${many}2026-11-29T10:00:00.000000000Z stdout F unfini`);
    const read = async (tail: number): Promise<string[]> => {
      const texts: string[] = [];
      const options = { follow: false, finished: () => true, tail };
      const signal = AbortSignal.timeout(5000);
      for await (const record of await followLog(log, { ...options, signal }))
        texts.push(record.text);
      return texts;
    };
    expect(await read(2)).toEqual(['line 2998', 'line 2999']);
    expect(await read(2999)).toHaveLength(2999);
    expect((await read(2999))[0]).toBe('line 1');
    expect(await read(5000)).toHaveLength(3000);
    expect(await read(0)).toEqual([]);
    await appendFile(log, 'shed\n');
    expect(await read(1)).toEqual(['unfinished']);
  });

  it('with tail 0, follows only what is written once it has resolved, before any read', async () => {
    await writeFile(log, line('before'));
    let finished = false;
    const follower = await followLog(log, {
      follow: true,
      tail: 0,
      finished: () => finished,
      signal: AbortSignal.timeout(5000),
    });
    // Written before the first read: the start was fixed when followLog resolved (attach sends
    // its input only then, and must see the answer).
    await appendFile(log, line('after'));
    expect((await follower.next()).value).toMatchObject({ text: 'after' });
    finished = true;
    expect(await follower.next()).toEqual({ done: true, value: undefined });
  });

  it('stops when aborted', async () => {
    await writeFile(log, '');
    const abort = new AbortController();
    const follower = await followLog(log, {
      follow: true,
      finished: () => false,
      signal: abort.signal,
    });
    const done = follower.next();
    setTimeout(() => abort.abort(), 20);
    expect(await done).toEqual({ done: true, value: undefined });
  });

  it('keeps only the records stamped from since and before until', async () => {
    const at = (second: number, text: string): string =>
      `2026-11-29T11:00:0${second}.000000000+01:00 stdout F ${text}\n`;
    await writeFile(log, at(0, 'zero') + at(1, 'one') + at(2, 'two') + at(3, 'three'));
    const read = async (window: { since?: bigint; until?: bigint }): Promise<string[]> => {
      const texts: string[] = [];
      const options = { follow: false, finished: () => true, signal: AbortSignal.timeout(5000) };
      for await (const record of await followLog(log, { ...options, ...window }))
        texts.push(record.text);
      return texts;
    };
    const ns = (text: string): bigint => parseTimestampNs(text);
    expect(
      await read({ since: ns('2026-11-29T10:00:01Z'), until: ns('2026-11-29T10:00:03Z') }),
    ).toEqual(['one', 'two']);
    expect(await read({ since: ns('2026-11-29T10:00:02.5Z') })).toEqual(['three']);
    expect(await read({ until: ns('2026-11-29T10:00:00Z') })).toEqual([]);
  });

  it('ends a follow once the clock reaches until, though the process still runs', async () => {
    await writeFile(log, line('early'));
    const until = parseTimestampNs('2026-11-29T10:00:00.5Z'); // after `early`, before now
    let clock = until - 1_000_000n;
    const follower = await followLog(log, {
      follow: true,
      finished: () => false,
      signal: AbortSignal.timeout(60_000), // longer than the test may take
      until,
      now: () => clock,
    });
    expect((await follower.next()).value).toMatchObject({ text: 'early' });
    const rest = follower.next();
    clock = until;
    expect(await rest).toEqual({ done: true, value: undefined });
  });
});
