// One GitHub REST client for the pipeline CLIs: Octokit with the throttling and retry plugins, and
// conditional requests (ETag / If-None-Match) backed by a small JSON cache, so polling an unchanged
// list costs a 304 (which GitHub does not count against the rate limit) instead of a full response.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export const GitHubClient = Octokit.plugin(throttling, retry);
export type GitHub = InstanceType<typeof GitHubClient>;

/** A cached response of a GET: its ETag, its JSON body and the pagination `link` header. */
export interface EtagEntry {
  etag: string;
  body: unknown;
  link?: string;
}

/** URL -> last response, persisted as one JSON file. Bodies are stored as copies: Octokit's
 *  paginator rewrites the response object it is given. */
export class EtagCache {
  readonly path: string | null;
  #entries: Record<string, EtagEntry>;
  #used = new Set<string>();
  #dirty = false;
  /** Requests answered 304 (served from the cache) and requests stored, for the summary. */
  hits = 0;
  stores = 0;

  constructor(path: string | null, entries: Record<string, EtagEntry> = {}) {
    this.path = path;
    this.#entries = entries;
  }

  /** Loads the cache file; a missing or unreadable file starts an empty cache (it is only a cache). */
  static load(path: string): EtagCache {
    if (!existsSync(path)) return new EtagCache(path);
    try {
      const doc: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
        return new EtagCache(path, doc as Record<string, EtagEntry>);
      }
    } catch {
      // A corrupt cache costs full requests, never a wrong answer: start over.
    }
    return new EtagCache(path);
  }

  get(url: string): EtagEntry | undefined {
    this.#used.add(url);
    const entry = this.#entries[url];
    return entry && typeof entry.etag === 'string' ? entry : undefined;
  }

  set(url: string, entry: EtagEntry): void {
    this.#entries[url] = structuredClone(entry);
    this.#used.add(url);
    this.#dirty = true;
    this.stores++;
  }

  /** Writes the file (keys sorted, atomically) when something changed.
   *  @param prune keep only the URLs requested since loading (after a complete pass, the others are
   *  lists that left the window, such as old runs' artifacts): the file does not grow without bound. */
  save(prune = false): void {
    if (!this.path) return;
    const entries = Object.entries(this.#entries).filter(([url]) => !prune || this.#used.has(url));
    if (!this.#dirty && entries.length === Object.keys(this.#entries).length) return;
    const sorted = Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
    writeJsonAtomic(this.path, sorted);
    this.#dirty = false;
  }
}

export interface GitHubOptions {
  /** A token (GITHUB_TOKEN); without one only public data is readable, at 60 requests per hour. */
  token?: string;
  /** The fetch Octokit uses (tests inject recorded responses). */
  fetch?: typeof fetch;
  etagCache?: EtagCache;
  /** Longest wait for a rate-limit reset that is retried automatically, in seconds (default 120). */
  maxRateLimitWaitSeconds?: number;
  /** Milliseconds per second of `retry-after` (default 1000; tests use 0 to retry at once). */
  retryAfterBaseValue?: number;
  /** Retries of server errors (5xx) by the retry plugin (default 3). */
  retries?: number;
  /** Progress lines (rate-limit waits). */
  log?: (line: string) => void;
}

/** An Octokit with throttling (waits for a rate-limit reset when it is near, once), retries of server
 *  errors, and If-None-Match on GETs when an ETag cache is given. */
export function createGitHub(opts: GitHubOptions = {}): GitHub {
  const maxWait = opts.maxRateLimitWaitSeconds ?? 120;
  const log = opts.log ?? (() => {});
  const noop = () => {};
  /** The throttling plugin's handler: wait (and say so) while the limit has been hit at most
   *  `retries` times before and the wait is short enough. */
  const retryWithin =
    (what: string, retries: number) =>
    (retryAfter: number, options: { method: string; url: string }, _o: unknown, count: number) => {
      if (count > retries || retryAfter > maxWait) return false;
      log(`${what} on ${options.method} ${options.url}: retrying in ${retryAfter} s`);
      return true;
    };
  const octokit = new GitHubClient({
    ...(opts.token ? { auth: opts.token } : {}),
    userAgent: 'knhk-release-health',
    request: opts.fetch ? { fetch: opts.fetch } : {},
    // Our own messages name the status and what to do; Octokit's per-request lines are noise.
    log: { debug: noop, info: noop, warn: (m: string) => log(m), error: noop },
    retry: {
      retries: opts.retries ?? 3,
      retryAfterBaseValue: opts.retryAfterBaseValue ?? 1000,
      // The plugin's list plus 429: rate limits are the throttling plugin's to wait out, not to hammer.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      retryAfterBaseValue: opts.retryAfterBaseValue ?? 1000,
      onRateLimit: retryWithin('rate limit reached', 0),
      onSecondaryRateLimit: retryWithin('secondary rate limit', 1),
    },
  });
  if (opts.etagCache) useEtagCache(octokit, opts.etagCache);
  return octokit;
}

interface HookOptions {
  method?: string;
  headers?: Record<string, string>;
  request?: { redirect?: string };
  [key: string]: unknown;
}
interface HookResponse {
  status: number;
  url: string;
  headers: Record<string, string | undefined>;
  data: unknown;
}

/** Sends If-None-Match for GETs with a cached ETag; a 304 answers with the cached body (and `link`,
 *  so pagination goes on). Downloads (manual redirects) and non-JSON bodies are never cached. */
function useEtagCache(octokit: GitHub, cache: EtagCache): void {
  octokit.hook.wrap('request', async (request, options) => {
    const opts = options as unknown as HookOptions;
    const cacheable = (opts.method ?? 'GET') === 'GET' && !opts.request?.redirect;
    if (!cacheable) return request(options);
    const url = octokit.request.endpoint.parse(
      options as Parameters<typeof octokit.request.endpoint.parse>[0],
    ).url;
    const cached = cache.get(url);
    if (cached) opts.headers = { ...opts.headers, 'if-none-match': cached.etag };
    try {
      const response = (await request(options)) as unknown as HookResponse;
      const etag = response.headers.etag;
      const isJson = response.data !== null && typeof response.data === 'object';
      const isBinary = response.data instanceof ArrayBuffer;
      if (etag && isJson && !isBinary) {
        cache.set(url, {
          etag,
          body: response.data,
          ...(response.headers.link ? { link: response.headers.link } : {}),
        });
      }
      return response as never;
    } catch (err) {
      if (cached && statusOf(err) === 304) {
        cache.hits++;
        const headers = (err as { response?: { headers?: Record<string, string> } }).response?.headers ?? {};
        return {
          status: 200,
          url,
          headers: { ...headers, etag: cached.etag, ...(cached.link ? { link: cached.link } : {}) },
          data: structuredClone(cached.body),
        } as never;
      }
      throw err;
    }
  });
}

/** The HTTP status of an Octokit RequestError (or undefined for other errors). */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function headerOf(err: unknown, name: string): string | undefined {
  const headers = (err as { response?: { headers?: Record<string, string | undefined> } } | null)?.response
    ?.headers;
  return headers?.[name];
}

/** True for GitHub's primary rate limit (403 or 429 with `x-ratelimit-remaining: 0`). */
export function isRateLimited(err: unknown): boolean {
  const status = statusOf(err);
  return (status === 403 || status === 429) && headerOf(err, 'x-ratelimit-remaining') === '0';
}

/** When the rate limit resets (from `x-ratelimit-reset`, epoch seconds), or null. */
export function rateLimitReset(err: unknown): Date | null {
  const reset = Number(headerOf(err, 'x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : null;
}

/** One line for a failed GitHub request: what went wrong, what was expected, what came back.
 *  @param what  the request in words, such as `listing workflow runs of knhk/knhk (ci.yml)`. */
export function describeGitHubError(err: unknown, what: string, hasToken: boolean): string {
  const status = statusOf(err);
  const message = (err as Error | null)?.message ?? String(err);
  if (isRateLimited(err) || status === 429) {
    const reset = rateLimitReset(err);
    const limit = headerOf(err, 'x-ratelimit-limit');
    const when = reset
      ? `it resets at ${reset.toISOString().replace(/\.\d{3}Z$/, 'Z')}${secondsUntil(reset)}`
      : 'GitHub did not say when it resets';
    const hint = hasToken ? '' : '; without GITHUB_TOKEN the limit is 60 requests per hour';
    return `GitHub API rate limit exhausted while ${what}${limit ? ` (limit ${limit})` : ''}: ${when}${hint}`;
  }
  // Octokit reports a request that got no response at all (DNS, TLS, connection) as status 500.
  const answered = Boolean((err as { response?: unknown } | null)?.response);
  if (status !== undefined && !answered) return `could not reach GitHub while ${what}: ${message}`;
  switch (status) {
    case 401:
      return `GitHub refused the credentials while ${what}: expected a valid GITHUB_TOKEN, got 401 (${message})`;
    case 403:
      return `GitHub forbade ${what}: expected a token with "actions: read" on the repository, got 403 (${message})`;
    case 404:
      return `not found while ${what}: expected an existing repository and workflow visible to ${
        hasToken ? 'this token' : 'anonymous requests (a private repository needs GITHUB_TOKEN)'
      }, got 404`;
    case 410:
      return `gone while ${what}: got 410 (${message})`;
    case undefined:
      return `request failed while ${what}: ${message}`;
    default:
      return `GitHub answered ${status} while ${what}: ${message}`;
  }
}

function secondsUntil(at: Date): string {
  const s = Math.ceil((at.getTime() - Date.now()) / 1000);
  return s > 0 ? ` (in ${s} s)` : '';
}

/** Writes JSON with sorted-as-given keys, 2-space indented, through a temporary file and a rename. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
