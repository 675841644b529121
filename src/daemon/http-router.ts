import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventCause } from '../domain/event-envelope.ts';

/** A parsed API request, as route handlers see it. */
export interface ApiRequest {
  /** HTTP method. */
  readonly method: string;
  /** Path parameters (`:id`), decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Query string. */
  readonly query: URLSearchParams;
  /** Parsed JSON body (undefined when there is none). */
  readonly body: unknown;
  /** The namespace the request acts in. */
  readonly namespace: string;
  /** What caused the events this request appends. */
  readonly cause: EventCause;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** The raw request, for streaming handlers. */
  readonly raw: IncomingMessage;
}

/** A handler's answer: a JSON body, or a stream the handler writes itself. */
export type ApiResponse =
  | { readonly status?: number; readonly body: unknown }
  | { readonly stream: (res: ServerResponse) => void | Promise<void> };

/** A route handler. */
export type Handler = (request: ApiRequest) => ApiResponse | Promise<ApiResponse>;

/** One route: method, path pattern with `:param` segments, handler. */
export interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly handler: Handler;
}

/** The route that matched, with its parameters. */
export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** Matches `method path` against the routes; `methodsFor` tells 404 from 405. */
export function createRouter(routes: readonly Route[]): {
  match(method: string, path: string): RouteMatch | undefined;
  methodsFor(path: string): string[];
} {
  const compiled = routes.map((route) => ({ route, segments: route.pattern.split('/') }));
  const matchPath = (segments: string[], path: string[]): Record<string, string> | undefined => {
    if (segments.length !== path.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      const p = path[i]!;
      if (s.startsWith(':')) {
        if (p === '') return undefined;
        try {
          params[s.slice(1)] = decodeURIComponent(p);
        } catch {
          return undefined;
        }
      } else if (s !== p) return undefined;
    }
    return params;
  };
  return {
    match(method, path) {
      const parts = path.split('/');
      for (const { route, segments } of compiled) {
        if (route.method !== method) continue;
        const params = matchPath(segments, parts);
        if (params) return { route, params };
      }
      return undefined;
    },
    methodsFor(path) {
      const parts = path.split('/');
      return compiled.filter((c) => matchPath(c.segments, parts)).map((c) => c.route.method);
    },
  };
}
