import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, stream } from '../../src/api/http-transport.ts';
import { unixHttpRequest, type UnixHttpResponse } from '../../src/api/unix-http-client.ts';

/**
 * A server that answers each request with scripted bytes, written in pieces of `piece` bytes
 * (one at a time by default), so the client's parser sees every boundary a socket can make.
 */
let dir: string;
let server: Server | undefined;
const sockets = new Set<Socket>();

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'taskledger-unix-http-'));
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function serve(
  answer: (target: string) => { bytes: string; thenClose?: boolean },
  piece = 1,
): Promise<string> {
  const address = path.join(dir, 'scripted.sock');
  server = createServer((socket) => {
    sockets.add(socket);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        buffered = buffered.slice(end + 4 + length);
        const { bytes, thenClose } = answer(head.split(' ')[1]!);
        const data = Buffer.from(bytes);
        void (async () => {
          for (let at = 0; at < data.length; at += piece) {
            socket.write(data.subarray(at, at + piece));
            await new Promise((resolve) => setImmediate(resolve));
          }
          if (thenClose) socket.end();
        })();
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(address, resolve));
  return address;
}

const text = async (res: UnixHttpResponse): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body()) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
};
const get = (address: string, target: string, signal?: AbortSignal) =>
  unixHttpRequest(address, { method: 'GET', path: target, headers: {}, signal });

describe('unix socket HTTP client', () => {
  it('reads a body by its content-length, then reuses the connection', async () => {
    let connections = 0;
    const address = await serve((target) => {
      const body = `{"target":"${target}"}`;
      return { bytes: `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}` };
    });
    server!.on('connection', () => (connections += 1));
    for (const target of ['/a', '/b']) {
      const res = await get(address, target);
      expect(res.status).toBe(200);
      expect(await text(res)).toBe(`{"target":"${target}"}`);
      expect(res.complete).toBe(true);
    }
    expect(connections).toBe(1);
  });

  it('reads a chunked body split at every byte, multibyte characters included', async () => {
    const parts = ['{"a":1}\n', '{"b":"é€"}\n', '{"c":3}\n'];
    const chunked = parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('');
    const address = await serve(() => ({
      bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}0\r\n\r\n`,
    }));
    const lines: unknown[] = [];
    for await (const line of stream({ address, namespace: 'default' }, '/s')) lines.push(line);
    expect(lines).toEqual([{ a: 1 }, { b: 'é€' }, { c: 3 }]);
  });

  it('ends a body cut short by the server as incomplete', async () => {
    const address = await serve(() => ({
      bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n{"a":1}\n\r\n',
      thenClose: true,
    }));
    const res = await get(address, '/cut');
    expect(await text(res)).toBe('{"a":1}\n');
    expect(res.complete).toBe(false);
  });

  it('reads a body without a length to the end of the connection', async () => {
    const address = await serve(() => ({
      bytes: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it',
      thenClose: true,
    }));
    const res = await get(address, '/close');
    expect(await text(res)).toBe('all of it');
    expect(res.complete).toBe(true);
  });

  it('stops reading when the signal aborts, and the next request gets a new connection', async () => {
    let connections = 0;
    const address = await serve((target) =>
      target === '/forever'
        ? { bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n' }
        : { bytes: 'HTTP/1.1 204 No Content\r\n\r\n' },
    );
    server!.on('connection', () => (connections += 1));
    const abort = new AbortController();
    const res = await get(address, '/forever', abort.signal);
    const reading = text(res);
    setTimeout(() => abort.abort(), 20);
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect((await get(address, '/after')).status).toBe(204);
    expect(connections).toBe(2);
  });

  it('refuses a line break in a header, which would smuggle in another', async () => {
    const address = await serve(() => ({ bytes: 'HTTP/1.1 204 No Content\r\n\r\n' }));
    await expect(
      call({ address, namespace: 'a\r\nx-evil: 1' }, 'GET', '/v1/version'),
    ).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: "a line break in the request's x-taskledger-namespace",
    });
  });
});
