// `collect`: gathers run folders into one directory for `snapshot --from`: report artifacts of a
// workflow's runs on GitHub Actions (and, optionally, the runs of an already published snapshot, so
// the site keeps its history after artifacts expire). Everything stored was checked by the one
// validation module; what fails is refused with the reason, and nothing already stored changes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createGitHub,
  describeGitHubError,
  EtagCache,
  isRateLimited,
  statusOf,
  writeJsonAtomic,
  type GitHub,
} from '../lib/github.ts';
import { checkSnapshotIndex } from '../../app/lib/reports/snapshot-index.ts';
import type { RunManifest } from '../../app/lib/reports/types.ts';
import { checkRunFiles, formatProblems, isStored, storeRun } from './run-folder.ts';
import { readZip, unsafePathReason } from './zip.ts';

/** The artifact convention: every CI matrix job uploads its `.knhk/runs/` folder as an artifact named
 *  `knhk-reports-<target>` (the GNU target triple of the job's build, as in `run.target`). The zip
 *  holds exactly one run folder, `gh-<workflow run id>-<attempt>-<target>/run.json` plus the reports
 *  that manifest lists. */
export const ARTIFACT_PREFIX = 'knhk-reports-';
/** The target triple as the report schemas define it (common.schema.json#/definitions/target). */
export const TARGET_PATTERN = /^[a-z0-9_]+(-[a-z0-9_.]+){1,3}$/;
const RUN_ID_PATTERN = /^(gh-[0-9]+-[0-9]+-[a-z0-9_.-]+|local-[A-Za-z0-9_.-]+-[0-9]{8}T[0-9]{6}Z)$/;
const STATE_FORMAT = 'knhk.collect-state/v1';

export interface CollectOptions {
  /** `OWNER/NAME` of the repository whose workflow runs are collected. */
  repo?: string;
  /** The workflow file name or id (default `ci.yml`). */
  workflow?: string;
  /** Where run folders, `collect-state.json` and `etag-cache.json` live. */
  outDir: string;
  /** How many of the latest completed workflow runs to look at (default 30). */
  maxRuns?: number;
  /** A GitHub token; without one, public repositories are listed (60 requests per hour) but artifacts
   *  cannot be downloaded. */
  token?: string;
  /** Base URL of a published snapshot (the folder holding index.json) whose runs are restored first. */
  published?: string;
  /** The fetch used for the API, artifact blobs and the published snapshot (tests replay responses). */
  fetch?: typeof fetch;
  now?: () => Date;
  /** Longest rate-limit wait retried automatically, in seconds (default 120). */
  maxRateLimitWaitSeconds?: number;
  /** Milliseconds per second of a retry delay (default 1000; tests use 0). */
  retryAfterBaseValue?: number;
  log?: (line: string) => void;
}

/** One artifact or published run and what happened to it. `source` names it for people. */
export interface CollectItem {
  source: string;
  run_id: string | null;
  reason: string;
}

export interface CollectResult {
  repo: string | null;
  workflow: string | null;
  authenticated: boolean;
  /** Workflow runs listed, report artifacts among their artifacts, runs listed by the published snapshot. */
  listed: number;
  artifacts: number;
  published: number;
  /** Run ids stored by this call. */
  downloaded: string[];
  /** Already collected, refused earlier (artifacts are immutable), or not downloadable without a token. */
  skipped: CollectItem[];
  /** Expired artifacts: recorded in collect-state.json, never retried. */
  expired: CollectItem[];
  /** Refused now: corrupt or unsafe zip, digest mismatch, invalid run, run not matching its workflow run. */
  refused: CollectItem[];
  /** Could not be fetched now (network, blob storage); retried next time. */
  failed: CollectItem[];
  /** Requests answered 304 Not Modified from the ETag cache. */
  notModified: number;
}

/** A failure that stops the whole collection (bad credentials, rate limit, unknown repository). */
export class CollectError extends Error {
  override name = 'CollectError';
}

interface ArtifactState {
  repo: string;
  name: string;
  workflow_run_id: number;
  status: 'collected' | 'expired' | 'refused';
  run_id?: string;
  reason?: string;
  at: string;
}
interface CollectState {
  format: typeof STATE_FORMAT;
  /** Keyed by artifact id. */
  artifacts: Record<string, ArtifactState>;
  /** Published runs refused for good, keyed by run id. */
  published: Record<string, { reason: string; at: string }>;
}

