// Stores a checked run and its reports in one transaction: a batch that fails leaves the store as it was.
import type { KnhkDb, StoredBenchPoint, StoredReport, StoredRun, StoredWeaverFinding } from './db.ts';
import type { DocumentKind, RunManifest, TickBench, Verdict, WasmBench } from '../reports/types.ts';
import type { WeaverSummary } from '../reports/weaver.ts';

/** A run whose manifest and every report passed the checks (see sources/run-files.ts). */
export interface CheckedRun {
  manifest: RunManifest;
  verdict: Verdict;
  reports: { kind: DocumentKind; sha256: string; doc: unknown; weaver?: WeaverSummary }[];
}

export async function storeRuns(db: KnhkDb, runs: CheckedRun[], now = new Date()): Promise<void> {
  const rows: StoredRun[] = [];
  const reports: StoredReport[] = [];
  const points: StoredBenchPoint[] = [];
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
      reports.push({ key: `${m.id}/${r.kind}`, run_id: m.id, kind: r.kind, sha256: r.sha256, doc: r.doc });
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
        for (const e of bench.entries) {
          points.push({
            key: `${m.id}/${r.kind}/${e.op}/${e.variant}/${e.call_mode}`,
            run_id: m.id,
            commit_sha: m.commit.sha,
            started_at: m.started_at,
            target: m.target,
            source: r.kind,
            op: e.op,
            variant: e.variant,
            call_mode: e.call_mode,
            p50_ns: e.p50_ns,
            p95_ns: e.p95_ns,
            p95_ticks: e.p95_ticks,
            within_budget: e.within_budget,
          });
        }
      }
    }
  }
  await db.transaction('rw', [db.runs, db.reports, db.bench_points, db.weaver_findings], async () => {
    await db.runs.bulkPut(rows);
    await db.reports.bulkPut(reports);
    await db.bench_points.bulkPut(points);
    await db.weaver_findings.bulkPut(findings);
  });
}
