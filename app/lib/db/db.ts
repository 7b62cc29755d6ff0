// The browser store (IndexedDB through Dexie). Versioned: a new version adds stores or indexes and
// never drops data; tests open a database written by an older version with the new code.
import Dexie, { type EntityTable } from 'dexie';
import type { BenchEntry, DocumentKind, RunManifest, Verdict } from '../reports/types.ts';

export const DB_NAME = 'knhk-release-health';

/** One run, flattened for the queries the views make, with its manifest kept whole. */
export interface StoredRun {
  id: string;
  commit_sha: string;
  branch: string;
  tag: string;
  target: string;
  source: RunManifest['source'];
  started_at: string;
  verdict: Verdict;
  manifest: RunManifest;
  ingested_at: string;
}

/** One validated report of a run, as published (the parsed document). */
export interface StoredReport {
  key: string;
  run_id: string;
  kind: DocumentKind;
  sha256: string;
  doc: unknown;
}

/** One tick figure (a bench entry) of a run, for tables and trends. */
export interface StoredBenchPoint {
  key: string;
  run_id: string;
  commit_sha: string;
  started_at: string;
  target: string;
  source: 'tick-bench' | 'wasm-bench';
  op: string;
  variant: BenchEntry['variant'];
  call_mode: BenchEntry['call_mode'];
  p50_ns: number;
  p95_ns: number;
  p95_ticks: number;
  within_budget: BenchEntry['within_budget'];
}

export interface StoredSetting {
  key: string;
  value: unknown;
}

export type KnhkDb = Dexie & {
  runs: EntityTable<StoredRun, 'id'>;
  reports: EntityTable<StoredReport, 'key'>;
  bench_points: EntityTable<StoredBenchPoint, 'key'>;
  settings: EntityTable<StoredSetting, 'key'>;
};

/** Store definitions per version. Empty strings (null branch/tag) are stored as '' so they index. */
export const SCHEMA_VERSIONS: Record<number, Record<string, string>> = {
  1: {
    runs: 'id, commit_sha, branch, tag, target, started_at, verdict, [branch+started_at]',
    reports: 'key, run_id, kind',
    bench_points: 'key, run_id, [op+variant+call_mode], target, started_at',
    settings: 'key',
  },
};

export function openDb(name = DB_NAME): KnhkDb {
  const db = new Dexie(name) as KnhkDb;
  for (const [version, stores] of Object.entries(SCHEMA_VERSIONS)) db.version(Number(version)).stores(stores);
  return db;
}