interface WorkflowRun {
  id: number;
  run_attempt?: number;
  event: string;
  head_sha: string;
  head_branch: string | null;
  status: string | null;
}
interface Artifact {
  id: number;
  name: string;
  expired: boolean;
  digest?: string | null;
}

export async function runCollect(opts: CollectOptions): Promise<CollectResult> {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  mkdirSync(opts.outDir, { recursive: true });
  const statePath = join(opts.outDir, 'collect-state.json');
  const state = loadState(statePath);
  const result: CollectResult = {
    repo: opts.repo ?? null,
    workflow: opts.repo ? (opts.workflow ?? 'ci.yml') : null,
    authenticated: Boolean(opts.token),
    listed: 0,
    artifacts: 0,
    published: 0,
    downloaded: [],
    skipped: [],
    expired: [],
    refused: [],
    failed: [],
    notModified: 0,
  };
  const etags = EtagCache.load(join(opts.outDir, 'etag-cache.json'));
  let complete = false;
  try {
    if (opts.published) await collectPublished(opts.published, opts.outDir, state, result, fetchImpl, now);
    if (opts.repo) {
      const gh = createGitHub({
        ...(opts.token ? { token: opts.token } : {}),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        etagCache: etags,
        ...(opts.maxRateLimitWaitSeconds !== undefined
          ? { maxRateLimitWaitSeconds: opts.maxRateLimitWaitSeconds }
          : {}),
        ...(opts.retryAfterBaseValue !== undefined ? { retryAfterBaseValue: opts.retryAfterBaseValue } : {}),
        log,
      });
      await collectArtifacts({ gh, opts, state, result, fetchImpl, now });
    }
    complete = true;
  } finally {
    // Progress survives a fatal error half-way (a rate limit, say): what was stored stays recorded.
    writeJsonAtomic(statePath, sortState(state));
    result.notModified = etags.hits;
    etags.save(complete && Boolean(opts.repo));
  }
  return result;
}

interface Context {
  gh: GitHub;
  opts: CollectOptions;
  state: CollectState;
  result: CollectResult;
  fetchImpl: typeof fetch;
  now: () => Date;
}

async function collectArtifacts(ctx: Context): Promise<void> {
  const { gh, opts, result } = ctx;
  const repoFull = opts.repo ?? '';
  const [owner = '', repo = ''] = repoFull.split('/');
  const workflow = opts.workflow ?? 'ci.yml';
  const maxRuns = opts.maxRuns ?? 30;
  const hasToken = Boolean(opts.token);

  const runs: WorkflowRun[] = [];
  await guard(`listing the runs of workflow ${workflow} in ${repoFull}`, hasToken, async () => {
    const pages = gh.paginate.iterator(gh.rest.actions.listWorkflowRuns, {
      owner,
      repo,
      workflow_id: workflow,
      status: 'completed',
      per_page: Math.min(100, maxRuns),
    });
    for await (const page of pages) {
      runs.push(...(page.data as WorkflowRun[]));
      if (runs.length >= maxRuns) break;
    }
  });
  runs.splice(maxRuns);
  result.listed = runs.length;

  for (const run of runs) {
    const artifacts: Artifact[] = [];
    await guard(`listing the artifacts of workflow run ${run.id} in ${repoFull}`, hasToken, async () => {
      for await (const page of gh.paginate.iterator(gh.rest.actions.listWorkflowRunArtifacts, {
        owner,
        repo,
        run_id: run.id,
        per_page: 100,
      })) {
        artifacts.push(...(page.data as Artifact[]));
      }
    });
    for (const artifact of artifacts) {
      if (!artifact.name.startsWith(ARTIFACT_PREFIX)) continue;
      result.artifacts++;
      await collectArtifact(ctx, { owner, repo, repoFull, hasToken }, run, artifact);
    }
  }
}

interface RepoRef {
  owner: string;
  repo: string;
  repoFull: string;
  hasToken: boolean;
}

