// The collector against recorded GitHub responses: artifact download through the blob redirect,
// ETag reuse (304), rate limits, expired artifacts, digest mismatches, invalid or unsafe artifacts.
import { beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CollectError, runCollect, type CollectOptions } from '../../../scripts/collect/index.ts';
import { runSnapshot } from '../../../scripts/snapshot/index.ts';
import type { RunManifest } from '../../../app/lib/reports/types.ts';
import { makeZip, type ZipInput } from './make-zip.ts';
import { fixture, replayFetch, type Answer, type Recorded, type Route } from './replay.ts';
import { tempDirs } from '../temp.ts';

const { tempDir } = tempDirs();

const RUNS = 'GET /repos/knhk/knhk/actions/workflows/ci.yml/runs';
const ARTIFACTS = 'GET /repos/knhk/knhk/actions/runs/12345678/artifacts';
const BLOB = 'https://productionresultssa0.blob.core.windows.net/actions-results/5f0c';
const HEAD_SHA = '3f2a9c1e5b7d4a6f8e0c2b4d6f8a1c3e5b7d9f0a';
const baseRun = JSON.parse(
  readFileSync('tests/fixtures/run/valid-github-actions.json', 'utf8'),
) as RunManifest;
const baseBench = JSON.parse(readFileSync('tests/fixtures/tick-bench/valid-pass.json', 'utf8')) as Record<
  string,
  unknown
>;

interface FolderOptions {
  id?: string;
  sha?: string;
  /** Digest the manifest claims for tick-bench.json (default: the real one). */
  claimedSha256?: string;
  prefix?: string;
}

