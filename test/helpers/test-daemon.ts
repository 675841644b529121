import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TaskledgerClient } from '../../src/api/client.ts';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.ts';

/** A daemon in this process on private temp dirs (own runc root), with a client. */
export interface TestDaemon {
  readonly dir: string;
  readonly root: string;
  readonly state: string;
  readonly address: string;
  readonly client: TaskledgerClient;
  readonly logs: string[];
  /** Stops the daemon (tasks keep running) without removing its dirs. */
  stop(): Promise<void>;
  /** Starts it again on the same dirs. */
  restart(): Promise<void>;
  /** Stops and removes everything. */
  dispose(): Promise<void>;
}

export async function startTestDaemon(): Promise<TestDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'taskledger-daemon-'));
  const root = join(dir, 'root');
  const state = join(dir, 'state');
  const address = join(dir, 'api.sock');
  const logs: string[] = [];
  const start = (): Promise<Daemon> =>
    startDaemon({ root, state, address, log: (l) => logs.push(l) });
  let daemon: Daemon | undefined = await start();
  return {
    dir,
    root,
    state,
    address,
    logs,
    client: connect(address, { client: 'test' }),
    async stop() {
      await daemon?.stop();
      daemon = undefined;
    },
    async restart() {
      await daemon?.stop();
      daemon = await start();
    },
    async dispose() {
      await daemon?.stop();
      daemon = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends raw bytes to the API (for malformed requests the typed client cannot make). */
export function rawRequest(
  address: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: address, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Kills and deletes every task of the client's namespace, ignoring failures: a test's cleanup. */
export async function forceDeleteTasks(client: TaskledgerClient): Promise<void> {
  for (const t of await client.tasks.list().catch(() => []))
    await client.tasks.delete(t.id, { force: true }).catch(() => undefined);
}
