// The GitHub source against recorded api.github.com answers (tests/fixtures/github-browser/): what
// is listed without a token, what a token downloads and checks, and a clear message for every way
// GitHub says no. A refused artifact changes nothing stored.
import { beforeEach, describe, expect, it } from 'vitest';
import { openDb, type KnhkDb } from '../../../app/lib/db/db.ts';
import {
  describeError,
  githubSourceKey,
  parseRepo,
  readBudget,
  syncGitHub,
  type EtagCache,
  type RateBudget,
  type SyncOptions,
} from '../../../app/lib/sources/github.ts';
import {
  API,
  ARTIFACTS_PATH,
  FakeGitHub,
  RUNS_PATH,
  STORAGE,
  fakeFetch,
  recorded,
  zipPath,
  type FakeGitHubOptions,
} from '../../fixtures/github-browser/fake-github.ts';
import { folderFiles, makeZip } from '../zip/make-zip.ts';

const TOKEN = 'github_pat_11TESTTOKEN0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP';
const REPO = { owner: 'knhk', name: 'knhk' };
const VALID_ID = 'gh-12345678-1-x86_64-linux-gnu';
const validZip = () => makeZip(folderFiles(`tests/fixtures/artifacts/valid-run-go/${VALID_ID}`, VALID_ID));
const NOW = new Date('2026-12-04T16:30:00Z');

let db: KnhkDb;
beforeEach(async () => {
  db = openDb(`test-${Math.random()}`);
  await db.open();
});

async function counts() {
  return Object.fromEntries(
    await Promise.all(db.tables.map(async (t) => [t.name, await t.count()] as const)),
  );
}

function setup(fakeOpts: FakeGitHubOptions = {}, opts: Partial<SyncOptions> = {}) {
  const fake = new FakeGitHub({ zips: { 9001: validZip() }, ...fakeOpts });
  const budgets: RateBudget[] = [];
  const run = (more: Partial<SyncOptions> = {}) =>
    syncGitHub(db, {
      repo: REPO,
      fetch: fakeFetch(fake),
      now: () => NOW,
      retries: 0,
      onBudget: (b) => budgets.push(b),
      ...opts,
      ...more,
    });
  return { fake, budgets, run };
}

const paths = (fake: FakeGitHub) => fake.requests.map((r) => new URL(r.url).pathname + new URL(r.url).search);

describe('syncGitHub without a token', () => {
  it('lists runs and report artifacts (metadata only), shows the budget and downloads nothing', async () => {
    const { fake, budgets, run } = setup();
    const result = await run();
    expect(paths(fake)).toEqual([RUNS_PATH, ARTIFACTS_PATH]);
    expect(fake.requests.every((r) => !('authorization' in r.headers))).toBe(true);
    expect(result.with_token).toBe(false);
    expect(
      result.listing.runs.map((r) => [r.id, r.artifacts.map((a) => [a.id, a.target, a.expired])]),
    ).toEqual([
      [
        12345678,
        [
          [9001, 'x86_64-linux-gnu', false],
          [9002, 'aarch64-linux-gnu', false],
        ],
      ],
      [12340000, [[8001, 'x86_64-linux-gnu', true]]],
    ]);
    // coverage-html is not a report artifact
    expect(result.listing.other_artifacts).toEqual([]);
    expect(result.note).toMatch(/Artifact contents need a token/);
    expect(result.budget).toEqual({
      limit: 60,
      remaining: 58,
      reset_at: '2026-12-04T17:00:00Z',
      resource: 'core',
    });
    expect(budgets.map((b) => b.remaining)).toEqual([59, 58]);
    expect(await db.runs.count()).toBe(0);
    expect(await db.sources.get(githubSourceKey(REPO))).toMatchObject({
      kind: 'github',
      label: 'knhk/knhk',
      runs_added: 0,
      runs_refused: 0,
      fetched_at: NOW.toISOString(),
      etag: null,
    });
  });
});