/** The zip entries of one CI job's run folder, as upload-artifact writes `.knhk/runs/`. */
function runFolder(target: string, o: FolderOptions = {}): ZipInput[] {
  const id = o.id ?? `gh-12345678-1-${target}`;
  const bench = Buffer.from(
    `${JSON.stringify({ ...baseBench, target, cpu: { ...(baseBench.cpu as object), arch: target.split('-')[0] } }, null, 2)}\n`,
  );
  const run: RunManifest = {
    ...baseRun,
    id,
    group: 'gh-12345678-1',
    target,
    commit: { ...baseRun.commit, sha: o.sha ?? HEAD_SHA },
    reports: [
      {
        kind: 'tick-bench',
        file: 'tick-bench.json',
        sha256: o.claimedSha256 ?? createHash('sha256').update(bench).digest('hex'),
        bytes: bench.length,
      },
    ],
  };
  const prefix = o.prefix ?? `${id}/`;
  return [
    { name: `${prefix}run.json`, data: JSON.stringify(run, null, 2) },
    { name: `${prefix}tick-bench.json`, data: bench },
  ];
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The artifact list fixture with each artifact's digest set from the zip the test serves. */
function artifactList(name: string, zips: Record<number, Uint8Array>): Recorded {
  const list = fixture(name);
  const body = list.body as { artifacts: { id: number; digest: string | null }[] };
  for (const a of body.artifacts) if (zips[a.id] && a.digest === null) a.digest = sha256(zips[a.id]!);
  return list;
}

/** Routes for the artifact download of `id`: the 302 and the blob it points to. */
function download(id: number, zip: Uint8Array | Recorded): Record<string, Route> {
  const redirect = fixture('download-artifact-redirect.json');
  redirect.headers.location = redirect.headers.location!.replace('{id}', String(id));
  return {
    [`GET /repos/knhk/knhk/actions/artifacts/${id}/zip`]: redirect,
    [`GET ${BLOB}/artifact-${id}.zip`]:
      zip instanceof Uint8Array
        ? { status: 200, headers: { 'content-type': 'application/zip' }, bytes: zip }
        : zip,
  };
}

describe('runCollect', () => {
  let out: string;
  const base = (fetch: typeof globalThis.fetch, extra: Partial<CollectOptions> = {}): CollectOptions => ({
    repo: 'knhk/knhk',
    outDir: out,
    token: 'ghp_test',
    fetch,
    retryAfterBaseValue: 0,
    ...extra,
  });
  beforeEach(() => {
    out = tempDir('knhk-collect-');
  });

  const x86 = makeZip(runFolder('x86_64-linux-gnu'));
  const arm = makeZip(runFolder('aarch64-linux-gnu'));
  const goodRoutes = (): Record<string, Route> => ({
    [RUNS]: fixture('list-workflow-runs.json'),
    [ARTIFACTS]: artifactList('list-run-artifacts.json', { 1001: x86, 1002: arm }),
    ...download(1001, x86),
    ...download(1002, arm),
  });

  it('downloads each report artifact through its blob redirect and stores run folders that snapshot accepts', async () => {
    const { fetch, seen } = replayFetch(goodRoutes());
    const result = await runCollect(base(fetch));
    expect(result).toMatchObject({ listed: 1, artifacts: 2, refused: [], failed: [], expired: [] });
    expect(result.downloaded.sort()).toEqual([
      'gh-12345678-1-aarch64-linux-gnu',
      'gh-12345678-1-x86_64-linux-gnu',
    ]);
    expect(readdirSync(join(out, 'gh-12345678-1-x86_64-linux-gnu')).sort()).toEqual([
      'run.json',
      'tick-bench.json',
    ]);
    // The token goes to api.github.com only, never to the blob storage.
    const blob = seen.find((r) => r.url.startsWith(BLOB))!;
    expect(blob.headers.authorization).toBeUndefined();
    expect(seen.find((r) => r.url.includes('/runs?'))!.headers.authorization).toBe('token ghp_test');
    // The artifact of another kind is never downloaded.
    expect(seen.some((r) => r.url.includes('/artifacts/1003'))).toBe(false);
    const state = JSON.parse(readFileSync(join(out, 'collect-state.json'), 'utf8'));
    expect(state.artifacts['1001']).toMatchObject({
      status: 'collected',
      run_id: 'gh-12345678-1-x86_64-linux-gnu',
    });

    const snapshot = await runSnapshot({ runsDirs: [out], outDir: join(out, 'data') });
    expect(snapshot.refused).toEqual([]);
    expect(snapshot.runs).toBe(2);
  });

  it('sends If-None-Match, reuses the cached list on 304 and skips runs already collected', async () => {
    const { fetch } = replayFetch(goodRoutes());
    await runCollect(base(fetch));
    expect(Object.keys(JSON.parse(readFileSync(join(out, 'etag-cache.json'), 'utf8')))).toHaveLength(2);

    const again = replayFetch(goodRoutes());
    const result = await runCollect(base(again.fetch));
    expect(result.notModified).toBe(2);
    expect(result.downloaded).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual(['already collected', 'already collected']);
    const listing = again.seen.filter((r) => r.url.startsWith('https://api.github.com/'));
    expect(listing.map((r) => r.headers['if-none-match'])).toEqual(['W/"runs-0001"', 'W/"artifacts-0001"']);
    expect(again.seen.some((r) => r.url.includes('/zip'))).toBe(false);
  });

  it('collects again when the state file was lost but the run folder is there and valid', async () => {
    const { fetch } = replayFetch(goodRoutes());
    await runCollect(base(fetch));
    const { rmSync } = await import('node:fs');
    rmSync(join(out, 'collect-state.json'));
    const again = replayFetch(goodRoutes());
    const result = await runCollect(base(again.fetch));
    expect(result.skipped).toHaveLength(2);
    expect(again.seen.some((r) => r.url.includes('/zip'))).toBe(false);
  });

  describe('rate limits', () => {
    const limited = (reset: number, status = 403): Recorded => {
      const r = fixture('error-rate-limited.json');
      return { ...r, status, headers: { ...r.headers, 'x-ratelimit-reset': String(reset) } };
    };
    it.each([
      ['403 with x-ratelimit-remaining: 0', 403],
      ['429 with x-ratelimit-remaining: 0', 429],
    ])(
      'fails naming the reset time on %s when the reset is later than the wait allows',
      async (_n, status) => {
        const reset = Math.floor(Date.now() / 1000) + 3600;
        const { fetch, seen } = replayFetch({ [RUNS]: limited(reset, status) });
        const run = runCollect(base(fetch, { maxRateLimitWaitSeconds: 60 }));
        await expect(run).rejects.toThrow(CollectError);
        await expect(run).rejects.toThrow(
          new RegExp(
            `rate limit exhausted while listing the runs of workflow ci.yml in knhk/knhk \\(limit 60\\): it resets at ${new Date(
              reset * 1000,
            )
              .toISOString()
              .replace(/\.\d{3}Z$/, 'Z')} \\(in \\d+ s\\)`,
          ),
        );
        expect(seen).toHaveLength(1);
      },
    );

    it('waits for a reset that is near and retries once (the throttling plugin)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const { fetch, seen } = replayFetch({
        ...goodRoutes(),
        [RUNS]: [limited(now - 1), fixture('list-workflow-runs.json')],
      });
      const lines: string[] = [];
      const result = await runCollect(base(fetch, { log: (l) => lines.push(l) }));
      expect(result.downloaded).toHaveLength(2);
      expect(seen.filter((r) => r.url.includes('/workflows/ci.yml/runs'))).toHaveLength(2);
      expect(lines.join('\n')).toMatch(/rate limit reached .* retrying in \d+ s/);
    });

    it('says how low the anonymous limit is when there is no token', async () => {
      const { fetch } = replayFetch({ [RUNS]: limited(Math.floor(Date.now() / 1000) + 3600) });
      const { token: _t, ...anonymous } = base(fetch);
      await expect(runCollect({ ...anonymous, maxRateLimitWaitSeconds: 1 })).rejects.toThrow(
        /without GITHUB_TOKEN the limit is 60 requests per hour/,
      );
    });
  });

  it.each([
    [
      '401 names the credentials',
      'error-bad-credentials.json',
      /refused the credentials .* expected a valid GITHUB_TOKEN, got 401/,
    ],
    [
      '403 (not a rate limit) names the permission',
      'error-forbidden.json',
      /forbade listing .* expected a token with "actions: read" .* got 403/,
    ],
    [
      '404 names what was not found',
      'error-not-found.json',
      /not found while listing the runs of workflow ci.yml in knhk\/knhk: .* got 404/,
    ],
  ])('stops with a clear message: %s', async (_name, file, message) => {
    const { fetch } = replayFetch({ [RUNS]: fixture(file) });
    await expect(runCollect(base(fetch))).rejects.toThrow(message);
  });

  it('records expired artifacts (expired: true, or 410 on download) and never retries them', async () => {
    const routes: Record<string, Route> = {
      [RUNS]: fixture('list-workflow-runs.json'),
      [ARTIFACTS]: fixture('list-run-artifacts-expired.json'),
      'GET /repos/knhk/knhk/actions/artifacts/2002/zip': fixture('error-artifact-expired.json'),
    };
    const first = replayFetch(routes);
    const result = await runCollect(base(first.fetch));
    expect(result.expired.map((e) => e.reason)).toEqual([
      'expired: the artifact list marks it expired',
      'expired: GitHub answered 410 Gone for the download',
    ]);
    expect(result.refused).toEqual([]);
    expect(first.seen.some((r) => r.url.includes('/artifacts/2001/zip'))).toBe(false);
    const state = JSON.parse(readFileSync(join(out, 'collect-state.json'), 'utf8'));
    expect([state.artifacts['2001'].status, state.artifacts['2002'].status]).toEqual(['expired', 'expired']);

    const second = replayFetch(routes);
    const again = await runCollect(base(second.fetch));
    expect(again.expired).toHaveLength(2);
    expect(again.expired[0]!.reason).toMatch(/not retried/);
    expect(second.seen.some((r) => r.url.includes('/zip'))).toBe(false);
  });

  it('refuses an artifact whose zip does not match the listed digest, and tries it again next time', async () => {
    const routes: Record<string, Route> = {
      [RUNS]: fixture('list-workflow-runs.json'),
      [ARTIFACTS]: fixture('list-run-artifacts-wrong-digest.json'),
      ...download(3001, x86),
    };
    const result = await runCollect(base(replayFetch(routes).fetch));
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]!.reason).toBe(
      `digest mismatch: expected sha256:${'deadbeef'.repeat(8)} (artifact list), got ${sha256(x86)} (downloaded zip)`,
    );
    expect(existsSync(join(out, 'gh-12345678-1-x86_64-linux-gnu'))).toBe(false);
    const again = replayFetch(routes);
    await runCollect(base(again.fetch));
    expect(again.seen.some((r) => r.url.startsWith(BLOB))).toBe(true);
  });

  it.each([
    [
      'a report whose SHA-256 differs from the manifest',
      runFolder('x86_64-linux-gnu', { claimedSha256: 'a'.repeat(64) }),
      /invalid run gh-12345678-1-x86_64-linux-gnu: \/reports\/0\/sha256: "tick-bench.json" has SHA-256 [0-9a-f]{64}, the manifest says a{64}/,
    ],
    [
      'a run of another workflow run',
      runFolder('x86_64-linux-gnu', { id: 'gh-999-1-x86_64-linux-gnu' }),
      /does not match workflow run 12345678: id: expected gh-12345678-<attempt>-x86_64-linux-gnu, got "gh-999-1-x86_64-linux-gnu"/,
    ],
    [
      'a run of another commit',
      runFolder('x86_64-linux-gnu', { sha: 'b'.repeat(40) }),
      /commit.sha: expected 3f2a9c1e5b7d4a6f8e0c2b4d6f8a1c3e5b7d9f0a \(the workflow run's head\), got b{40}/,
    ],
    [
      'an entry with ".." in its path',
      runFolder('x86_64-linux-gnu', { prefix: 'gh-12345678-1-x86_64-linux-gnu/../' }),
      /unsafe or corrupt zip: entry "gh-12345678-1-x86_64-linux-gnu\/\.\.\/run.json": ".." in a path is refused/,
    ],
    [
      'an entry with an absolute path',
      runFolder('x86_64-linux-gnu', { prefix: '/tmp/gh-12345678-1-x86_64-linux-gnu/' }),
      /entry "\/tmp\/gh-12345678-1-x86_64-linux-gnu\/run.json": absolute paths are refused/,
    ],
    [
      'files outside a run folder',
      runFolder('x86_64-linux-gnu', { prefix: '' }),
      /expected one run folder \(<run-id>\/run.json and its reports\), got files at the top: run.json, tick-bench.json/,
    ],
  ])('refuses %s, with the reason, and does not download it again', async (_name, entries, reason) => {
    const zip = makeZip(entries);
    const routes: Record<string, Route> = {
      [RUNS]: fixture('list-workflow-runs.json'),
      [ARTIFACTS]: artifactList('list-run-artifacts.json', { 1001: zip, 1002: arm }),
      ...download(1001, zip),
      ...download(1002, arm),
    };
    const result = await runCollect(base(replayFetch(routes).fetch));
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]!.source).toBe(
      'artifact knhk-reports-x86_64-linux-gnu (id 1001) of workflow run 12345678',
    );
    expect(result.refused[0]!.reason).toMatch(reason);
    expect(result.downloaded).toEqual(['gh-12345678-1-aarch64-linux-gnu']);
    expect(readdirSync(out).filter((f) => f.startsWith('gh-'))).toEqual(['gh-12345678-1-aarch64-linux-gnu']);

    const again = replayFetch(routes);
    const next = await runCollect(base(again.fetch));
    expect(next.refused).toEqual([]);
    expect(next.skipped.find((s) => s.source.includes('1001'))!.reason).toMatch(/^refused on /);
    expect(again.seen.some((r) => r.url.includes('/artifacts/1001/zip'))).toBe(false);
  });

  it('lists but does not download artifacts without a token', async () => {
    const { fetch, seen } = replayFetch(goodRoutes());
    const { token: _t, ...anonymous } = base(fetch);
    const result = await runCollect(anonymous);
    expect(result.authenticated).toBe(false);
    expect(result.downloaded).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'no GITHUB_TOKEN: GitHub serves artifact downloads to authenticated requests only',
      'no GITHUB_TOKEN: GitHub serves artifact downloads to authenticated requests only',
    ]);
    expect(seen.some((r) => r.url.includes('/zip'))).toBe(false);
  });

  describe('a published snapshot', () => {
    const SITE = 'https://knhk.github.io/knhk/data';
    let site: string;

    /** Publishes the two runs with the real snapshot builder; `edit` may change a file before serving. */
    async function publish(edit?: (site: string) => void): Promise<Record<string, Route>> {
      const staging = tempDir('knhk-collect-site-');
      await runCollect({ ...base(replayFetch(goodRoutes()).fetch), outDir: staging });
      site = join(staging, 'data');
      await runSnapshot({ runsDirs: [staging], outDir: site });
      edit?.(site);
      const serve: Route = (req): Answer => {
        const path = join(site, new URL(req.url).pathname.replace('/knhk/data/', ''));
        return existsSync(path)
          ? {
              status: 200,
              headers: { 'content-type': 'application/json' },
              bytes: new Uint8Array(readFileSync(path)),
            }
          : { status: 404, headers: {}, bytes: new Uint8Array() };
      };
      const files: string[] = [];
      const walk = (dir: string, prefix: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          if (e.isDirectory()) walk(join(dir, e.name), `${prefix}${e.name}/`);
          else files.push(`${prefix}${e.name}`);
        }
      };
      walk(site, '');
      return Object.fromEntries(files.map((f) => [`GET ${SITE}/${f}`, serve]));
    }
    const shardFiles = (dir: string) => readdirSync(join(dir, 'shards')).map((f) => join(dir, 'shards', f));

    it('restores its runs from the shards alone, then skips them as collected', async () => {
      const replay = replayFetch(await publish());
      const restored = await runCollect({ outDir: out, published: SITE, fetch: replay.fetch });
      expect(restored).toMatchObject({ published: 2, refused: [], failed: [] });
      expect(restored.downloaded.sort()).toEqual([
        'gh-12345678-1-aarch64-linux-gnu',
        'gh-12345678-1-x86_64-linux-gnu',
      ]);
      expect(replay.seen.some((r) => r.url.includes('/runs/'))).toBe(false);
      const again = await runCollect({ outDir: out, published: SITE, fetch: replay.fetch });
      expect(again.skipped.map((s) => s.reason)).toEqual(['already collected', 'already collected']);
    });

    it('fetches a run from its folder when the inline copy in the shard does not check out', async () => {
      const routes = await publish((dir) => {
        for (const file of shardFiles(dir)) {
          const shard = JSON.parse(readFileSync(file, 'utf8')) as {
            runs: { files: Record<string, string> }[];
          };
          for (const r of shard.runs) r.files['tick-bench.json'] += ' ';
          writeFileSync(file, JSON.stringify(shard));
        }
      });
      const replay = replayFetch(routes);
      const restored = await runCollect({ outDir: out, published: SITE, fetch: replay.fetch });
      expect(restored.downloaded).toHaveLength(2);
      expect(replay.seen.filter((r) => r.url.includes('/runs/'))).toHaveLength(4);
    });

    it('refuses a published run that does not check out, and records it so it is not fetched again', async () => {
      const routes = await publish((dir) => {
        const id = 'gh-12345678-1-x86_64-linux-gnu';
        writeFileSync(join(dir, 'runs', id, 'tick-bench.json'), '{}');
        for (const file of shardFiles(dir)) {
          const shard = JSON.parse(readFileSync(file, 'utf8')) as {
            runs: { id: string; files: Record<string, string> }[];
          };
          for (const r of shard.runs) if (r.id === id) r.files['tick-bench.json'] = '{}';
          writeFileSync(file, JSON.stringify(shard));
        }
      });
      const result = await runCollect({ outDir: out, published: SITE, fetch: replayFetch(routes).fetch });
      expect(result.downloaded).toEqual(['gh-12345678-1-aarch64-linux-gnu']);
      expect(result.refused).toEqual([
        {
          source: 'published run gh-12345678-1-x86_64-linux-gnu',
          run_id: 'gh-12345678-1-x86_64-linux-gnu',
          reason: expect.stringMatching(/^invalid run: \/reports\/0\/sha256: "tick-bench.json" has SHA-256/),
        },
      ]);
      const again = await runCollect({ outDir: out, published: SITE, fetch: replayFetch(routes).fetch });
      expect(again.refused).toEqual([]);
      expect(again.skipped.find((s) => s.run_id === 'gh-12345678-1-x86_64-linux-gnu')!.reason).toMatch(
        /^refused on /,
      );
    });

    it('treats a site with nothing published yet (index.json 404) as empty', async () => {
      const nothing = replayFetch({
        [`GET ${SITE}/index.json`]: { status: 404, headers: {}, bytes: new Uint8Array() },
      });
      const empty = await runCollect({ outDir: out, published: SITE, fetch: nothing.fetch });
      expect(empty).toMatchObject({ published: 0, downloaded: [], refused: [], failed: [] });
    });

    it('stops when the published site cannot be read, rather than publish a site without its history', async () => {
      const down = replayFetch({
        [`GET ${SITE}/index.json`]: { status: 503, headers: {}, bytes: new Uint8Array() },
      });
      await expect(runCollect({ outDir: out, published: SITE, fetch: down.fetch })).rejects.toThrow(
        /reading the published snapshot: https:\/\/knhk.github.io\/knhk\/data\/index.json: expected 200, got 503/,
      );
    });
  });
});
