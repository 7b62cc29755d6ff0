// Test helper: a fetch that replays recorded GitHub responses (tests/fixtures/github/) by method and
// path, honours If-None-Match like GitHub, and records every request for assertions.
import { readFileSync } from 'node:fs';

export interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** What a route answers: a recorded response, raw bytes, or a function of the request. */
export type Answer = Recorded | { status: number; headers?: Record<string, string>; bytes: Uint8Array };
export type Route = Answer | Answer[] | ((req: SeenRequest) => Answer);

export function fixture(name: string): Recorded {
  return JSON.parse(readFileSync(`tests/fixtures/github/${name}`, 'utf8')) as Recorded;
}

/** A fetch answering `GET <path>` keys (path without the query) of `routes`; an array answers its
 *  items in turn and then keeps answering the last. Unknown requests get a 599 the test will see. */
export function replayFetch(routes: Record<string, Route>) {
  const seen: SeenRequest[] = [];
  const calls = new Map<string, number>();
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = Object.fromEntries(
      Object.entries((init?.headers as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
        k.toLowerCase(),
        String(v),
      ]),
    );
    const req: SeenRequest = { method: init?.method ?? 'GET', url: url.href, headers };
    seen.push(req);
    const key = `${req.method} ${url.origin === 'https://api.github.com' ? url.pathname : url.origin + url.pathname}`;
    const route = routes[key];
    if (!route) return new Response(`no recorded response for ${key}`, { status: 599 });
    const n = calls.get(key) ?? 0;
    calls.set(key, n + 1);
    const answer =
      typeof route === 'function'
        ? route(req)
        : Array.isArray(route)
          ? route[Math.min(n, route.length - 1)]!
          : route;
    const response = toResponse(answer, req);
    // A constructed Response has an empty url; a real fetch gives the request's (Octokit reads it).
    Object.defineProperty(response, 'url', { value: req.url });
    return response;
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

function toResponse(answer: Answer, req: SeenRequest): Response {
  const headers = new Headers(answer.headers ?? {});
  if ('bytes' in answer)
    return new Response(answer.bytes as Uint8Array<ArrayBuffer>, { status: answer.status, headers });
  // GitHub answers a conditional GET whose ETag still matches with 304 and no body.
  const etag = answer.headers.etag;
  if (etag && req.headers['if-none-match'] === etag && answer.status === 200) {
    return new Response(null, { status: 304, headers: { etag } });
  }
  const body = answer.body === null ? null : JSON.stringify(answer.body);
  return new Response([204, 205, 302, 304].includes(answer.status) ? null : body, {
    status: answer.status,
    headers,
  });
}
