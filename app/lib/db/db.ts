// The browser store (IndexedDB through Dexie). Versioned: a new version adds stores or indexes and
// never drops data; tests open a database written by an older version with the new code.
import Dexie, { type EntityTable, type Transaction } from 'dexie';
import type { BenchEntry, DocumentKind, RunManifest, Verdict } from '../reports/types.ts';
import type { WeaverFinding } from '../reports/weaver.ts';

export const DB_NAME = 'knhk-release-health';

/** One run, flattened for the queries the views make, with its manifest kept whole. */
export interface StoredRun {
  id: string;
  /** Runs of one workflow run share a group (v2). */
  group: string;
  /** push, pull_request, schedule, local, backfill… ('' when unknown) (v2). */
  event: string;
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
  /** The checked document as JSON text (v2; v1 kept the parsed object in `doc`). Text because
   *  IndexedDB clones a string far faster than an object of thousands of fields; written as a Blob
   *  of that text (storeRecords()), since Chromium writes a Blob's bytes as they are but clones and
   *  compresses a large string: 3,000 reports of 35 KB took 8 s as strings, 1.5 s as Blobs. A string
   *  (stored before, or seeded) reads the same. Read it with reportDoc(). For Weaver's live-check
   *  it is the normalised WeaverSummary. */
  json: string | Blob;
}

/** The JSON text of a stored report. */
export async function reportText(report: Pick<StoredReport, 'json'>): Promise<string> {
  return typeof report.json === 'string' ? report.json : report.json.text();
}

/** The parsed document of a stored report. Outside a Dexie transaction: reading a Blob is not an
 *  IndexedDB request, and awaiting it inside one lets the transaction commit. */
export async function reportDoc<T = unknown>(
  report: Pick<StoredReport, 'json'> | undefined,
): Promise<T | null> {
  return report ? (JSON.parse(await reportText(report)) as T) : null;
}

/** One tick figure of a bench entry, kept compact for tables and trends. */
export interface BenchPoint {
  op: string;
  tier: BenchEntry['tier'];
  variant: BenchEntry['variant'];
  call_mode: BenchEntry['call_mode'];
  p50_ns: number;
  p95_ns: number;
  p95_ticks: number;
  mean_ns: number;
  stddev_ns: number;
  n: number;
  within_budget: BenchEntry['within_budget'];
}

/** The tick figures of one bench report of a run: one record per run and report kind (v2), so a
 *  run with 19 ops x 4 variants x 3 call modes is one write, not 228. */
export interface StoredBenchPoints {
  key: string;
  run_id: string;
  commit_sha: string;
  started_at: string;
  target: string;
  source: 'tick-bench' | 'wasm-bench';
  /** The variant and call mode the budget judges (the report's scope). */
  variant: BenchEntry['variant'];
  call_mode: BenchEntry['call_mode'];
  points: BenchPoint[];
}

/** One Weaver live-check finding of a run (v2), for grouping by id and level. */
export interface StoredWeaverFinding extends Pick<
  WeaverFinding,
  'id' | 'level' | 'message' | 'signal_type' | 'signal_name' | 'attribute'
> {
  key: string;
  run_id: string;
}

/** A release checklist item's state, per tag (v2). */
export interface StoredChecklistItem {
  key: string;
  tag: string;
  item: string;
  done: boolean;
  updated_at: string;
}

/** When a source was last read, and what it said (v2). */
export interface StoredSource {
  key: string;
  kind: 'snapshot' | 'github' | 'files';
  label: string;
  fetched_at: string;
  runs_added: number;
  runs_refused: number;
  etag: string | null;
}

export interface StoredSetting {
  key: string;
  value: unknown;
}

export type KnhkDb = Dexie & {
  runs: EntityTable<StoredRun, 'id'>;
  reports: EntityTable<StoredReport, 'key'>;
  bench_points: EntityTable<StoredBenchPoints, 'key'>;
  settings: EntityTable<StoredSetting, 'key'>;
  weaver_findings: EntityTable<StoredWeaverFinding, 'key'>;
  checklist: EntityTable<StoredChecklistItem, 'key'>;
  sources: EntityTable<StoredSource, 'key'>;
};

