import { isErrorCode, isTaskledgerError, TaskledgerError } from '../domain/errors.ts';
import { unixHttpRequest, UnixHttpError, type UnixHttpResponse } from './unix-http-client.ts';

/** How requests reach the daemon. */
export interface TransportOptions {
  /** The daemon's unix socket. */
  readonly address: string;
  /** Namespace sent with every request. */
  readonly namespace: string;
  /** Names the caller in the events it causes (`cli containers create`). */
  readonly client?: string;
}

/**
 * Sends a request. Connections stay open between requests (HTTP keep-alive, unix-http-client.ts):
 * a new unix-socket connection per request cost about 0.6 ms of a request's 1.1 ms here, and a
 * short task takes six requests.
 */
async function send(
  options: TransportOptions,
  method: string,
  path: string,
  body: unknown,
  signal: AbortSignal | undefined,
): Promise<UnixHttpResponse> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const request = {
    method,
    path,
    signal,
    body: text,
    headers: {
      'x-taskledger-namespace': options.namespace,
      ...(options.client ? { 'x-taskledger-client': options.client } : {}),
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
    },
  };
  try {
    try {
      return await unixHttpRequest(options.address, request);
    } catch (error) {
      // A reset on a reused connection: the daemon closed it while idle just as we sent, so it
      // never read the request, and sending it again on a new connection does not do it twice.
      // (A daemon that died mid-request instead refuses the new connection: Unavailable.)
      if (!(error instanceof UnixHttpError && error.reused && error.code === 'ECONNRESET'))
        throw error;
      return await unixHttpRequest(options.address, request);
    }
  } catch (error) {
    if (error instanceof TypeError) throw new TaskledgerError('InvalidArgument', error.message);
    if (!(error instanceof UnixHttpError)) throw error; // an abort
    const reason = ['ENOENT', 'ECONNREFUSED'].includes(error.code ?? '')
      ? 'is the daemon running? (taskledger daemon)'
      : error.message;
    throw new TaskledgerError(
      'Unavailable',
      `cannot reach the taskledger daemon at ${options.address}: ${reason}`,
      { cause: error },
    );
  }
}

async function readBody(res: UnixHttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body()) chunks.push(chunk);
  if (!res.complete) throw new Error('it ended before the answer did');
  return Buffer.concat(chunks).toString('utf8');
}

function errorFrom(body: unknown, status: number): TaskledgerError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = isErrorCode(error?.code)
    ? error.code
    : status >= 500
      ? 'Internal'
      : 'InvalidArgument';
  return new TaskledgerError(
    code,
    typeof error?.message === 'string' ? error.message : `daemon answered HTTP ${status}`,
  );
}

/** Sends one JSON request; resolves with the JSON answer or rejects with the daemon's error. */
export async function call<T>(
  options: TransportOptions,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const res = await send(options, method, path, body, signal);
  let text: string;
  try {
    text = await readBody(res);
  } catch (error) {
    throw new TaskledgerError(
      'Unavailable',
      `the daemon closed the connection: ${(error as Error).message}; retry`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new TaskledgerError(
      'Internal',
      `the daemon sent a malformed answer (HTTP ${res.status})`,
    );
  }
  if (res.status >= 400) throw errorFrom(parsed, res.status);
  return parsed as T;
}

/**
 * Opens an NDJSON stream; yields each line parsed; a trailing `{error}` line is thrown. A `body`
 * makes it a POST (an import answering with progress lines). `opened` is called once the daemon
 * has answered with the stream's start, before any line.
 */
export async function* stream<T>(
  options: TransportOptions,
  path: string,
  signal?: AbortSignal,
  body?: unknown,
  opened?: () => void,
): AsyncGenerator<T> {
  const res = await send(options, body === undefined ? 'GET' : 'POST', path, body, signal);
  if (res.status < 400) opened?.();
  if (res.status >= 400) {
    const text = await readBody(res);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    throw errorFrom(parsed, res.status);
  }
  let pending = '';
  // Decodes across chunks: a character may be split between two.
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body()) {
      pending += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line === '') continue;
        const value = JSON.parse(line) as unknown;
        if (
          value &&
          typeof value === 'object' &&
          'error' in value &&
          Object.keys(value).length === 1
        ) {
          throw errorFrom(value, 500);
        }
        yield value as T;
      }
    }
  } catch (error) {
    if (isTaskledgerError(error) || signal?.aborted) throw error;
    throw new TaskledgerError(
      'Unavailable',
      `the event stream from the daemon broke: ${(error as Error).message}; resume with --since`,
      { cause: error },
    );
  }
  if (!res.complete) {
    throw new TaskledgerError(
      'Unavailable',
      'the daemon closed the stream early (restarting?); resume with --since',
    );
  }
}

/** Builds `path?query` from optional parameters; repeated values for arrays. */
export function withQuery(
  path: string,
  query: Record<string, string | number | boolean | readonly string[] | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === false) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(name, v);
    else params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
