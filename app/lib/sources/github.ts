// GitHub Actions as a source, through Octokit in the browser: list workflow runs and their
// `knhk-reports-<target>` artifacts (no token needed), and with a token download each new artifact,
// check its digest and its run folder (the path every source takes), and store what passes. The
// token is only ever handed to Octokit, whose base URL is api.github.com; nothing here stores it.
import type { KnhkDb, StoredSource } from '../db/db.ts';
import { recordFreshness } from '../db/freshness.ts';
import type { Problem } from '../reports/problem.ts';
import { sha256Hex } from '../reports/check.ts';
import {
  checkArtifactZip,
  storeCheckedRuns,
  type Progress,
  type RefusedItem,
  type SourcedRun,
} from './files.ts';

export const GITHUB_API = 'https://api.github.com';
/** Artifacts named `knhk-reports-<target>` hold one run folder: `<run-id>/run.json` + its reports. */
export const ARTIFACT_PREFIX = 'knhk-reports-';
/** GitHub's primary limits per hour: without a token (per IP), and with a personal token. */
export const UNAUTHENTICATED_LIMIT = 60;
export const AUTHENTICATED_LIMIT = 5000;

export interface RepoRef {
  owner: string;
  name: string;
}

/** What GitHub's `x-ratelimit-*` headers said last. */
export interface RateBudget {
  limit: number;
  remaining: number;
  /** When the window resets (UTC, ISO 8601). */
  reset_at: string;
  resource: string;
}

export interface ListedArtifact {
  id: number;
  name: string;
  /** The target triple from the name (`knhk-reports-<target>`). */
  target: string;
  size_in_bytes: number;
  expired: boolean;
  /** `sha256:<hex>` for artifacts uploaded with upload-artifact v4 or later, else null. */
  digest: string | null;
  created_at: string | null;
  expires_at: string | null;
  workflow_run_id: number | null;
  /** The artifact's page on github.com, where a signed-in user can download the zip. */
  web_url: string;
}

export interface ListedRun {
  id: number;
  attempt: number;
  name: string;
  title: string;
  event: string;
  branch: string | null;
  head_sha: string;
  status: string | null;
  conclusion: string | null;
  created_at: string;
  html_url: string;
  artifacts: ListedArtifact[];
}

export interface GitHubListing {
  repo: string;
  runs: ListedRun[];
  /** Report artifacts whose workflow run is not among the listed runs (older runs). */
  other_artifacts: ListedArtifact[];
  /** The artifact list was answered 304 Not Modified. */
  artifacts_not_modified: boolean;
}

export type ArtifactOutcome = { artifact: ListedArtifact } & (
  | { status: 'added' | 'known'; ids: string[] }
  | { status: 'refused'; problems: Problem[] }
  | { status: 'expired' | 'unavailable'; message: string; fallback: boolean }
);

export interface GitHubSyncResult {
  repo: string;
  with_token: boolean;
  listing: GitHubListing;
  /** Nothing to download: GitHub answered 304 for the artifact list since the last complete sync
   *  (`since`), and this tab holds no copy of the list. */
  up_to_date: { since: string } | null;
  /** Why artifact contents were not read (no token), or null. */
  note: string | null;
  artifacts: ArtifactOutcome[];
  added: string[];
  known: string[];
  refused: RefusedItem[];
  /** An error that stopped the downloads part-way (401, 403, rate limit): what was done is kept. */
  stopped: GitHubError | null;
  budget: RateBudget | null;
}

export type GitHubErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'rate-limited'
  | 'not-found'
  | 'expired'
  | 'network'
  | 'http'
  | 'invalid-repo';