/** What version 1 stored in bench_points: one record per bench entry. */
interface V1BenchPoint {
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

/** Store definitions per version. Empty strings (null branch/tag) are stored as '' so they index. */
export const SCHEMA_VERSIONS: Record<number, Record<string, string>> = {
  1: {
    runs: 'id, commit_sha, branch, tag, target, started_at, verdict, [branch+started_at]',
    reports: 'key, run_id, kind',
    bench_points: 'key, run_id, [op+variant+call_mode], target, started_at',
    settings: 'key',
  },
  // v2: Weaver findings, release checklist, source freshness; runs indexed by event and tag.
  // bench_points become one record per run and report (v1 wrote one per entry: 228 writes a run).
  2: {
    runs: 'id, commit_sha, branch, tag, target, started_at, verdict, event, group, [branch+started_at], [tag+started_at]',
    reports: 'key, run_id, kind',
    bench_points: 'key, run_id, target, started_at',
    settings: 'key',
    weaver_findings: 'key, run_id, id, level, [run_id+level]',
    checklist: 'key, tag',
    sources: 'key, kind',
  },
};

/** The newest schema version. */
export const DB_VERSION = Math.max(...Object.keys(SCHEMA_VERSIONS).map(Number));

/** Opens the store with every version declared, so a database written by any older version is
 *  upgraded in place (Dexie runs each upgrade in order, in one transaction). */
export function openDb(name = DB_NAME): KnhkDb {
  const db = new Dexie(name) as KnhkDb;
  for (const [version, stores] of Object.entries(SCHEMA_VERSIONS)) {
    const declared = db.version(Number(version)).stores(stores);
    const upgrade = UPGRADES[Number(version)];
    if (upgrade) declared.upgrade((tx) => upgrade(tx));
  }
  return db;
}

/** Data migrations per version: derive what the new version indexes from what the old one kept. */
const UPGRADES: Record<number, (tx: Transaction) => Promise<void>> = {
  2: async (tx) => {
    // Reports keep their document as JSON text.
    await tx
      .table('reports')
      .toCollection()
      .modify((r: { doc?: unknown; json?: string }) => {
        r.json = JSON.stringify(r.doc ?? null);
        delete r.doc;
      });
    // Regroup v1's per-entry bench points by run and report kind; nothing is dropped.
    const old = (await tx.table('bench_points').toArray()) as V1BenchPoint[];
    const grouped = new Map<string, StoredBenchPoints>();
    for (const p of old) {
      const key = `${p.run_id}/${p.source}`;
      const record = grouped.get(key) ?? {
        key,
        run_id: p.run_id,
        commit_sha: p.commit_sha,
        started_at: p.started_at,
        target: p.target,
        source: p.source,
        // v1 did not record the budget's scope: take it from the stored report below, else the entry.
        variant: p.variant,
        call_mode: p.call_mode,
        points: [],
      };
      record.points.push({
        op: p.op,
        tier: p.op === 'CONSTRUCT8' ? 'W1' : 'R1',
        variant: p.variant,
        call_mode: p.call_mode,
        p50_ns: p.p50_ns,
        p95_ns: p.p95_ns,
        p95_ticks: p.p95_ticks,
        mean_ns: Number.NaN,
        stddev_ns: Number.NaN,
        n: 0,
        within_budget: p.within_budget,
      });
      grouped.set(key, record);
    }
    for (const record of grouped.values()) {
      // v1 records were just given their JSON as text above: parsed here without leaving the upgrade.
      const stored = (await tx.table('reports').get(`${record.run_id}/${record.source}`)) as
        { json: string } | undefined;
      const doc = stored
        ? (JSON.parse(stored.json) as {
            variant?: BenchEntry['variant'];
            budget?: { call_mode?: BenchEntry['call_mode'] };
            entries?: BenchEntry[];
          })
        : null;
      if (doc?.variant) record.variant = doc.variant;
      if (doc?.budget?.call_mode) record.call_mode = doc.budget.call_mode;
      for (const point of record.points) {
        const e = doc?.entries?.find(
          (x) => x.op === point.op && x.variant === point.variant && x.call_mode === point.call_mode,
        );
        if (e) Object.assign(point, { tier: e.tier, mean_ns: e.mean_ns, stddev_ns: e.stddev_ns, n: e.n });
      }
    }
    await tx.table('bench_points').clear();
    await tx.table('bench_points').bulkPut([...grouped.values()]);
    await tx
      .table('runs')
      .toCollection()
      .modify((run: StoredRun) => {
        run.group = run.manifest.group;
        run.event = run.manifest.event ?? '';
      });
  },
};
