import { afterAll, describe, expect, it } from 'vitest';
import { createSubprocessRunner } from '../../src/runtime/subprocess-runner.ts';

const runner = createSubprocessRunner(2);

afterAll(async () => {
  await runner.close();
});

describe('subprocess runner (worker thread)', () => {
  it('returns stdout, stderr and the exit code', async () => {
    const outcome = await runner.run({
      file: 'sh',
      args: ['-c', 'echo out; echo err >&2; exit 3'],
      timeoutMs: 5_000,
    });
    expect(outcome).toMatchObject({
      stdout: 'out\n',
      stderr: 'err\n',
      exitCode: 3,
      failed: true,
      timedOut: false,
    });
  });

  it('returns an output far larger than its capped young generation whole', async () => {
    // 24 MB of stdout, then a normal run: the cap must neither truncate it nor end the worker.
    const big = await runner.run({
      file: 'sh',
      args: ['-c', "head -c 24000000 /dev/zero | tr '\\0' x"],
      timeoutMs: 20_000,
    });
    expect(big.failed).toBe(false);
    expect(big.stdout.length).toBe(24_000_000);
    expect(big.stdout.replaceAll('x', '')).toBe('');
    expect((await runner.run({ file: 'true', args: [], timeoutMs: 5_000 })).exitCode).toBe(0);
  });

  it('passes cwd and extra environment', async () => {
    const outcome = await runner.run({
      file: 'sh',
      args: ['-c', 'pwd; echo $EXTRA'],
      cwd: '/tmp',
      env: { EXTRA: 'yes' },
      timeoutMs: 5_000,
    });
    expect(outcome.stdout).toBe('/tmp\nyes\n');
    expect(outcome.failed).toBe(false);
  });

  it('reports a missing executable as ENOENT', async () => {
    const outcome = await runner.run({ file: '/nonexistent/tool', args: [], timeoutMs: 5_000 });
    expect(outcome).toMatchObject({ failed: true, code: 'ENOENT' });
  });

  it('kills a subprocess that outlives its timeout', async () => {
    const outcome = await runner.run({ file: 'sleep', args: ['10'], timeoutMs: 200 });
    expect(outcome).toMatchObject({ failed: true, timedOut: true });
  });

  it('returns the first line written to fd 3 without waiting for the holder to close it', async () => {
    // Like conmon: report on fd 3, then keep it open in a background process.
    const started = performance.now();
    const outcome = await runner.run({
      file: 'sh',
      args: ['-c', 'echo \'{"data": 42}\' >&3; (sleep 5 <&- >&- 2>&- &) ; exit 0'],
      timeoutMs: 5_000,
      syncPipe: true,
    });
    expect(outcome.syncText).toBe('{"data": 42}\n');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('runs at most the given number of subprocesses at once', async () => {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, () =>
        runner.run({ file: 'sleep', args: ['0.3'], timeoutMs: 5_000 }),
      ),
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(590); // two rounds of two
    expect(elapsed).toBeLessThan(1_500);
  });

  it('keeps the main event loop responsive while it spawns', async () => {
    let maxLagMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last - 5);
      last = now;
    }, 5);
    const wide = createSubprocessRunner(30);
    try {
      await Promise.all(
        Array.from({ length: 30 }, () => wide.run({ file: 'true', args: [], timeoutMs: 5_000 })),
      );
    } finally {
      clearInterval(ticker);
      await wide.close();
    }
    // The same 30 spawns from this thread with execa: a 400-700 ms stall, measured here.
    expect(maxLagMs).toBeLessThan(100);
  });
});
