// The snapshot source: what it stores is exactly what checks out; a refused run changes nothing.
import { describe, expect, it, beforeEach } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSnapshot } from '../../../scripts/snapshot/index.ts';
import { openDb, type KnhkDb } from '../../../app/lib/db/db.ts';
import { loadSnapshot } from '../../../app/lib/sources/snapshot.ts';
import { storeRuns } from '../../../app/lib/db/ingest.ts';
import type { RunManifest } from '../../../app/lib/reports/types.ts';
import { tempDirs } from '../temp.ts';

const { tempDir } = tempDirs();

const BASE = 'https://example.test/data/';
const bench = readFileSync('tests/fixtures/tick-bench/valid-pass.json', 'utf8');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function manifest(id: string, benchText = bench): RunManifest {
  const base = JSON.parse(readFileSync('tests/fixtures/run/valid-local.json', 'utf8')) as RunManifest;
  return {
    ...base,
    id,
    group: id,
    reports: [
      { kind: 'tick-bench', file: 'tick-bench.json', sha256: sha(benchText), bytes: benchText.length },
    ],
  };
}

function site(files: Record<string, string>) {
  return async (url: string) => {
    const body = files[url.slice(BASE.length)];
    return body === undefined ? new Response('not found', { status: 404 }) : new Response(body);
  };
}

function indexOf(ids: string[]) {
  return JSON.stringify({
    format: 'knhk.snapshot/v1',
    updated_at: null,
    shards: [],
    runs: ids.map((id) => ({
      id,
      commit_sha: 'a'.repeat(40),
      branch: 'main',
      tag: null,
      target: 'x86_64-linux-gnu',
      source: 'local',
      started_at: '2026-12-04T16:00:00Z',
      verdict: 'no-evidence',
      path: `runs/${id}/run.json`,
    })),
  });
}

describe('loadSnapshot', () => {
  let db: KnhkDb;
  beforeEach(async () => {
    db = openDb(`test-${Math.random()}`);
    await db.open();
  });

  it('stores a valid run with its report and one bench point per entry', async () => {
    const id = 'local-box-20261204T160000Z';
    const result = await loadSnapshot(
      db,
      BASE,
      site({
        'index.json': indexOf([id]),
        [`runs/${id}/run.json`]: JSON.stringify(manifest(id)),
        [`runs/${id}/tick-bench.json`]: bench,
      }),
    );
    expect(result).toMatchObject({ listed: 1, added: [id], refused: [] });
    expect(await db.runs.count()).toBe(1);
    expect((await db.runs.get(id))?.verdict).toBe('no-evidence');
    const stored = await db.bench_points.where('run_id').equals(id).toArray();
    expect(stored.map((b) => b.points.length)).toEqual([2]);
  });

  it('refuses a run whose report bytes differ from the manifest digest and stores nothing new', async () => {
    const good = 'local-box-20261204T160000Z';
    const bad = 'local-box-20261204T170000Z';
    const files = {
      'index.json': indexOf([good]),
      [`runs/${good}/run.json`]: JSON.stringify(manifest(good)),
      [`runs/${good}/tick-bench.json`]: bench,
    };
    await loadSnapshot(db, BASE, site(files));
    const before = [await db.runs.count(), await db.reports.count(), await db.bench_points.count()];
    const result = await loadSnapshot(
      db,
      BASE,
      site({
        ...files,
        'index.json': indexOf([good, bad]),
        [`runs/${bad}/run.json`]: JSON.stringify(manifest(bad)),
        [`runs/${bad}/tick-bench.json`]: bench.replace('"n": 1000', '"n": 999'),
      }),
    );
    expect(result.added).toEqual([]);
    expect(result.known).toBe(1);
    expect(result.refused.map((r) => r.problems[0]?.path)).toEqual(['/reports/0/sha256']);
    expect([await db.runs.count(), await db.reports.count(), await db.bench_points.count()]).toEqual(before);
  });

  it('throws a readable error for a malformed index, naming the field', async () => {
    await expect(
      loadSnapshot(db, BASE, site({ 'index.json': '{"format":"x","runs":[],"shards":[]}' })),
    ).rejects.toThrow(/\/format: expected "knhk.snapshot\/v1"/);
  });
});

describe('loadSnapshot on a snapshot written by scripts/snapshot', () => {
  it('loads every run from the shards in one request per shard, and nothing twice', async () => {
    const tmp = tempDir('knhk-roundtrip-');
    const runsDir = join(tmp, 'runs');
    for (const [id, at] of [
      ['local-box-20261130T100000Z', '2026-11-30T10:00:00Z'],
      ['local-box-20261204T100000Z', '2026-12-04T10:00:00Z'],
    ] as const) {
      const m = { ...manifest(id), started_at: at, finished_at: at };
      mkdirSync(join(runsDir, id), { recursive: true });
      writeFileSync(join(runsDir, id, 'run.json'), JSON.stringify(m));
      writeFileSync(join(runsDir, id, 'tick-bench.json'), bench);
    }
    const out = join(tmp, 'data');
    await runSnapshot({ runsDirs: [runsDir], outDir: out });
    const requested: string[] = [];
    const fetcher = async (url: string) => {
      requested.push(url.slice(BASE.length));
      const path = join(out, url.slice(BASE.length));
      return existsSync(path) ? new Response(readFileSync(path)) : new Response('not found', { status: 404 });
    };
    const db = openDb(`roundtrip-${Math.random()}`);
    const first = await loadSnapshot(db, BASE, fetcher);
    expect(first.refused).toEqual([]);
    expect(first.added.sort()).toEqual(['local-box-20261130T100000Z', 'local-box-20261204T100000Z']);
    expect(requested.sort()).toEqual(['index.json', 'shards/2026-11-000.json', 'shards/2026-12-000.json']);
    const second = await loadSnapshot(db, BASE, fetcher);
    expect(second).toMatchObject({ added: [], known: 2 });
  });
});

describe('storeRuns', () => {
  it('is one transaction: a batch that fails part-way leaves the store as it was', async () => {
    const db = openDb(`test-${Math.random()}`);
    await db.open();
    const good = {
      manifest: manifest('local-box-20261204T160000Z'),
      verdict: 'no-evidence' as const,
      reports: [],
    };
    // A bench figure IndexedDB cannot clone (a function) fails the bench-points step, the third write,
    // after the runs and reports were put.
    const poisoned = {
      manifest: manifest('local-box-20261204T170000Z'),
      verdict: 'no-evidence' as const,
      reports: [
        {
          kind: 'tick-bench' as const,
          sha256: 'x',
          doc: { variant: 'portable', budget: { call_mode: 'api' }, entries: [{ op: 'ASK_SP', n: () => 1 }] },
        },
      ],
    };
    await expect(storeRuns(db, [good, poisoned])).rejects.toThrow();
    expect(await db.runs.count()).toBe(0);
    expect(await db.reports.count()).toBe(0);
  });
});