async function collectArtifact(
  ctx: Context,
  ref: RepoRef,
  run: WorkflowRun,
  artifact: Artifact,
): Promise<void> {
  const { state, result, now } = ctx;
  const outDir = ctx.opts.outDir;
  const key = String(artifact.id);
  const target = artifact.name.slice(ARTIFACT_PREFIX.length);
  const attempt = run.run_attempt ?? 1;
  const source = `artifact ${artifact.name} (id ${artifact.id}) of workflow run ${run.id}`;
  const known = state.artifacts[key];
  const record = (status: ArtifactState['status'], extra: { run_id?: string; reason?: string }) => {
    state.artifacts[key] = {
      repo: ref.repoFull,
      name: artifact.name,
      workflow_run_id: run.id,
      status,
      ...extra,
      at: utc(now()),
    };
  };

  if (known?.status === 'expired') {
    result.expired.push({ source, run_id: null, reason: `expired (recorded ${known.at}); not retried` });
    return;
  }
  if (known?.status === 'refused') {
    result.skipped.push({
      source,
      run_id: known.run_id ?? null,
      reason: `refused on ${known.at}: ${known.reason}`,
    });
    return;
  }
  if (known?.status === 'collected' && known.run_id && (await isStored(outDir, known.run_id))) {
    result.skipped.push({ source, run_id: known.run_id, reason: 'already collected' });
    return;
  }
  if (!TARGET_PATTERN.test(target)) {
    const reason = `the artifact name does not follow ${ARTIFACT_PREFIX}<target>: expected a target triple such as x86_64-linux-gnu, got "${target}"`;
    record('refused', { reason });
    result.refused.push({ source, run_id: null, reason });
    return;
  }
  // The folder this artifact should hold (the latest attempt's id), when the state file was lost.
  const expectedId = `gh-${run.id}-${attempt}-${target}`;
  if (await isStored(outDir, expectedId)) {
    record('collected', { run_id: expectedId });
    result.skipped.push({ source, run_id: expectedId, reason: 'already collected' });
    return;
  }
  if (artifact.expired) {
    record('expired', { reason: 'the artifact list marks it expired' });
    result.expired.push({ source, run_id: null, reason: 'expired: the artifact list marks it expired' });
    return;
  }
  if (!ref.hasToken) {
    result.skipped.push({
      source,
      run_id: null,
      reason: 'no GITHUB_TOKEN: GitHub serves artifact downloads to authenticated requests only',
    });
    return;
  }

  const download = await downloadArtifact(ctx.gh, ref, artifact, ctx.fetchImpl);
  if (download.kind === 'expired') {
    record('expired', { reason: download.reason });
    result.expired.push({ source, run_id: null, reason: `expired: ${download.reason}` });
    return;
  }
  if (download.kind === 'failed') {
    result.failed.push({ source, run_id: null, reason: download.reason });
    return;
  }

  // A digest mismatch may be a damaged transfer: refused now, not recorded, so it is tried again.
  const digest = checkDigest(artifact.digest, download.bytes);
  if (digest) {
    result.refused.push({ source, run_id: null, reason: digest });
    return;
  }
  const unpacked = await unpackRun(download.bytes, run, target, ref.repoFull);
  if (!unpacked.ok) {
    record('refused', { reason: unpacked.reason });
    result.refused.push({ source, run_id: null, reason: unpacked.reason });
    return;
  }
  storeRun(outDir, unpacked.run, unpacked.runJson, unpacked.read);
  record('collected', { run_id: unpacked.run.id });
  result.downloaded.push(unpacked.run.id);
}

type Download =
  | { kind: 'ok'; bytes: Uint8Array }
  | { kind: 'expired'; reason: string }
  | { kind: 'failed'; reason: string };

/** GitHub answers an artifact download with a 302 to a short-lived blob URL; the blob is fetched
 *  without our Authorization header (it is for api.github.com only). */
async function downloadArtifact(
  gh: GitHub,
  ref: RepoRef,
  artifact: Artifact,
  fetchImpl: typeof fetch,
): Promise<Download> {
  const what = `downloading artifact ${artifact.name} (id ${artifact.id}) of ${ref.repoFull}`;
  let response: { status: number; headers: Record<string, unknown>; data: unknown };
  try {
    response = await gh.request(
      'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
      {
        owner: ref.owner,
        repo: ref.repo,
        artifact_id: artifact.id,
        archive_format: 'zip',
        request: { redirect: 'manual' },
      },
    );
  } catch (err) {
    const status = statusOf(err);
    if (status === 410) return { kind: 'expired', reason: 'GitHub answered 410 Gone for the download' };
    if (isRateLimited(err) || status === 401 || status === 403) {
      throw new CollectError(describeGitHubError(err, what, ref.hasToken));
    }
    return { kind: 'failed', reason: describeGitHubError(err, what, ref.hasToken) };
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.location;
    if (typeof location !== 'string' || !location.startsWith('https://')) {
      return {
        kind: 'failed',
        reason: `${what}: expected a redirect to an https:// blob URL, got ${JSON.stringify(location ?? null)}`,
      };
    }
    let blob: Response;
    try {
      blob = await fetchImpl(location);
    } catch (err) {
      return { kind: 'failed', reason: `${what}: the blob download failed: ${(err as Error).message}` };
    }
    if (blob.status === 410) return { kind: 'expired', reason: 'the blob storage answered 410 Gone' };
    if (!blob.ok) return { kind: 'failed', reason: `${what}: the blob storage answered ${blob.status}` };
    return { kind: 'ok', bytes: new Uint8Array(await blob.arrayBuffer()) };
  }
  if (response.data instanceof ArrayBuffer) return { kind: 'ok', bytes: new Uint8Array(response.data) };
  return {
    kind: 'failed',
    reason: `${what}: expected a redirect or zip bytes, got status ${response.status}`,
  };
}

