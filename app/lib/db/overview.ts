// The Overview's read from IndexedDB: the newest run group per branch and tag, with the evidence
// of only those runs, judged by the readiness rollup (pure health functions).
import { reportDoc, type KnhkDb, type StoredRun } from './db.ts';
import { readinessByRef, type GroupReadiness, type RunEvidence } from '../health/readiness.ts';
import type { GateReport, ReleaseReport, TickBench } from '../reports/types.ts';
import type { WeaverSummary } from '../reports/weaver.ts';

export interface OverviewData {
  groups: GroupReadiness[];
  /** Evidence of every run a group uses, by run id (for the per-target tables). */
  evidence: Record<string, RunEvidence>;
  release: ReleaseReport | null;
  runCount: number;
}

/** Picks the newest group per branch and per tag from the runs' index fields, then loads the
 *  evidence of only those runs: the Overview stays fast with thousands of runs stored. */
export async function readOverview(db: KnhkDb): Promise<OverviewData> {
  const runs = await db.runs.toArray();
  const newestGroup = new Map<string, StoredRun>();
  for (const run of runs) {
    for (const key of [run.branch && `branch:${run.branch}`, run.tag && `tag:${run.tag}`]) {
      if (!key) continue;
      const seen = newestGroup.get(key);
      if (!seen || run.started_at > seen.started_at) newestGroup.set(key, run);
    }
  }
  const groups = new Set([...newestGroup.values()].map((r) => r.group));
  const chosen = runs.filter((r) => groups.has(r.group));
  const evidence: Record<string, RunEvidence> = {};
  for (const run of chosen) {
    const reports = await db.reports.where('run_id').equals(run.id).toArray();
    const doc = (kind: string) => reportDoc(reports.find((r) => r.kind === kind));
    evidence[run.id] = {
      manifest: run.manifest,
      verdict: run.verdict,
      gateReport: (await doc('gate-report')) as GateReport | null,
      bench: (await doc('tick-bench')) as TickBench | null,
      weaver: (await doc('weaver-live-check')) as WeaverSummary | null,
    };
  }
  const releases = await db.reports.where('kind').equals('release').toArray();
  const release = (
    await Promise.all(releases.map((r) => reportDoc<ReleaseReport>(r)))
  ).reduce<ReleaseReport | null>((a, b) => (!b ? a : !a || b.created_at > a.created_at ? b : a), null);
  return { groups: readinessByRef(Object.values(evidence)), evidence, release, runCount: runs.length };
}
