// The read queries of the Runs and Run detail views: pure async functions over the store, and pure
// helpers over what they return (filters, findings groups, the reason behind a verdict). No runes.
import { reportDoc, type KnhkDb, type StoredRun, type StoredWeaverFinding } from './db.ts';
import type { Gate, GateReport, RunVerdict, TickBench, Verdict, WasmBench } from '../reports/types.ts';
import { WEAVER_LEVELS, type WeaverLevel, type WeaverSummary } from '../reports/weaver.ts';
import { BLOCKING_GATE_IDS } from '../health/verdict.ts';
import { reasonsOf, runReadiness, type Readiness, type Reason } from '../health/readiness.ts';

/** The Runs filters, as the URL carries them (`?branch=main&event=push&target=…&verdict=no-go&q=3f2a`).
 *  `null` (or '' for `q`) means "any". */
export interface RunFilter {
  branch: string | null;
  event: string | null;
  target: string | null;
  verdict: RunVerdict | null;
  /** A prefix of the commit SHA, or text of the commit message (case-insensitive). */
  q: string;
}

export const EMPTY_RUN_FILTER: RunFilter = Object.freeze({
  branch: null,
  event: null,
  target: null,
  verdict: null,
  q: '',
});

export interface RunList {
  /** The runs that match, newest first. */
  runs: StoredRun[];
  /** Every run in the store. */
  total: number;
}

/** The values the filters offer: what the store holds, sorted; '' (unknown) is left out. */
export interface DistinctValues {
  branches: string[];
  events: string[];
  targets: string[];
  verdicts: RunVerdict[];
}

/** One Weaver finding id at one level, with how often it occurs and where. */
export interface FindingGroup {
  id: string;
  level: WeaverLevel;
  count: number;
  /** Distinct messages, in order of first occurrence. */
  messages: string[];
  /** Distinct `signal_type signal_name` pairs (the name alone when there is no type), first-seen order. */
  signals: string[];
  /** Distinct attributes, first-seen order. */
  attributes: string[];
}

export type FindingSortKey = 'count' | 'id' | 'level';
export type SortDirection = 'asc' | 'desc';

/** Why a run has its verdict: one line per blocking gate (or check) that decides it. */
export interface VerdictReason {
  verdict: RunVerdict;
  /** One sentence: what decides the verdict. */
  summary: string;
  /** The blocking gates that failed or lack evidence (empty for go), with the checks that did it. */
  blockers: {
    gate: string;
    status: 'fail' | 'no-evidence' | 'missing';
    reason: string;
    checks: { name: string; status: string; reason: string }[];
  }[];
}

export interface RunDetail {
  run: StoredRun;
  gateReport: GateReport | null;
  /** The stored WeaverSummary of the run's live-check report (`<id>/weaver-live-check`). */
  weaver: WeaverSummary | null;
  /** The run's stored Weaver findings, in report order. */
  findings: StoredWeaverFinding[];
  tickBench: TickBench | null;
  wasmBench: WasmBench | null;
  /** Why the gate verdict is what it is. */
  reason: VerdictReason;
  /** The run's release readiness (the Overview's rollup): the gate verdict made stricter by the run's
   *  own evidence (budget entries over or without evidence, Weaver violations). */
  readiness: Readiness;
  /** The evidence reasons beyond the gates (budget, Weaver) that readiness adds. */
  evidenceReasons: Reason[];
}

const RUN_VERDICTS: readonly RunVerdict[] = ['go', 'no-go', 'no-evidence'];
const STORED_VERDICT: Record<RunVerdict, Verdict> = {
  go: 'pass',
  'no-go': 'fail',
  'no-evidence': 'no-evidence',
};

/** A stored run's verdict (`report check`'s pass / fail / no-evidence) as go / no-go / no-evidence. */
export function runVerdictOf(verdict: Verdict): RunVerdict {
  return verdict === 'pass' ? 'go' : verdict === 'fail' ? 'no-go' : 'no-evidence';
}

/** Reads the filters from a URL's query. Unknown verdict words are ignored (any); `pass` and `fail`
 *  are accepted for go and no-go, as `report check` prints them. Never throws. */
export function parseRunFilter(params: URLSearchParams): RunFilter {
  const text = (name: string) => {
    const v = params.get(name)?.trim();
    return v ? v : null;
  };
  const rawVerdict = text('verdict');
  const verdict =
    rawVerdict === 'pass' || rawVerdict === 'fail'
      ? runVerdictOf(rawVerdict)
      : (RUN_VERDICTS.find((v) => v === rawVerdict) ?? null);
  return {
    branch: text('branch'),
    event: text('event'),
    target: text('target'),
    verdict,
    q: text('q') ?? '',
  };
}

