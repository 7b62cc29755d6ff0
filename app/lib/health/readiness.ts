// Release readiness (pure): one go / no-go / no-evidence per branch or tag, from the newest run group
// (all targets of one workflow run, or one local run), with every reason a stakeholder needs: which
// target, which gate, which check, what evidence is missing.
import type { GateReport, RunManifest, TickBench, Verdict } from '../reports/types.ts';
import type { WeaverSummary } from '../reports/weaver.ts';
import { isInBudgetScope } from './verdict.ts';

export type Readiness = 'go' | 'no-go' | 'no-evidence';

export interface RunEvidence {
  manifest: RunManifest;
  /** report check's verdict of the run (its gate report's; no-evidence without one). */
  verdict: Verdict;
  gateReport: GateReport | null;
  bench: TickBench | null;
  weaver: WeaverSummary | null;
}

export interface Reason {
  /** Where it comes from, for grouping and for tests. */
  kind: 'gate' | 'check' | 'budget' | 'weaver' | 'evidence';
  target: string;
  severity: 'blocks' | 'missing';
  text: string;
}

export interface GroupReadiness {
  /** `branch:<name>` or `tag:<name>`. */
  key: string;
  label: string;
  group: string;
  commit: RunManifest['commit'];
  started_at: string;
  readiness: Readiness;
  targets: { target: string; run_id: string; readiness: Readiness }[];
  reasons: Reason[];
}

const READINESS: Record<Verdict, Readiness> = { pass: 'go', fail: 'no-go', 'no-evidence': 'no-evidence' };

/** Why one run is not go: failing or evidence-less blocking gates and checks, budget entries over or
 *  without evidence, Weaver violations. Empty for a go run. */
export function reasonsOf(run: RunEvidence): Reason[] {
  const target = run.manifest.target;
  const reasons: Reason[] = [];
  const gr = run.gateReport;
  if (!gr) {
    reasons.push({
      kind: 'evidence',
      target,
      severity: 'missing',
      text: 'no gate report: the quality gates did not run',
    });
  } else {
    for (const id of ['weaver', 'build', 'tests'] as const) {
      if (!gr.gates.some((g) => g.id === id && g.blocking))
        reasons.push({
          kind: 'evidence',
          target,
          severity: 'missing',
          text: `blocking gate "${id}" is missing from the gate report`,
        });
    }
    for (const gate of gr.gates.filter((g) => g.blocking && g.status !== 'pass')) {
      const severity = gate.status === 'fail' ? 'blocks' : 'missing';
      reasons.push({
        kind: 'gate',
        target,
        severity,
        text: `Gate ${gate.number} ${gate.name}: ${gate.status === 'fail' ? 'failed' : 'no evidence'} (${gate.reason})`,
      });
      for (const c of gate.checks.filter((c) => c.status !== 'pass')) {
        reasons.push({
          kind: 'check',
          target,
          severity: c.status === 'fail' || c.status === 'error' ? 'blocks' : 'missing',
          text: `${c.name}: ${c.status} (${c.reason})`,
        });
      }
    }
  }
  if (run.bench) {
    const scope = { variant: run.bench.variant, call_mode: run.bench.budget.call_mode };
    for (const e of run.bench.entries.filter(
      (e) => isInBudgetScope(e, scope) && e.within_budget !== 'pass',
    )) {
      reasons.push({
        kind: 'budget',
        target,
        severity: e.within_budget === 'fail' ? 'blocks' : 'missing',
        text: `${e.op} (${e.variant}, ${e.call_mode}): ${e.reason}`,
      });
    }
  }
  if (run.weaver && run.weaver.counts.violation > 0) {
    reasons.push({
      kind: 'weaver',
      target,
      severity: 'blocks',
      text: `${run.weaver.counts.violation} Weaver violation(s) in the live-check`,
    });
  }
  return reasons;
}

/** One run's readiness: its gate report's verdict, made stricter by its own evidence — a blocking
 *  reason (a budget entry over, a Weaver violation) makes it no-go, a missing one keeps it from go.
 *  Evidence never makes a run greener than its gates. */
export function runReadiness(run: RunEvidence): Readiness {
  const reasons = reasonsOf(run);
  if (reasons.some((r) => r.severity === 'blocks')) return 'no-go';
  const base = READINESS[run.verdict];
  return base === 'go' && reasons.length > 0 ? 'no-evidence' : base;
}

/** Combines the runs of one group (one per target): no-go if any target is no-go, go only if every
 *  target is go, otherwise no evidence. */
export function combine(readiness: readonly Readiness[]): Readiness {
  if (readiness.includes('no-go')) return 'no-go';
  if (readiness.length === 0 || readiness.some((r) => r !== 'go')) return 'no-evidence';
  return 'go';
}

/** The newest group per branch and per tag, judged. Runs may come in any order. */
export function readinessByRef(runs: readonly RunEvidence[]): GroupReadiness[] {
  const refs = new Map<string, { label: string; runs: RunEvidence[] }>();
  for (const run of runs) {
    const m = run.manifest;
    const keys: [string, string][] = [];
    if (m.branch) keys.push([`branch:${m.branch}`, m.branch]);
    if (m.tag) keys.push([`tag:${m.tag}`, m.tag]);
    for (const [key, label] of keys) {
      const entry = refs.get(key) ?? { label, runs: [] };
      entry.runs.push(run);
      refs.set(key, entry);
    }
  }
  const out: GroupReadiness[] = [];
  for (const [key, { label, runs: refRuns }] of refs) {
    const newest = refRuns.reduce((a, b) => (b.manifest.started_at > a.manifest.started_at ? b : a));
    const group = refRuns.filter((r) => r.manifest.group === newest.manifest.group);
    // One run per target: a re-run of the same target in the group replaces the older one.
    const byTarget = new Map<string, RunEvidence>();
    for (const r of group.sort((a, b) => a.manifest.started_at.localeCompare(b.manifest.started_at)))
      byTarget.set(r.manifest.target, r);
    const targets = [...byTarget.values()].map((r) => ({
      target: r.manifest.target,
      run_id: r.manifest.id,
      readiness: runReadiness(r),
    }));
    out.push({
      key,
      label,
      group: newest.manifest.group,
      commit: newest.manifest.commit,
      started_at: newest.manifest.started_at,
      readiness: combine(targets.map((t) => t.readiness)),
      targets: targets.sort((a, b) => a.target.localeCompare(b.target)),
      reasons: [...byTarget.values()].flatMap(reasonsOf),
    });
  }
  // Tags first (releases), then branches; newest first within each.
  return out.sort((a, b) =>
    a.key.startsWith('tag:') !== b.key.startsWith('tag:')
      ? a.key.startsWith('tag:')
        ? -1
        : 1
      : b.started_at.localeCompare(a.started_at),
  );
}