describe('syncGitHub with a token', () => {
  it('downloads each new report artifact, checks its digest, stores its run; the token goes only to api.github.com', async () => {
    const { fake, run } = setup();
    const result = await run({ token: TOKEN });
    expect(paths(fake)).toEqual([RUNS_PATH, ARTIFACTS_PATH, zipPath(9001), zipPath(9002)]);
    for (const r of fake.requests) {
      expect(new URL(r.url).origin).toBe(API);
      expect(r.headers.authorization).toBe(`token ${TOKEN}`);
    }
    expect(result.added).toEqual([VALID_ID]);
    expect(result.artifacts.map((a) => [a.artifact.id, a.status])).toEqual([
      [9001, 'added'],
      [9002, 'unavailable'], // 404: the fake serves no zip for it
      [8001, 'expired'], // listed as expired: never requested
    ]);
    expect(result.budget?.limit).toBe(5000);
    const run0 = await db.runs.get(VALID_ID);
    expect(run0?.verdict).toBe('pass');
    expect(await db.reports.where('run_id').equals(VALID_ID).count()).toBe(2);
    expect(await db.sources.get(githubSourceKey(REPO))).toMatchObject({ runs_added: 1, runs_refused: 0 });
  });

  it('follows the 302 to the storage host without forwarding the token there', async () => {
    const { fake, run } = setup({ downloads: 'redirect' });
    const result = await run({ token: TOKEN });
    expect(result.added).toEqual([VALID_ID]);
    const storage = fake.requests.filter((r) => r.url.startsWith(STORAGE));
    expect(storage).toHaveLength(1);
    expect(JSON.stringify(storage)).not.toContain(TOKEN);
  });

  it('does not download an artifact whose run is already stored', async () => {
    const { fake, run } = setup();
    await run({ token: TOKEN });
    fake.requests.length = 0;
    const again = await run({ token: TOKEN });
    expect(paths(fake)).toEqual([RUNS_PATH, ARTIFACTS_PATH, zipPath(9002)]);
    expect(again.artifacts[0]).toMatchObject({ status: 'known', ids: [VALID_ID] });
    expect(again.added).toEqual([]);
  });

  it('answers 304 through the ETag and refetches nothing it knows', async () => {
    const { fake, run } = setup({
      zips: { 9001: validZip() },
      routes: { [zipPath(9002)]: recorded('error-410-expired.json') },
    });
    const cache: EtagCache = new Map();
    await run({ token: TOKEN, cache });
    fake.requests.length = 0;
    const again = await run({ token: TOKEN, cache });
    expect(fake.requests.slice(0, 2).map((r) => r.headers['if-none-match'])).toEqual([
      recorded('runs.json').headers.etag,
      recorded('artifacts.json').headers.etag,
    ]);
    // Both lists came back 304 with this tab's copy; the known artifact is not downloaded again.
    expect(again.listing.artifacts_not_modified).toBe(true);
    expect(again.listing.runs).toHaveLength(2);
    expect(paths(fake)).toEqual([RUNS_PATH, ARTIFACTS_PATH]);
    expect(again.artifacts.map((a) => a.status)).toEqual(['known', 'expired', 'expired']);
  });

  it('skips the downloads in a new tab when the artifact list is unchanged since the last complete sync', async () => {
    const { fake, run } = setup({ routes: { [zipPath(9002)]: recorded('error-410-expired.json') } });
    const first = await run({ token: TOKEN });
    expect(first.artifacts.map((a) => a.status)).toEqual(['added', 'expired', 'expired']);
    expect((await db.sources.get(githubSourceKey(REPO)))?.etag).toBe(recorded('artifacts.json').headers.etag);
    fake.requests.length = 0;
    const later = await run({ token: TOKEN, cache: new Map() });
    expect(paths(fake)).toEqual([RUNS_PATH, ARTIFACTS_PATH]);
    expect(later.up_to_date).toEqual({ since: NOW.toISOString() });
  });

  it('reports an artifact GitHub says has expired (410) and goes on', async () => {
    const { run } = setup({ routes: { [zipPath(9001)]: recorded('error-410-expired.json') } });
    const result = await run({ token: TOKEN });
    expect(result.artifacts[0]).toMatchObject({
      status: 'expired',
      message: expect.stringMatching(/410/) as string,
    });
    expect(result.stopped).toBeNull();
    expect(await db.runs.count()).toBe(0);
  });

  it('refuses an artifact whose zip does not match its digest, and stores nothing', async () => {
    const { run } = setup({ digests: { 9001: `sha256:${'0'.repeat(64)}` } });
    const before = await counts();
    const result = await run({ token: TOKEN });
    expect(result.artifacts[0]).toMatchObject({
      status: 'refused',
      problems: [
        {
          path: '/digest',
          message: expect.stringMatching(/GitHub's artifact record says 0{64}: refused/) as string,
        },
      ],
    });
    expect(result.added).toEqual([]);
    const after = await counts();
    expect({ ...after, sources: 0 }).toEqual({ ...before, sources: 0 });
    expect(await db.sources.get(githubSourceKey(REPO))).toMatchObject({ runs_added: 0, runs_refused: 1 });
  });

  it('checks an artifact without a digest (upload-artifact < v4) by the manifest digests alone', async () => {
    const { run } = setup({ digests: { 9001: null } });
    expect((await run({ token: TOKEN })).added).toEqual([VALID_ID]);
  });

  it('refuses an artifact whose report is invalid, with its problems, and stores nothing', async () => {
    const id = 'gh-12345679-1-x86_64-linux-gnu';
    const zip = makeZip(folderFiles(`tests/fixtures/artifacts/invalid-report-claims-pass/${id}`, id));
    const { run } = setup({ zips: { 9001: zip } });
    const before = await counts();
    const result = await run({ token: TOKEN });
    const problems = recorded('../artifacts/invalid-report-claims-pass.problems.json') as unknown;
    expect(result.refused).toEqual([
      { source: `knhk-reports-x86_64-linux-gnu › ${id}/run.json`, id, problems },
    ]);
    expect((await counts()).runs).toBe(before.runs);
    expect((await counts()).reports).toBe(before.reports);
  });

  it('refuses a run whose manifest does not match the artifact it came in (workflow run, target)', async () => {
    const zip = makeZip(folderFiles(`tests/fixtures/artifacts/valid-run-go/${VALID_ID}`, VALID_ID));
    const { run } = setup({ zips: { 9002: zip } });
    const result = await run({ token: TOKEN });
    const refused = result.artifacts.find((a) => a.artifact.id === 9002);
    expect(refused).toMatchObject({
      status: 'refused',
      problems: [
        {
          path: '/target',
          message:
            'the artifact "knhk-reports-aarch64-linux-gnu" is for aarch64-linux-gnu, the run says "x86_64-linux-gnu"',
        },
      ],
    });
  });

  it('offers the drop-the-zip fallback when the browser cannot fetch the download (CORS)', async () => {
    const fake = new FakeGitHub({ zips: { 9001: validZip(), 9002: validZip() } });
    const inner = fakeFetch(fake);
    const corsBlocked: typeof fetch = (input, init) =>
      String(input).endsWith('/zip') ? Promise.reject(new TypeError('Failed to fetch')) : inner(input, init);
    const result = await syncGitHub(db, {
      repo: REPO,
      token: TOKEN,
      fetch: corsBlocked,
      now: () => NOW,
      retries: 0,
    });
    expect(result.artifacts[0]).toMatchObject({
      status: 'unavailable',
      fallback: true,
      message: expect.stringContaining(
        'https://github.com/knhk/knhk/actions/runs/12345678/artifacts/9001',
      ) as string,
    });
    // The second download is not tried: it would fail the same way.
    expect(result.artifacts[1]).toMatchObject({ status: 'unavailable', fallback: true });
    expect(result.artifacts[1] && 'message' in result.artifacts[1] && result.artifacts[1].message).toMatch(
      /drop the zip/,
    );
    expect(fake.requests.filter((r) => r.url.endsWith('/zip'))).toHaveLength(0);
  });

  it('stops the downloads on a secondary rate limit, keeping what it stored', async () => {
    const { run } = setup({
      zips: { 9001: validZip() },
      routes: { [zipPath(9002)]: recorded('error-403-secondary-rate-limit.json') },
    });
    const result = await run({ token: TOKEN });
    expect(result.added).toEqual([VALID_ID]);
    expect(result.stopped?.kind).toBe('rate-limited');
    expect(result.stopped?.message).toBe(
      "GitHub's secondary rate limit was hit (too many requests at once): wait 60 s, then sync again.",
    );
  });

  it('throws AbortError when cancelled, which the UI words as "cancelled"', async () => {
    const { run } = setup();
    const controller = new AbortController();
    controller.abort();
    const err = await run({ token: TOKEN, signal: controller.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(describeError(err)).toBe('cancelled');
  });
});

describe('syncGitHub errors', () => {
  it.each([
    [
      '401 (bad token)',
      'error-401-bad-credentials.json',
      TOKEN,
      'unauthorized',
      'GitHub refused the token (401 Bad credentials): it is expired, revoked or mistyped. Forget it and paste a new fine-grained token with "Actions: read".',
    ],
    [
      '403 rate limit without a token',
      'error-403-rate-limit.json',
      null,
      'rate-limited',
      "GitHub's rate limit is used up: 0 of 60 requests left this hour without a token. It resets at 17:00 UTC (in 30 min). A token raises the limit to 5,000 an hour.",
    ],
    [
      '403 without the Actions permission',
      'error-403-forbidden.json',
      TOKEN,
      'forbidden',
      'GitHub refused access to knhk/knhk (403): the token needs "Actions: read" on knhk/knhk (a fine-grained token must list the repository under its repository access).',
    ],
    [
      '404 without a token',
      'error-404-not-found.json',
      null,
      'not-found',
      'knhk/knhk was not found (404): check the spelling, or — for a private repository — paste a token that can read it.',
    ],
    [
      '404 with a token',
      'error-404-not-found.json',
      TOKEN,
      'not-found',
      'knhk/knhk was not found (404): check the spelling, or — for a private repository — the token cannot see it (fine-grained tokens list their repositories).',
    ],
  ])('explains %s', async (_name, file, token, kind, message) => {
    const { run } = setup({ routes: { [RUNS_PATH]: recorded(file) } });
    const err = await run({ token }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'GitHubError', kind, message });
    expect(await db.runs.count()).toBe(0);
  });

  it('explains a network failure of the listing', async () => {
    const offline: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const err = await syncGitHub(db, { repo: REPO, fetch: offline, retries: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network' });
    expect(describeError(err)).toMatch(/^api.github.com could not be reached \(Failed to fetch\)/);
  });
});

describe('parseRepo', () => {
  it.each([
    ['knhk/knhk', { owner: 'knhk', name: 'knhk' }],
    [' https://github.com/Knhk-Org/knhk.rs.git ', { owner: 'Knhk-Org', name: 'knhk.rs' }],
    ['https://github.com/knhk/knhk/', { owner: 'knhk', name: 'knhk' }],
  ])('reads %j', (text, repo) => expect(parseRepo(text)).toEqual({ ok: true, repo }));

  it.each(['knhk', 'knhk/knhk/extra', '-bad/knhk', 'knhk/..', 'https://gitlab.com/a/b', ''])(
    'refuses %j',
    (text) => {
      const got = parseRepo(text);
      expect(got.ok).toBe(false);
      expect(!got.ok && got.message).toMatch(/expected a repository as OWNER\/NAME/);
    },
  );
});

describe('readBudget', () => {
  it('reads the x-ratelimit headers, or gives null without them', () => {
    expect(
      readBudget(
        new Headers({
          'x-ratelimit-limit': '60',
          'x-ratelimit-remaining': '7',
          'x-ratelimit-reset': '1796403600',
        }),
      ),
    ).toEqual({ limit: 60, remaining: 7, reset_at: '2026-12-04T17:00:00Z', resource: 'core' });
    expect(readBudget(new Headers({ 'content-type': 'application/zip' }))).toBeNull();
  });
});