/** The query string of a filter: only the filters in use, in a fixed order, so equal filters share a URL. */
export function runFilterQuery(filter: RunFilter): string {
  const params = new URLSearchParams();
  if (filter.branch) params.set('branch', filter.branch);
  if (filter.event) params.set('event', filter.event);
  if (filter.target) params.set('target', filter.target);
  if (filter.verdict) params.set('verdict', filter.verdict);
  if (filter.q.trim()) params.set('q', filter.q.trim());
  return params.toString();
}

/** True when a run passes every filter in use. The search matches a prefix of the commit SHA or any
 *  part of the commit message, ignoring case. */
export function matchesRunFilter(run: StoredRun, filter: RunFilter): boolean {
  if (filter.branch !== null && run.branch !== filter.branch) return false;
  if (filter.event !== null && run.event !== filter.event) return false;
  if (filter.target !== null && run.target !== filter.target) return false;
  if (filter.verdict !== null && run.verdict !== STORED_VERDICT[filter.verdict]) return false;
  const q = filter.q.trim().toLowerCase();
  if (!q) return true;
  return run.commit_sha.toLowerCase().startsWith(q) || run.manifest.commit.message.toLowerCase().includes(q);
}

/** The runs that match `filter`, newest first (by `started_at`, then id), and how many the store holds.
 *  One pass over the `started_at` index: a few thousand runs take milliseconds. */
export async function listRuns(db: KnhkDb, filter: RunFilter = EMPTY_RUN_FILTER): Promise<RunList> {
  return db.transaction('r', db.runs, async () => {
    const total = await db.runs.count();
    const runs = await db.runs
      .orderBy('started_at')
      .reverse()
      .filter((run) => matchesRunFilter(run, filter))
      .toArray();
    return { runs, total };
  });
}

/** The distinct branches, events and targets in the store (read from their indexes) and the verdicts. */
export async function distinctValues(db: KnhkDb): Promise<DistinctValues> {
  return db.transaction('r', db.runs, async () => {
    const keys = async (index: 'branch' | 'event' | 'target' | 'verdict') =>
      (await db.runs.orderBy(index).uniqueKeys())
        .filter((k): k is string => typeof k === 'string' && k !== '')
        .sort();
    const verdicts = new Set((await keys('verdict')).map((v) => runVerdictOf(v as Verdict)));
    return {
      branches: await keys('branch'),
      events: await keys('event'),
      targets: await keys('target'),
      verdicts: RUN_VERDICTS.filter((v) => verdicts.has(v)),
    };
  });
}

/** Everything the Run detail view shows about one run, or null when the store has no run `id`. */
export async function getRunDetail(db: KnhkDb, id: string): Promise<RunDetail | null> {
  // The records in one read transaction; the reports' text parsed after it (reportDoc()).
  const read = await db.transaction('r', [db.runs, db.reports, db.weaver_findings], async () => {
    const run = await db.runs.get(id);
    if (!run) return null;
    const reports = await db.reports.where('run_id').equals(id).toArray();
    const findings = await db.weaver_findings.where('run_id').equals(id).toArray();
    return { run, reports, findings };
  });
  if (!read) return null;
  const { run, reports, findings } = read;
  const docOf = (kind: string): Promise<unknown> => reportDoc(reports.find((r) => r.kind === kind));
  // Keys are `<run id>/<index in the report>`: sort by the index as a number, not as text.
  const indexOf = (f: StoredWeaverFinding) => Number(f.key.slice(f.key.lastIndexOf('/') + 1));
  findings.sort((a, b) => indexOf(a) - indexOf(b));
  const gateReport = (await docOf('gate-report')) as GateReport | null;
  const weaver = (await docOf('weaver-live-check')) as WeaverSummary | null;
  const tickBench = (await docOf('tick-bench')) as TickBench | null;
  const evidence = { manifest: run.manifest, verdict: run.verdict, gateReport, bench: tickBench, weaver };
  return {
    run,
    gateReport,
    weaver,
    findings,
    tickBench,
    wasmBench: (await docOf('wasm-bench')) as WasmBench | null,
    reason: explainVerdict(run, gateReport),
    readiness: runReadiness(evidence),
    evidenceReasons: reasonsOf(evidence).filter((r) => r.kind === 'budget' || r.kind === 'weaver'),
  };
}

/** Says why a run has its verdict, from its gate report: the blocking gates that failed (and their
 *  failed or errored checks), else those without evidence (skipped or no-evidence checks, no check at
 *  all, or a blocking gate absent from the report). Without a gate report a run has no evidence. */