/** The artifacts API gives `digest: "sha256:<hex>"` for upload-artifact v4+ (null before). */
function checkDigest(digest: string | null | undefined, bytes: Uint8Array): string | null {
  if (!digest) return null;
  const actual = createHash('sha256').update(bytes).digest('hex');
  const match = /^sha256:([0-9a-f]{64})$/i.exec(digest);
  if (!match) return `digest: expected "sha256:<64 hex>", got "${digest}"`;
  if (match[1]!.toLowerCase() !== actual) {
    return `digest mismatch: expected ${digest.toLowerCase()} (artifact list), got sha256:${actual} (downloaded zip)`;
  }
  return null;
}

type Unpacked =
  | {
      ok: true;
      run: RunManifest;
      runJson: Uint8Array;
      read: (f: string) => Uint8Array | null;
    }
  | { ok: false; reason: string };

/** Unzips an artifact, requires exactly one run folder, checks it, and checks that it belongs to the
 *  workflow run it came from (id, target, source, commit, event), so an artifact cannot pass itself
 *  off as another run's evidence. */
async function unpackRun(
  bytes: Uint8Array,
  run: WorkflowRun,
  target: string,
  repoFull: string,
): Promise<Unpacked> {
  const zip = readZip(bytes);
  if (!zip.ok) return { ok: false, reason: `unsafe or corrupt zip: ${zip.problems.join('; ')}` };
  const folders = [...new Set(zip.entries.map((e) => e.name.split('/')[0]!))].sort();
  const loose = zip.entries.filter((e) => !e.name.includes('/')).map((e) => e.name);
  if (loose.length || folders.length !== 1) {
    return {
      ok: false,
      reason: `expected one run folder (<run-id>/run.json and its reports), got ${
        loose.length
          ? `files at the top: ${loose.join(', ')}`
          : `${folders.length} folders: ${folders.join(', ')}`
      }`,
    };
  }
  const folder = folders[0]!;
  const files = new Map(zip.entries.map((e) => [e.name.slice(folder.length + 1), e.data]));
  const runJson = files.get('run.json');
  if (!runJson) return { ok: false, reason: `${folder}/run.json is missing` };
  const read = (f: string) => files.get(f) ?? null;
  const checked = await checkRunFiles(new TextDecoder().decode(runJson), read);
  if (!checked.ok) return { ok: false, reason: `invalid run ${folder}: ${formatProblems(checked.problems)}` };

  const m = checked.run;
  const mismatches: string[] = [];
  const idPattern = new RegExp(`^gh-${run.id}-([0-9]+)-${target.replace(/\./g, '\\.')}$`);
  const idMatch = idPattern.exec(m.id);
  if (!idMatch || Number(idMatch[1]) > (run.run_attempt ?? 1)) {
    mismatches.push(`id: expected gh-${run.id}-<attempt>-${target}, got "${m.id}"`);
  }
  if (folder !== m.id) mismatches.push(`folder: expected "${m.id}" (the manifest's id), got "${folder}"`);
  if (m.source !== 'github-actions') mismatches.push(`source: expected "github-actions", got "${m.source}"`);
  if (m.target !== target)
    mismatches.push(`target: expected "${target}" (the artifact name), got "${m.target}"`);
  if (m.repo !== null && m.repo.toLowerCase() !== repoFull.toLowerCase()) {
    mismatches.push(`repo: expected "${repoFull}", got "${m.repo}"`);
  }
  if (m.event !== run.event)
    mismatches.push(`event: expected "${run.event}" (the workflow run), got "${m.event}"`);
  // A pull_request run checks out GitHub's merge commit, not the head the API reports.
  if (!run.event.startsWith('pull_request') && m.commit.sha !== run.head_sha) {
    mismatches.push(`commit.sha: expected ${run.head_sha} (the workflow run's head), got ${m.commit.sha}`);
  }
  if (mismatches.length) {
    return {
      ok: false,
      reason: `run ${m.id} does not match workflow run ${run.id}: ${mismatches.join('; ')}`,
    };
  }
  return { ok: true, run: m, runJson, read };
}

