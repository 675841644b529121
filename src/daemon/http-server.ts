import { randomUUID } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { httpStatusOf, type ErrorBody } from '../api/error-mapping.ts';
import { invalidArgument, isTaskledgerError, notFound, TaskledgerError } from '../domain/errors.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import { createRouter, type ApiRequest, type Route } from './http-router.ts';

/** Largest request body accepted; specs are small, and a bound keeps a bad client from filling memory. */
export const maxBodyBytes = 1024 * 1024;

/** How much of an oversized body is read and thrown away before the connection is cut. */
const maxDrainBytes = 16 * maxBodyBytes;

/** Header carrying the namespace (containerd passes it per request, too). */
export const namespaceHeader = 'x-taskledger-namespace';
/** Header carrying the caller's correlation id for the events a request causes. */
export const requestIdHeader = 'x-request-id';
/** Header naming the client (e.g. `cli containers create`), recorded as the events' source. */
export const clientHeader = 'x-taskledger-client';

/** The JSON API on a unix socket. */
export interface ApiServer {
  /** Stops accepting, ends open streams, removes the socket. */
  close(): Promise<void>;
}

/** Serves `routes` on the unix socket `address`, created with mode 0600. */
export async function serveApi(
  address: string,
  routes: readonly Route[],
  log: (line: string) => void,
): Promise<ApiServer> {
  const router = createRouter(routes);
  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // streams (events --follow, logs -f, wait) stay open

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      const url = new URL(req.url ?? '/', 'http://taskledger');
      const method = req.method ?? 'GET';
      const found = router.match(method, url.pathname);
      if (!found) {
        const allowed = router.methodsFor(url.pathname);
        if (allowed.length > 0) {
          throw invalidArgument(
            `method ${method} not allowed on ${url.pathname} (allowed: ${allowed.join(', ')})`,
          );
        }
        throw notFound(`no such endpoint: ${method} ${url.pathname}`);
      }
      const body = await readJsonBody(req);
      const namespace = validateIdentifier(
        headerValue(req, namespaceHeader) ?? url.searchParams.get('namespace') ?? 'default',
        'namespace',
      );
      const request: ApiRequest = {
        method,
        params: found.params,
        query: url.searchParams,
        body,
        namespace,
        cause: {
          correlationId: headerValue(req, requestIdHeader) ?? randomUUID(),
          source: headerValue(req, clientHeader) ?? `api ${method} ${found.route.pattern}`,
        },
        signal: abort.signal,
        raw: req,
      };
      const response = await found.route.handler(request);
      if ('stream' in response) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        // Sent now, not with the first line: the client learns the stream is open (an attach
        // sends its input only then).
        res.flushHeaders();
        await response.stream(res);
        return;
      }
      sendJson(res, response.status ?? 200, response.body);
    } catch (error) {
      const e = isTaskledgerError(error)
        ? error
        : new TaskledgerError('Internal', String((error as Error)?.message ?? error), {
            cause: error,
          });
      if (e.code === 'Internal')
        log(
          `internal error on ${req.method} ${req.url}: ${(error as Error)?.stack ?? String(error)}`,
        );
      if (res.headersSent) {
        // Mid-stream: the client reads this as the stream's last line.
        // A subscriber that fell behind learns where to resume (`seq`).
        const seq = (error as { seq?: unknown }).seq;
        res.end(
          `${JSON.stringify({ error: { code: e.code, message: e.message, ...(typeof seq === 'number' ? { seq } : {}) } })}\n`,
        );
        return;
      }
      const body: ErrorBody = { error: { code: e.code, message: e.message } };
      sendJson(res, httpStatusOf[e.code], body);
    }
  }

  rmSync(address, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(address, 0o600);

  return {
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        rmSync(address, { force: true });
      });
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the limit, stop keeping the body but drain a bounded amount, so that a client still
    // writing gets its 400 instead of a broken pipe; a body past that is cut off.
    if (size > maxDrainBytes) break;
    if (size <= maxBodyBytes) chunks.push(chunk);
  }
  if (size > maxBodyBytes || declared > maxBodyBytes) {
    throw invalidArgument(
      `request body of ${Math.max(declared, size)} bytes exceeds the ${maxBodyBytes}-byte limit`,
    );
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidArgument(`request body is not valid JSON: ${(error as Error).message}`);
  }
}