export function explainVerdict(run: StoredRun, gateReport: GateReport | null): VerdictReason {
  const verdict = runVerdictOf(run.verdict);
  if (!gateReport) {
    const listed = run.manifest.reports.some((r) => r.kind === 'gate-report');
    return {
      verdict,
      summary: listed
        ? "the run lists a gate report, but it is not in this browser's store"
        : 'no gate report: the quality gates did not run for this run',
      blockers: [],
    };
  }
  const blocking = gateReport.gates.filter((g) => g.blocking);
  const label = (g: Gate) => `Gate ${g.number} ${g.name}`;
  const failed = blocking
    .filter((g) => g.status === 'fail')
    .map((g) => ({
      gate: label(g),
      status: 'fail' as const,
      reason: g.reason,
      checks: g.checks
        .filter((c) => c.status === 'fail' || c.status === 'error')
        .map((c) => ({ name: c.name, status: c.status, reason: c.reason })),
    }));
  if (failed.length) {
    return {
      verdict,
      summary: `${failed.map((b) => b.gate).join(', ')} failed`,
      blockers: failed,
    };
  }
  const present = new Set(blocking.map((g) => g.id));
  const missing = BLOCKING_GATE_IDS.filter((id) => !present.has(id)).map((id) => ({
    gate: `the ${id} gate`,
    status: 'missing' as const,
    reason: 'absent from the gate report',
    checks: [],
  }));
  const vacuous = blocking
    .filter((g) => g.status !== 'pass')
    .map((g) => ({
      gate: label(g),
      status: 'no-evidence' as const,
      reason: g.checks.length === 0 ? 'ran no check' : g.reason,
      checks: g.checks
        .filter((c) => c.status !== 'pass')
        .map((c) => ({ name: c.name, status: c.status, reason: c.reason })),
    }));
  const lacking = [...vacuous, ...missing];
  if (lacking.length) {
    return {
      verdict,
      summary: `no evidence from ${lacking.map((b) => b.gate).join(', ')}`,
      blockers: lacking,
    };
  }
  return { verdict, summary: 'every blocking gate passed', blockers: [] };
}

/** Groups findings by id and level; groups come most severe level first, then most frequent, then id. */
export function groupFindings(findings: readonly StoredWeaverFinding[]): FindingGroup[] {
  // Sets beside each group keep "distinct" linear when one id repeats thousands of times.
  const groups = new Map<string, { group: FindingGroup; seen: Set<string> }>();
  const add = (seen: Set<string>, list: string[], kind: string, value: string) => {
    if (seen.has(`${kind}:${value}`)) return;
    seen.add(`${kind}:${value}`);
    list.push(value);
  };
  for (const f of findings) {
    const key = `${f.level}\u0000${f.id}`;
    let entry = groups.get(key);
    if (!entry) {
      const group: FindingGroup = {
        id: f.id,
        level: f.level,
        count: 0,
        messages: [],
        signals: [],
        attributes: [],
      };
      entry = { group, seen: new Set() };
      groups.set(key, entry);
    }
    const { group: g, seen } = entry;
    g.count++;
    add(seen, g.messages, 'm', f.message);
    const signal = [f.signal_type, f.signal_name].filter((s) => s).join(' ');
    if (signal) add(seen, g.signals, 's', signal);
    if (f.attribute) add(seen, g.attributes, 'a', f.attribute);
  }
  return sortFindingGroups(
    [...groups.values()].map((e) => e.group),
    'level',
    'asc',
  );
}

/** Findings per level, every level present (0 when none). */
export function countFindingsByLevel(
  findings: readonly Pick<StoredWeaverFinding, 'level'>[],
): Record<WeaverLevel, number> {
  const counts = { violation: 0, improvement: 0, information: 0 };
  for (const f of findings) counts[f.level]++;
  return counts;
}

/** A sorted copy. `level` ascending is most severe first; ties fall back to count (descending), then id. */
export function sortFindingGroups(
  groups: readonly FindingGroup[],
  key: FindingSortKey,
  direction: SortDirection,
): FindingGroup[] {
  const sign = direction === 'asc' ? 1 : -1;
  const severity = (l: WeaverLevel) => WEAVER_LEVELS.indexOf(l);
  const byKey = (a: FindingGroup, b: FindingGroup) =>
    key === 'count'
      ? a.count - b.count
      : key === 'id'
        ? compareText(a.id, b.id)
        : severity(a.level) - severity(b.level);
  return [...groups].sort(
    (a, b) =>
      sign * byKey(a, b) ||
      b.count - a.count ||
      severity(a.level) - severity(b.level) ||
      compareText(a.id, b.id),
  );
}

/** The groups at `level` (null: any) whose id, messages, signals or attributes contain `text`
 *  (case-insensitive). */
export function filterFindingGroups(
  groups: readonly FindingGroup[],
  level: WeaverLevel | null,
  text: string,
): FindingGroup[] {
  const q = text.trim().toLowerCase();
  return groups.filter(
    (g) =>
      (level === null || g.level === level) &&
      (!q || [g.id, ...g.messages, ...g.signals, ...g.attributes].some((s) => s.toLowerCase().includes(q))),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
