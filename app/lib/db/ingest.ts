// Stores a checked run and its reports in one transaction: a batch that fails leaves the store as it was.
import type { KnhkDb, StoredBenchPoints, StoredReport, StoredRun, StoredWeaverFinding } from './db.ts';
import type { DocumentKind, RunManifest, TickBench, Verdict, WasmBench } from '../reports/types.ts';
import type { WeaverSummary } from '../reports/weaver.ts';

/** A run whose manifest and every report passed the checks (see sources/run-files.ts). */
export interface CheckedRun {
  manifest: RunManifest;
  verdict: Verdict;
  /** `text`, when given, is the report's JSON exactly as checked; it is stored instead of
   *  re-serialising `doc`. */
  reports: { kind: DocumentKind; sha256: string; doc: unknown; text?: string; weaver?: WeaverSummary }[];
}

/** The records storeRuns() writes for some runs: pure, so tests and seeding build the same shapes. */
export interface RunRecords {
  runs: StoredRun[];
  reports: StoredReport[];
  bench_points: StoredBenchPoints[];
  weaver_findings: StoredWeaverFinding[];
}

export function recordsOf(runs: readonly CheckedRun[], now = new Date()): RunRecords {
  const rows: StoredRun[] = [];
  const reports: StoredReport[] = [];
  const points: StoredBenchPoints[] = [];
  const findings: StoredWeaverFinding[] = [];
  for (const { manifest: m, verdict, reports: docs } of runs) {
    rows.push({
      id: m.id,
      group: m.group,
      event: m.event ?? '',
      commit_sha: m.commit.sha,
      branch: m.branch ?? '',
      tag: m.tag ?? '',
      target: m.target,
      source: m.source,
      started_at: m.started_at,
      verdict,
      manifest: m,
      ingested_at: now.toISOString(),
    });
    for (const r of docs) {
      reports.push({
        key: `${m.id}/${r.kind}`,
        run_id: m.id,
        kind: r.kind,
        sha256: r.sha256,
        json: r.text ?? JSON.stringify(r.doc),
      });
      r.weaver?.findings.forEach((f, i) => {
        findings.push({
          key: `${m.id}/${i}`,
          run_id: m.id,
          id: f.id,
          level: f.level,
          message: f.message,
          signal_type: f.signal_type,
          signal_name: f.signal_name,
          attribute: f.attribute,
        });
      });
      if (r.kind === 'tick-bench' || r.kind === 'wasm-bench') {
        const bench = r.doc as TickBench | WasmBench;
        points.push({
          key: `${m.id}/${r.kind}`,
          run_id: m.id,
          commit_sha: m.commit.sha,
          started_at: m.started_at,
          target: m.target,
          source: r.kind,
          variant: bench.variant,
          call_mode: bench.budget.call_mode,
          points: bench.entries.map((e) => ({
            op: e.op,
            tier: e.tier,
            variant: e.variant,
            call_mode: e.call_mode,
            p50_ns: e.p50_ns,
            p95_ns: e.p95_ns,
            p95_ticks: e.p95_ticks,
            mean_ns: e.mean_ns,
            stddev_ns: e.stddev_ns,
            n: e.n,
            within_budget: e.within_budget,
          })),
        });
      }
    }
  }
  return { runs: rows, reports, bench_points: points, weaver_findings: findings };
}

/** Stores checked runs in one transaction: a batch that fails leaves the store as it was. */
export async function storeRuns(db: KnhkDb, runs: CheckedRun[], now = new Date()): Promise<void> {
  await storeRecords(db, recordsOf(runs, now));
}

/** Concatenates record sets (from several shards) into one batch. */
export function mergeRecords(sets: readonly RunRecords[]): RunRecords {
  return {
    runs: sets.flatMap((s) => s.runs),
    reports: sets.flatMap((s) => s.reports),
    bench_points: sets.flatMap((s) => s.bench_points),
    weaver_findings: sets.flatMap((s) => s.weaver_findings),
  };
}

/** Writes a batch of records in one transaction: all of it or, on any failure, none of it. Report
 *  text goes in as a Blob (see StoredReport.json): the records themselves stay plain data, so
 *  workers, tests and seeding pass them as they are. */
export async function storeRecords(db: KnhkDb, records: RunRecords): Promise<void> {
  if (records.runs.length === 0) return;
  const reports = records.reports.map((r) =>
    typeof r.json === 'string' ? { ...r, json: new Blob([r.json], { type: 'application/json' }) } : r,
  );
  // The bench points (thousands of small objects) first: put after the reports' 100 MB they took
  // 7.7-9 s of `npm run bench:dashboard`'s store, put first 2.8 s (Chromium 150, this VM).
  await db.transaction('rw', [db.runs, db.reports, db.bench_points, db.weaver_findings], async () => {
    await db.bench_points.bulkPut(records.bench_points);
    await db.runs.bulkPut(records.runs);
    await db.reports.bulkPut(reports);
    await db.weaver_findings.bulkPut(records.weaver_findings);
  });
}