/** Restores the runs of a published snapshot: index.json lists the shards, each shard lists its runs
 *  with the text of their files (one request per shard); a run whose inline files do not check out
 *  is fetched from its folder, `runs/<id>/`, instead. */
async function collectPublished(
  base: string,
  outDir: string,
  state: CollectState,
  result: CollectResult,
  fetchImpl: typeof fetch,
  now: () => Date,
): Promise<void> {
  const root = base.replace(/\/+$/, '');
  const index = await fetchJson(fetchImpl, `${root}/index.json`);
  if (index.kind === 'missing') return; // nothing published yet: the first deployment
  if (index.kind === 'error') throw new CollectError(`reading the published snapshot: ${index.reason}`);
  const problems = checkSnapshotIndex(index.value);
  if (problems.length) {
    throw new CollectError(
      `the published snapshot ${root}/index.json is not a knhk.snapshot/v1 index: ${formatProblems(problems)}`,
    );
  }
  const doc = index.value as { runs: PublishedEntry[]; shards: { path: string }[] };
  const entries = new Map<string, PublishedEntry>();
  for (const r of doc.runs) entries.set(r.id, { id: r.id, path: r.path });
  for (const shard of doc.shards) {
    const got = await fetchJson(fetchImpl, `${root}/${shard.path}`);
    if (got.kind !== 'ok') {
      throw new CollectError(
        `reading the published shard ${shard.path}: ${got.kind === 'error' ? got.reason : 'missing (404)'}`,
      );
    }
    const runs = (got.value as { runs?: unknown }).runs;
    if (!Array.isArray(runs)) throw new CollectError(`the published shard ${shard.path} has no runs array`);
    for (const r of runs as Partial<PublishedEntry>[]) {
      if (typeof r.id !== 'string' || typeof r.path !== 'string') continue;
      const files = r.files && typeof r.files === 'object' ? r.files : undefined;
      entries.set(r.id, { id: r.id, path: r.path, ...(files ? { files } : {}) });
    }
  }
  result.published = entries.size;

  for (const entry of [...entries.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    const { id } = entry;
    const source = `published run ${id}`;
    const known = state.published[id];
    if (known) {
      result.skipped.push({ source, run_id: id, reason: `refused on ${known.at}: ${known.reason}` });
      continue;
    }
    if (!RUN_ID_PATTERN.test(id) || entry.path !== `runs/${id}/run.json`) {
      const reason = `expected a run id and the path runs/<run id>/run.json, got "${id}" at "${entry.path}"`;
      state.published[id] = { reason, at: utc(now()) };
      result.refused.push({ source, run_id: null, reason });
      continue;
    }
    if (await isStored(outDir, id)) {
      result.skipped.push({ source, run_id: id, reason: 'already collected' });
      continue;
    }
    let got = entry.files ? await checkPublished(id, inlineFiles(entry.files)) : null;
    if (!got?.ok) {
      const fetched = await fetchRunFolder(fetchImpl, `${root}/runs/${id}`);
      if (!fetched.ok) {
        result.failed.push({ source, run_id: id, reason: fetched.reason });
        continue;
      }
      got = await checkPublished(id, fetched.files);
    }
    if (!got.ok) {
      state.published[id] = { reason: got.reason, at: utc(now()) };
      result.refused.push({ source, run_id: id, reason: got.reason });
      continue;
    }
    storeRun(outDir, got.run, got.runJson, got.read);
    result.downloaded.push(id);
  }
}

interface PublishedEntry {
  id: string;
  path: string;
  /** The text of the run's files (run.json and its reports), as shards carry them. */
  files?: Record<string, string>;
}

type PublishedRun =
  | { ok: true; run: RunManifest; runJson: Uint8Array; read: (f: string) => Uint8Array | null }
  | { ok: false; reason: string };

async function checkPublished(id: string, files: Map<string, Uint8Array>): Promise<PublishedRun> {
  const runJson = files.get('run.json');
  if (!runJson) return { ok: false, reason: 'run.json is missing' };
  const read = (f: string) => files.get(f) ?? null;
  const checked = await checkRunFiles(new TextDecoder().decode(runJson), read);
  if (!checked.ok) return { ok: false, reason: `invalid run: ${formatProblems(checked.problems)}` };
  if (checked.run.id !== id)
    return { ok: false, reason: `id: expected "${id}" (its path), got "${checked.run.id}"` };
  return { ok: true, run: checked.run, runJson, read };
}

function inlineFiles(files: Record<string, string>): Map<string, Uint8Array> {
  const encoder = new TextEncoder();
  return new Map(
    Object.entries(files)
      .filter(([, text]) => typeof text === 'string')
      .map(([name, text]) => [name, encoder.encode(text)]),
  );
}

/** Fetches `<runUrl>/run.json` and every file it lists (unsafe names are left out: the check that
 *  follows refuses them before anything is written). */
async function fetchRunFolder(
  fetchImpl: typeof fetch,
  runUrl: string,
): Promise<{ ok: true; files: Map<string, Uint8Array> } | { ok: false; reason: string }> {
  const manifest = await fetchBytes(fetchImpl, `${runUrl}/run.json`);
  if (manifest.kind !== 'ok') {
    return {
      ok: false,
      reason: manifest.kind === 'error' ? manifest.reason : `${runUrl}/run.json is missing (404)`,
    };
  }
  const files = new Map<string, Uint8Array>([['run.json', manifest.bytes]]);
  for (const file of listedFiles(manifest.bytes)) {
    if (unsafePathReason(file) || file === 'run.json') continue;
    const got = await fetchBytes(fetchImpl, `${runUrl}/${file}`);
    if (got.kind === 'ok') files.set(file, got.bytes);
    else if (got.kind === 'error') return { ok: false, reason: got.reason };
  }
  return { ok: true, files };
}

function listedFiles(manifest: Uint8Array): string[] {
  try {
    const doc = JSON.parse(new TextDecoder().decode(manifest)) as { reports?: { file?: unknown }[] };
    return Array.isArray(doc.reports)
      ? doc.reports.map((r) => r?.file).filter((f): f is string => typeof f === 'string')
      : [];
  } catch {
    return []; // not JSON: the check that follows reports it
  }
}

type Fetched<T> = { kind: 'ok'; value: T } | { kind: 'missing' } | { kind: 'error'; reason: string };

async function fetchBytes(
  fetchImpl: typeof fetch,
  url: string,
): Promise<{ kind: 'ok'; bytes: Uint8Array } | { kind: 'missing' } | { kind: 'error'; reason: string }> {
  let response: Response;
  try {
    response = await fetchImpl(url);
  } catch (err) {
    return { kind: 'error', reason: `${url}: ${(err as Error).message}` };
  }
  if (response.status === 404) return { kind: 'missing' };
  if (!response.ok) return { kind: 'error', reason: `${url}: expected 200, got ${response.status}` };
  return { kind: 'ok', bytes: new Uint8Array(await response.arrayBuffer()) };
}

async function fetchJson(fetchImpl: typeof fetch, url: string): Promise<Fetched<unknown>> {
  const got = await fetchBytes(fetchImpl, url);
  if (got.kind !== 'ok') return got;
  try {
    return { kind: 'ok', value: JSON.parse(new TextDecoder().decode(got.bytes)) };
  } catch (err) {
    return { kind: 'error', reason: `${url}: expected JSON, got ${(err as Error).message}` };
  }
}

/** Runs a GitHub request; any failure stops the collection with a message naming what and why. */
async function guard(what: string, hasToken: boolean, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof CollectError || statusOf(err) === undefined) throw err;
    throw new CollectError(describeGitHubError(err, what, hasToken));
  }
}

function loadState(path: string): CollectState {
  const empty: CollectState = { format: STATE_FORMAT, artifacts: {}, published: {} };
  if (!existsSync(path)) return empty;
  let doc: Partial<CollectState>;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<CollectState>;
  } catch (err) {
    throw new CollectError(`${path} is not JSON: expected the collect state, got ${(err as Error).message}`);
  }
  if (doc.format !== STATE_FORMAT) {
    throw new CollectError(
      `${path}: expected "format": "${STATE_FORMAT}", got ${JSON.stringify(doc.format ?? null)}`,
    );
  }
  return { format: STATE_FORMAT, artifacts: doc.artifacts ?? {}, published: doc.published ?? {} };
}

function sortState(state: CollectState): CollectState {
  const sorted = <T>(o: Record<string, T>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
  return { format: state.format, artifacts: sorted(state.artifacts), published: sorted(state.published) };
}

function utc(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