/** A GitHub answer the user can act on; `message` is the UI text. */
export class GitHubError extends Error {
  override name = 'GitHubError';
  constructor(
    readonly kind: GitHubErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** ETags and bodies of list responses, kept in memory for the tab: a 304 reuses the body. */
export type EtagCache = Map<string, { etag: string; data: unknown }>;

export interface SyncOptions {
  repo: RepoRef;
  /** A fine-grained token (Actions: read). Without one, only metadata is listed. */
  token?: string | null;
  /** The fetch Octokit uses (tests pass recorded responses). */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onBudget?: (b: RateBudget) => void;
  cache?: EtagCache;
  now?: () => Date;
  /** Retries of a 5xx answer (the retry plugin; never for 4xx). */
  retries?: number;
}

const RUNS_PER_PAGE = 30;
const ARTIFACTS_PER_PAGE = 100;

/** Reads `owner/name` or a github.com URL. */
export function parseRepo(text: string): { ok: true; repo: RepoRef } | { ok: false; message: string } {
  const trimmed = text
    .trim()
    .replace(/^https?:\/\/github\.com\//i, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(trimmed);
  if (!m || m[2] === '.' || m[2] === '..') {
    return {
      ok: false,
      message: `expected a repository as OWNER/NAME (such as knhk/knhk), got "${text.trim()}"`,
    };
  }
  return { ok: true, repo: { owner: m[1]!, name: m[2]! } };
}

export const repoSlug = (r: RepoRef) => `${r.owner}/${r.name}`;
/** The `sources` row of a repository (its freshness and the artifact list's ETag). */
export const githubSourceKey = (r: RepoRef) => `github:${repoSlug(r).toLowerCase()}`;
/** The `settings` row that remembers which artifact ids were stored as which runs ([] = expired). */
export const knownArtifactsKey = (r: RepoRef) => `github.artifacts:${repoSlug(r).toLowerCase()}`;

/** The budget in GitHub's `x-ratelimit-*` headers, or null when they are absent. */
export function readBudget(headers: Headers): RateBudget | null {
  const limit = headers.get('x-ratelimit-limit');
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  if (limit === null || remaining === null || reset === null) return null;
  const [l, r, s] = [Number(limit), Number(remaining), Number(reset)];
  if (![l, r, s].every(Number.isFinite)) return null;
  return {
    limit: l,
    remaining: r,
    reset_at: new Date(s * 1000).toISOString().replace('.000Z', 'Z'),
    resource: headers.get('x-ratelimit-resource') ?? 'core',
  };
}

/** Lists the repository's runs and report artifacts and, with a token, downloads, checks and stores
 *  each artifact not stored yet (one run at a time, so a cancel keeps what finished).
 *  @throws GitHubError when the listing fails (401, 403, 404, rate limit, network), AbortError on
 *  cancel. Per-artifact failures (410, digest mismatch, invalid run, CORS) are outcomes, not throws. */
export async function syncGitHub(db: KnhkDb, opts: SyncOptions): Promise<GitHubSyncResult> {
  const now = opts.now ?? (() => new Date());
  const repo = repoSlug(opts.repo);
  const withToken = Boolean(opts.token);
  const cache: EtagCache = opts.cache ?? new Map();
  let budget: RateBudget | null = null;
  const baseFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const budgetFetch: typeof fetch = async (input, init) => {
    const res = await baseFetch(input, init);
    const b = readBudget(res.headers);
    if (b) {
      budget = b;
      opts.onBudget?.(b);
    }
    return res;
  };
  const octokit = await createOctokit({
    token: opts.token ?? null,
    fetch: budgetFetch,
    retries: opts.retries,
  });
  const fail = (err: unknown, context: ErrorContext) => toGitHubError(err, context, budget, withToken, now());
  const signal = opts.signal;
  const progress = (done: number, total: number, label: string) => opts.onProgress?.({ done, total, label });
  const sourceKey = githubSourceKey(opts.repo);
  const persisted = await db.sources.get(sourceKey);

  // 1. The listing: two requests, both conditional.
  progress(0, 2, 'listing workflow runs');
  const runsUrl = `/repos/${repo}/actions/runs?per_page=${RUNS_PER_PAGE}`;
  const runsRead = await conditionalGet(octokit, runsUrl, cache.get(runsUrl), signal).catch(
    (err: unknown) => {
      throw fail(err, { step: 'list', repo });
    },
  );
  const runsData = runsRead.status === 304 ? cache.get(runsUrl)?.data : runsRead.data;
  if (runsRead.status === 200 && runsRead.etag)
    cache.set(runsUrl, { etag: runsRead.etag, data: runsRead.data });
  progress(1, 2, 'listing artifacts');
  const artifactsUrl = `/repos/${repo}/actions/artifacts?per_page=${ARTIFACTS_PER_PAGE}`;
  const inMemory = cache.get(artifactsUrl);
  // The persisted ETag is only used with a token: it marks the last sync that read every artifact.
  const etag = inMemory?.etag ?? (withToken ? (persisted?.etag ?? undefined) : undefined);
  const artifactsRead = await conditionalGet(
    octokit,
    artifactsUrl,
    etag ? { etag, data: inMemory?.data } : undefined,
    signal,
  ).catch((err: unknown) => {
    throw fail(err, { step: 'list', repo });
  });
  if (artifactsRead.status === 200 && artifactsRead.etag) {
    cache.set(artifactsUrl, { etag: artifactsRead.etag, data: artifactsRead.data });
  }
  const artifactsData = artifactsRead.status === 304 ? inMemory?.data : artifactsRead.data;
  const listing = joinListing(repo, parseRuns(runsData, repo), parseArtifacts(artifactsData, repo));
  listing.artifacts_not_modified = artifactsRead.status === 304;

  const result: GitHubSyncResult = {
    repo,
    with_token: withToken,
    listing,
    up_to_date:
      artifactsRead.status === 304 && inMemory === undefined && persisted
        ? { since: persisted.fetched_at }
        : null,
    note: withToken
      ? null
      : 'Artifact contents need a token: GitHub serves artifact downloads only to signed-in requests. ' +
        'Paste a fine-grained token with "Actions: read" on this repository to download and check them.',
    artifacts: [],
    added: [],
    known: [],
    refused: [],
    stopped: null,
    budget,
  };
  const source: Pick<StoredSource, 'key' | 'kind' | 'label'> = {
    key: sourceKey,
    kind: 'github',
    label: repo,
  };
  if (!withToken || result.up_to_date) {
    // A listing is a read of the source too (its freshness), but it must not vouch for the
    // artifacts: the persisted ETag stays as the last complete sync left it.
    await recordFreshness(db, source, { added: 0, refused: 0, etag: persisted?.etag ?? null, now: now() });
    result.budget = budget;
    return result;
  }

  // 2. With a token: every report artifact not stored yet, one at a time.
  const all = [...listing.runs.flatMap((r) => r.artifacts), ...listing.other_artifacts];
  const attempts = new Map(listing.runs.map((r) => [r.id, r.attempt]));
  const knownArtifacts = await readKnownArtifacts(db, opts.repo);
  let blocked: string | null = null;
  for (const [i, artifact] of all.entries()) {
    signal?.throwIfAborted();
    progress(i, all.length, `${artifact.name} (${i + 1} of ${all.length})`);
    const known = await knownRunIds(db, artifact, knownArtifacts, attempts);
    if (known) {
      result.artifacts.push({ artifact, status: 'known', ids: known });
      result.known.push(...known);
      continue;
    }
    // Listed as expired, or answered 410 before (remembered as no runs): gone for good.
    if (artifact.expired || knownArtifacts[String(artifact.id)]?.length === 0) {
      result.artifacts.push({ artifact, status: 'expired', message: expiredMessage(), fallback: false });
      continue;
    }
    if (result.stopped || blocked) {
      result.artifacts.push({
        artifact,
        status: 'unavailable',
        message: blocked ?? `not downloaded: ${result.stopped?.message ?? ''}`,
        fallback: blocked !== null,
      });
      continue;
    }
    if (budget !== null && (budget as RateBudget).remaining === 0) {
      result.stopped = rateLimitError(budget, withToken, now());
      result.artifacts.push({
        artifact,
        status: 'unavailable',
        message: result.stopped.message,
        fallback: false,
      });
      continue;
    }
    let zip: Uint8Array;
    try {
      zip = await downloadArtifact(octokit, repo, artifact.id, signal);
    } catch (err) {
      const error = fail(err, { step: 'download', repo, artifact });
      if (error.kind === 'expired') {
        knownArtifacts[String(artifact.id)] = [];
        await db.settings.put({ key: knownArtifactsKey(opts.repo), value: knownArtifacts });
      }
      if (error.kind === 'expired' || error.kind === 'not-found' || error.kind === 'http') {
        result.artifacts.push({
          artifact,
          status: error.kind === 'expired' ? 'expired' : 'unavailable',
          message: error.message,
          fallback: error.kind === 'http',
        });
      } else if (error.kind === 'network') {
        // The browser could not follow the redirect to storage: every other download would fail the
        // same way, so do not spend the budget on them.
        blocked = 'not downloaded: the browser blocked the previous download; drop the zip instead';
        result.artifacts.push({ artifact, status: 'unavailable', message: error.message, fallback: true });
      } else {
        result.stopped = error;
        result.artifacts.push({ artifact, status: 'unavailable', message: error.message, fallback: false });
      }
      continue;
    }
    progress(i, all.length, `checking ${artifact.name} (${i + 1} of ${all.length})`);
    const digestProblem = await checkDigest(zip, artifact.digest);
    if (digestProblem) {
      const refused = { source: artifact.name, id: null, problems: [digestProblem] };
      result.refused.push(refused);
      result.artifacts.push({ artifact, status: 'refused', problems: refused.problems });
      continue;
    }
    const checked = await checkArtifactZip(zip, artifact.name, signal);
    const runs: SourcedRun[] = [];
    for (const r of checked.runs) {
      const problems = checkProvenance(r, artifact, opts.repo);
      if (problems.length) checked.refused.push({ source: r.source, id: r.run.manifest.id, problems });
      else runs.push(r);
    }
    signal?.throwIfAborted();
    const stored = await storeCheckedRuns(db, runs, { refusedBefore: checked.refused.length, now: now() });
    const refused = [...checked.refused, ...stored.refused];
    result.added.push(...stored.added);
    result.known.push(...stored.known);
    result.refused.push(...refused);
    if (refused.length) {
      result.artifacts.push({ artifact, status: 'refused', problems: refused.flatMap((r) => r.problems) });
    } else {
      const ids = [...stored.added, ...stored.known];
      knownArtifacts[String(artifact.id)] = ids;
      await db.settings.put({ key: knownArtifactsKey(opts.repo), value: knownArtifacts });
      result.artifacts.push({ artifact, status: stored.added.length ? 'added' : 'known', ids });
    }
  }
  progress(all.length, all.length, '');

  // Only a sync that read every artifact to a final answer may skip the next one on a 304.
  const complete = !result.stopped && result.artifacts.every((a) => a.status !== 'unavailable');
  await recordFreshness(db, source, {
    added: result.added.length,
    refused: result.refused.length,
    etag: complete
      ? (cache.get(artifactsUrl)?.etag ?? (artifactsRead.status === 304 ? (etag ?? null) : null))
      : (persisted?.etag ?? null),
    now: now(),
  });
  result.budget = budget;
  return result;
}

/** UI text for any error: a cancel is "cancelled" (never a failure), a GitHub answer its message. */
export function describeError(err: unknown): string {
  if (isAbortError(err)) return 'cancelled';
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

// ---------------------------------------------------------------------------------------------

/** Octokit is loaded on first use: pages that only show results or take dropped files (and import
 *  `describeError` from here) do not download it. */
async function createOctokit(opts: { token: string | null; fetch: typeof fetch; retries?: number }) {
  const [{ Octokit }, { throttling }, { retry }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-throttling'),
    import('@octokit/plugin-retry'),
  ]);
  const Kit = Octokit.plugin(throttling, retry);
  return new Kit({
    baseUrl: GITHUB_API,
    ...(opts.token ? { auth: opts.token } : {}),
    userAgent: 'knhk-release-health',
    request: { fetch: opts.fetch },
    retry: { retries: opts.retries ?? 2 },
    // Never wait out a limit silently (up to an hour without a token): stop and say when it resets.
    throttle: { onRateLimit: () => false, onSecondaryRateLimit: () => false },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

type Kit = Awaited<ReturnType<typeof createOctokit>>;

interface ConditionalRead {
  status: 200 | 304;
  etag: string | null;
  data: unknown;
}

async function conditionalGet(
  octokit: Kit,
  url: string,
  cached: { etag: string; data?: unknown } | undefined,
  signal?: AbortSignal,
): Promise<ConditionalRead> {
  try {
    const res = await octokit.request(`GET ${url}`, {
      headers: cached ? { 'if-none-match': cached.etag } : {},
      request: { signal },
    });
    return { status: 200, etag: res.headers.etag ?? null, data: res.data };
  } catch (err) {
    if (statusOf(err) === 304) return { status: 304, etag: cached?.etag ?? null, data: cached?.data };
    throw err;
  }
}

async function downloadArtifact(
  octokit: Kit,
  repo: string,
  id: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const res = await octokit.request(`GET /repos/${repo}/actions/artifacts/${id}/zip`, {
    // A network failure here is most likely CORS on the storage redirect: retrying cannot help.
    request: { signal, retries: 0 },
  });
  const data: unknown = res.data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return new TextEncoder().encode(data);
  throw new GitHubError('http', `the artifact download answered ${typeof data}, not a zip`, res.status);
}

async function checkDigest(zip: Uint8Array, digest: string | null): Promise<Problem | null> {
  if (!digest) return null;
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(digest);
  if (!m)
    return {
      path: '/digest',
      message: `GitHub's digest "${digest}" is not sha256:<hex>: cannot check the zip`,
    };
  const got = await sha256Hex(zip);
  if (got === m[1]!.toLowerCase()) return null;
  return {
    path: '/digest',
    message: `the downloaded zip has SHA-256 ${got}, GitHub's artifact record says ${m[1]!.toLowerCase()}: refused`,
  };
}

/** A run from a GitHub artifact must say it is one: its source, workflow run, target and repository. */
function checkProvenance(r: SourcedRun, artifact: ListedArtifact, repo: RepoRef): Problem[] {
  const m = r.run.manifest;
  const problems: Problem[] = [];
  if (m.source !== 'github-actions') {
    problems.push({
      path: '/source',
      message: `a run from a GitHub artifact must say "github-actions", got "${m.source}"`,
    });
  }
  if (artifact.workflow_run_id !== null && !m.id.startsWith(`gh-${artifact.workflow_run_id}-`)) {
    problems.push({
      path: '/id',
      message: `the artifact belongs to workflow run ${artifact.workflow_run_id}, so the id must start with "gh-${artifact.workflow_run_id}-", got "${m.id}"`,
    });
  }
  if (m.target !== artifact.target) {
    problems.push({
      path: '/target',
      message: `the artifact "${artifact.name}" is for ${artifact.target}, the run says "${m.target}"`,
    });
  }
  if (m.repo !== null && m.repo.toLowerCase() !== repoSlug(repo).toLowerCase()) {
    problems.push({
      path: '/repo',
      message: `the artifact comes from ${repoSlug(repo)}, the run says "${m.repo}"`,
    });
  }
  return problems;
}

async function readKnownArtifacts(db: KnhkDb, repo: RepoRef): Promise<Record<string, string[]>> {
  const row = await db.settings.get(knownArtifactsKey(repo));
  const value = row?.value;
  return value && typeof value === 'object' ? { ...(value as Record<string, string[]>) } : {};
}

/** The stored run ids of an artifact, when every one of them is still stored; else null. Covers runs
 *  stored from this artifact before, and runs that came from the snapshot or a dropped zip. */
async function knownRunIds(
  db: KnhkDb,
  artifact: ListedArtifact,
  knownArtifacts: Record<string, string[]>,
  attempts: Map<number, number>,
): Promise<string[] | null> {
  const remembered = knownArtifacts[String(artifact.id)];
  if (remembered?.length) {
    const rows = await db.runs.bulkGet(remembered);
    if (rows.every(Boolean)) return remembered;
  }
  const attempt = artifact.workflow_run_id === null ? undefined : attempts.get(artifact.workflow_run_id);
  if (attempt === undefined) return null;
  const id = `gh-${artifact.workflow_run_id}-${attempt}-${artifact.target}`;
  return (await db.runs.get(id)) ? [id] : null;
}

function joinListing(repo: string, runs: ListedRun[], artifacts: ListedArtifact[]): GitHubListing {
  const byRun = new Map(runs.map((r) => [r.id, r]));
  const other: ListedArtifact[] = [];
  for (const a of artifacts) {
    const run = a.workflow_run_id === null ? undefined : byRun.get(a.workflow_run_id);
    if (run) run.artifacts.push(a);
    else other.push(a);
  }
  return { repo, runs, other_artifacts: other, artifacts_not_modified: false };
}

// GitHub's JSON is read defensively: a field of the wrong type becomes a neutral value, never a throw.
const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;

function parseRuns(data: unknown, repo: string): ListedRun[] {
  const list = rec(data).workflow_runs;
  if (!Array.isArray(list)) return [];
  return list.map((raw) => {
    const r = rec(raw);
    const id = num(r.id) ?? 0;
    const html = str(r.html_url);
    return {
      id,
      attempt: num(r.run_attempt) ?? 1,
      name: str(r.name) ?? '',
      title: str(r.display_title) ?? '',
      event: str(r.event) ?? '',
      branch: str(r.head_branch),
      head_sha: str(r.head_sha) ?? '',
      status: str(r.status),
      conclusion: str(r.conclusion),
      created_at: str(r.created_at) ?? '',
      // Only ever a github.com page: the view links to it.
      html_url: html?.startsWith('https://github.com/')
        ? html
        : `https://github.com/${repo}/actions/runs/${id}`,
      artifacts: [],
    };
  });
}

function parseArtifacts(data: unknown, repo: string): ListedArtifact[] {
  const list = rec(data).artifacts;
  if (!Array.isArray(list)) return [];
  return list
    .map((raw) => {
      const a = rec(raw);
      const name = str(a.name) ?? '';
      const id = num(a.id) ?? 0;
      const runId = num(rec(a.workflow_run).id);
      return {
        id,
        name,
        target: name.startsWith(ARTIFACT_PREFIX) ? name.slice(ARTIFACT_PREFIX.length) : '',
        size_in_bytes: num(a.size_in_bytes) ?? 0,
        expired: a.expired === true,
        digest: str(a.digest),
        created_at: str(a.created_at),
        expires_at: str(a.expires_at),
        workflow_run_id: runId,
        web_url:
          runId === null
            ? `https://github.com/${repo}/actions`
            : `https://github.com/${repo}/actions/runs/${runId}/artifacts/${id}`,
      };
    })
    .filter((a) => a.target !== '');
}

// ---------------------------------------------------------------------------------------------
// Errors: every GitHub answer becomes a message that says what happened and what to do.

type ErrorContext =
  { step: 'list'; repo: string } | { step: 'download'; repo: string; artifact: ListedArtifact };

function statusOf(err: unknown): number | null {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : null;
}

function headersOf(err: unknown): Headers {
  const raw = (err as { response?: { headers?: Record<string, string> } } | null)?.response?.headers ?? {};
  return new Headers(Object.entries(raw).filter(([, v]) => typeof v === 'string'));
}

function toGitHubError(
  err: unknown,
  ctx: ErrorContext,
  budget: RateBudget | null,
  withToken: boolean,
  now: Date,
): GitHubError {
  if (isAbortError(err)) throw err;
  if (err instanceof GitHubError) return err;
  const status = statusOf(err);
  const headers = headersOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const what = ctx.step === 'list' ? ctx.repo : `the artifact "${ctx.artifact.name}"`;
  // Octokit reports a fetch that never got an answer (offline, CORS, CSP) as a 500 without a response.
  if (status === null || (err as { response?: unknown } | null)?.response === undefined) {
    if (ctx.step === 'download') {
      return new GitHubError(
        'network',
        `your browser could not fetch the artifact zip (${message}): GitHub answers the download with a redirect to its ` +
          `storage host, which this page may not read (its Content-Security-Policy connects only to api.github.com, ` +
          `and the storage host sends no CORS headers for other sites). Download the zip from GitHub — ` +
          `${ctx.artifact.web_url} — and drop it on the drop zone.`,
        null,
      );
    }
    return new GitHubError(
      'network',
      `api.github.com could not be reached (${message}): offline, or blocked by a proxy or an extension. What is stored is still shown.`,
      null,
    );
  }
  const headerBudget = readBudget(headers) ?? budget;
  if (
    status === 429 ||
    (status === 403 && (headers.get('x-ratelimit-remaining') === '0' || /rate limit/i.test(message)))
  ) {
    if (/secondary rate/i.test(message) || headers.has('retry-after')) {
      const wait = Number(headers.get('retry-after')) || 60;
      return new GitHubError(
        'rate-limited',
        `GitHub's secondary rate limit was hit (too many requests at once): wait ${wait} s, then sync again.`,
        status,
      );
    }
    return rateLimitError(headerBudget, withToken, now, status);
  }
  switch (status) {
    case 401:
      return new GitHubError(
        'unauthorized',
        withToken
          ? 'GitHub refused the token (401 Bad credentials): it is expired, revoked or mistyped. Forget it and paste a new fine-grained token with "Actions: read".'
          : `GitHub asks for a token to read ${what} (401): paste a fine-grained token with "Actions: read".`,
        status,
      );
    case 403:
      return new GitHubError(
        'forbidden',
        withToken
          ? `GitHub refused access to ${what} (403): the token needs "Actions: read" on ${ctx.repo} (a fine-grained token must list the repository under its repository access).`
          : `GitHub refused access to ${what} (403: ${firstLine(message)}).`,
        status,
      );
    case 404:
      return new GitHubError(
        'not-found',
        ctx.step === 'list'
          ? `${ctx.repo} was not found (404): check the spelling, or — for a private repository — ${withToken ? 'the token cannot see it (fine-grained tokens list their repositories)' : 'paste a token that can read it'}.`
          : `${what} no longer exists on GitHub (404).`,
        status,
      );
    case 410:
      return new GitHubError('expired', expiredMessage(), status);
    default:
      return new GitHubError('http', `GitHub answered ${status} for ${what}: ${firstLine(message)}`, status);
  }
}

function rateLimitError(
  budget: RateBudget | null,
  withToken: boolean,
  now: Date,
  status: number | null = null,
) {
  const limit = budget?.limit ?? (withToken ? AUTHENTICATED_LIMIT : UNAUTHENTICATED_LIMIT);
  const reset = budget ? new Date(budget.reset_at) : null;
  const when = reset
    ? ` It resets at ${reset.toISOString().slice(11, 16)} UTC (in ${Math.max(1, Math.ceil((reset.getTime() - now.getTime()) / 60_000))} min).`
    : '';
  return new GitHubError(
    'rate-limited',
    `GitHub's rate limit is used up: 0 of ${limit} requests left this hour ${withToken ? 'for this token' : 'without a token'}.${when}` +
      (withToken ? '' : ` A token raises the limit to ${AUTHENTICATED_LIMIT.toLocaleString('en')} an hour.`),
    status,
  );
}

function expiredMessage(): string {
  return 'expired: GitHub deleted this artifact after its retention period (410); its run can only come from the snapshot or a saved copy of the zip.';
}

function firstLine(message: string): string {
  return message.split(' - https://')[0]!.split('\n')[0]!;
}
