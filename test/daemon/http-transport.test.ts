import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../../src/api/http-transport.ts';

/**
 * A bare HTTP/1.1 server on a unix socket, so that the test decides what each connection does:
 * it answers every request with the request number, and can drop a connection the moment a
 * second request arrives on it, as a daemon closing an idle keep-alive connection would.
 */
interface RawServer {
  readonly address: string;
  readonly connections: number;
  readonly answered: string[];
  dropReused: boolean;
  close(): Promise<void>;
}

let dir: string;
let server: RawServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'taskledger-transport-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function startRawServer(): Promise<RawServer> {
  const address = path.join(dir, 'raw.sock');
  const sockets = new Set<Socket>();
  const state = { connections: 0, answered: [] as string[], dropReused: false };
  const net: Server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let seen = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        seen += 1;
        if (seen > 1 && state.dropReused) {
          socket.destroy(); // never answered: the client must send it again elsewhere
          return;
        }
        const target = head.split(' ')[1]!;
        state.answered.push(target);
        const body = JSON.stringify({ n: state.answered.length, target });
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
            `Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n${body}`,
        );
      }
    });
  });
  await new Promise<void>((resolve) => net.listen(address, resolve));
  return {
    address,
    get connections() {
      return state.connections;
    },
    answered: state.answered,
    get dropReused() {
      return state.dropReused;
    },
    set dropReused(value: boolean) {
      state.dropReused = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        net.close(() => resolve());
      }),
  };
}

describe('http transport', () => {
  it('sends one request after another over one connection', async () => {
    server = await startRawServer();
    const options = { address: server.address, namespace: 'default' };
    for (const n of [1, 2, 3]) {
      await expect(call(options, 'GET', `/v1/r${n}`)).resolves.toEqual({ n, target: `/v1/r${n}` });
    }
    expect(server.connections).toBe(1);
  });

  it('sends a request again on a new connection when the reused one was closed under it', async () => {
    server = await startRawServer();
    const options = { address: server.address, namespace: 'default' };
    await call(options, 'GET', '/v1/first');
    server.dropReused = true;
    await expect(call(options, 'GET', '/v1/second')).resolves.toEqual({
      n: 2,
      target: '/v1/second',
    });
    expect(server.answered).toEqual(['/v1/first', '/v1/second']);
    expect(server.connections).toBe(2);
  });

  it('says the daemon is not running when nothing listens', async () => {
    await expect(
      call({ address: path.join(dir, 'none.sock'), namespace: 'default' }, 'GET', '/v1/version'),
    ).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/is the daemon running\?/) as unknown,
    });
  });
});
