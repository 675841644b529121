import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/domain/k8s-log.ts';
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
    for await (const record of followLog(log, options)) texts.push(record.text);
    expect(texts).toEqual(['one', 'two']);
  });

  it('follows new lines, and ends as soon as the exit is recorded, with the last lines', async () => {
    await writeFile(log, line('first'));
    let finished = false;
    let recordExit!: () => void;
    const exited = new Promise<void>((resolve) => (recordExit = resolve));
    const follower = followLog(log, {
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

  it('stops when aborted', async () => {
    await writeFile(log, '');
    const abort = new AbortController();
    const follower = followLog(log, { follow: true, finished: () => false, signal: abort.signal });
    const done = follower.next();
    setTimeout(() => abort.abort(), 20);
    expect(await done).toEqual({ done: true, value: undefined });
  });
});
