// The store's schema upgrades: a database written by an older version opens with the new code and
// every record is intact; new fields are derived from what was kept.
import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { readFileSync } from 'node:fs';
import { DB_VERSION, SCHEMA_VERSIONS, openDb } from '../../../app/lib/db/db.ts';
import type { RunManifest } from '../../../app/lib/reports/types.ts';

const manifest = JSON.parse(
  readFileSync('tests/fixtures/run/valid-github-actions.json', 'utf8'),
) as RunManifest;
const bench = JSON.parse(readFileSync('tests/fixtures/tick-bench/valid-pass.json', 'utf8')) as unknown;

/** What version 1 of the app wrote (its record shapes, not today's types). */
const V1_RECORDS = {
  runs: [
    {
      id: manifest.id,
      commit_sha: manifest.commit.sha,
      branch: 'main',
      tag: '',
      target: manifest.target,
      source: manifest.source,
      started_at: manifest.started_at,
      verdict: 'pass',
      manifest,
      ingested_at: '2026-12-04T16:30:00.000Z',
    },
  ],
  reports: [
    {
      key: `${manifest.id}/tick-bench`,
      run_id: manifest.id,
      kind: 'tick-bench',
      sha256: 'b'.repeat(64),
      doc: bench,
    },
  ],
  bench_points: [
    {
      key: `${manifest.id}/tick-bench/ASK_SP/portable/api`,
      run_id: manifest.id,
      commit_sha: manifest.commit.sha,
      started_at: manifest.started_at,
      target: manifest.target,
      source: 'tick-bench',
      op: 'ASK_SP',
      variant: 'portable',
      call_mode: 'api',
      p50_ns: 1.8,
      p95_ns: 1.9,
      p95_ticks: 7.6,
      within_budget: 'pass',
    },
  ],
  settings: [{ key: 'repo', value: 'knhk/knhk' }],
};

async function writeV1(name: string): Promise<void> {
  const old = new Dexie(name);
  old.version(1).stores(SCHEMA_VERSIONS[1]!);
  await old.open();
  for (const [table, rows] of Object.entries(V1_RECORDS)) await old.table(table).bulkPut(rows);
  old.close();
}

describe('openDb', () => {
  it('upgrades a version-1 database to the newest version with every record intact', async () => {
    const name = `upgrade-${Math.random()}`;
    await writeV1(name);
    const db = openDb(name);
    await db.open();
    expect(db.verno).toBe(DB_VERSION);
    const { bench_points: v1Points, reports: v1Reports, ...unchangedTables } = V1_RECORDS;
    // v2 keeps each report's document as JSON text: the same document, every other field unchanged.
    const reports = await db.reports.toArray();
    // (the upgrade writes text; storeRecords() writes Blobs from then on)
    expect(
      reports.map(({ json, ...rest }) => ({ ...rest, doc: JSON.parse(json as string) as unknown })),
    ).toEqual(v1Reports);
    expect(reports.every((r) => typeof r.json === 'string')).toBe(true);
    for (const [table, rows] of Object.entries(unchangedTables)) {
      const stored = await db.table(table).toArray();
      expect(stored).toHaveLength(rows.length);
      // Every field v1 wrote is still there, unchanged.
      rows.forEach((row, i) => expect(stored[i]).toMatchObject(row));
    }
    // v2 regroups bench points per run and report; every v1 figure is kept, the rest comes from the report.
    const grouped = await db.bench_points.toArray();
    expect(grouped).toHaveLength(1);
    expect(grouped[0]).toMatchObject({
      key: `${manifest.id}/tick-bench`,
      run_id: manifest.id,
      variant: 'portable',
      call_mode: 'api',
    });
    const v1 = v1Points[0]!;
    expect(grouped[0]!.points).toEqual([
      {
        op: v1.op,
        tier: 'R1',
        variant: v1.variant,
        call_mode: v1.call_mode,
        p50_ns: v1.p50_ns,
        p95_ns: v1.p95_ns,
        p95_ticks: v1.p95_ticks,
        mean_ns: 1.9,
        stddev_ns: 0.3,
        n: 1000,
        within_budget: v1.within_budget,
      },
    ]);
    const run = await db.runs.get(manifest.id);
    expect(run?.group).toBe(manifest.group);
    expect(run?.event).toBe('push');
    expect(await db.runs.where('event').equals('push').count()).toBe(1);
    expect(await db.weaver_findings.count()).toBe(0);
    db.close();
  });

  it('declares every table of the newest version', async () => {
    const db = openDb(`fresh-${Math.random()}`);
    await db.open();
    expect(db.tables.map((t) => t.name).sort()).toEqual(Object.keys(SCHEMA_VERSIONS[DB_VERSION]!).sort());
    db.close();
  });
});
