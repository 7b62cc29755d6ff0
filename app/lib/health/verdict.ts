// The one vocabulary of statuses and verdicts (DESIGN §5) as pure rollups. "No evidence" is a status
// of its own: it never counts as a pass, and every rollup below handles it by name.
import type {
  BenchEntry,
  Budget,
  BudgetStatus,
  Check,
  Gate,
  GateStatus,
  RunVerdict,
  Verdict,
} from '../reports/types.ts';

/** The blocking gates a run needs before it can be `go`; a missing one is missing evidence. */
export const BLOCKING_GATE_IDS = ['weaver', 'build', 'tests'] as const;

/** A gate is `fail` if any check failed or errored; else `no-evidence` if it ran no check or a
 *  check was skipped or had no evidence; else `pass`. */
export function rollupGate(checks: readonly Pick<Check, 'status'>[]): GateStatus {
  if (checks.some((c) => c.status === 'fail' || c.status === 'error')) return 'fail';
  if (checks.length === 0) return 'no-evidence';
  if (checks.some((c) => c.status === 'skipped' || c.status === 'no-evidence')) return 'no-evidence';
  return 'pass';
}

/** A run is `go` when every blocking gate passes, `no-go` when any blocking gate fails, and
 *  `no-evidence` otherwise (including when a blocking gate is absent). Advisory gates never count. */
export function rollupRun(gates: readonly Pick<Gate, 'id' | 'blocking' | 'status'>[]): RunVerdict {
  const blocking = gates.filter((g) => g.blocking);
  if (blocking.some((g) => g.status === 'fail')) return 'no-go';
  const present = new Set(blocking.map((g) => g.id));
  if (BLOCKING_GATE_IDS.some((id) => !present.has(id))) return 'no-evidence';
  return blocking.every((g) => g.status === 'pass') ? 'go' : 'no-evidence';
}

/** `report check` speaks pass / fail / no-evidence for every kind; a run's go / no-go maps onto it. */
export function verdictOfRun(verdict: RunVerdict): Verdict {
  return verdict === 'go' ? 'pass' : verdict === 'no-go' ? 'fail' : 'no-evidence';
}

export interface BudgetJudgement {
  status: BudgetStatus;
  reason: string;
}

/** Judges one bench entry against the tick budget (DESIGN §3). No evidence when nothing was
 *  measured, when the shortest sample spans less than `min_sample_resolutions` x the clock's
 *  resolution (the per-call figure would be noise), or when the figure is 0; W1 (warm) operations are
 *  outside the R1 budget and so `skipped`; otherwise pass iff the budget statistic is within budget.
 *  @param resolutionNs the resolution of the clock that timed the samples, in ns. */
/** The bench method's floor of samples per entry (KNHK_BENCH_MIN_SAMPLES in native/bench/bench.h). */
export const MIN_KEPT_SAMPLES = 1000;

export function judgeBenchEntry(
  entry: Pick<BenchEntry, 'tier' | 'n' | 'min_sample_ns' | 'p95_ns' | 'p95_ticks' | 'all_samples'>,
  resolutionNs: number,
  budget: Pick<Budget, 'ticks' | 'min_sample_resolutions'>,
): BudgetJudgement {
  const minSpan = budget.min_sample_resolutions * resolutionNs;
  if (entry.n === 0) return { status: 'no-evidence', reason: 'no samples were measured' };
  // Under interference control the figures are over the samples the probe kept; fewer than the
  // method's 1000 means the machine was never quiet long enough to measure (native/bench/README.md).
  if (entry.all_samples !== undefined && entry.n < MIN_KEPT_SAMPLES) {
    return {
      status: 'no-evidence',
      reason: `only ${entry.n} of ${entry.all_samples.n} samples were taken while the machine was quiet (< ${MIN_KEPT_SAMPLES})`,
    };
  }
  if (entry.min_sample_ns < minSpan) {
    return {
      status: 'no-evidence',
      reason: `shortest sample ${fmt(entry.min_sample_ns)} ns spans less than ${budget.min_sample_resolutions} x the clock resolution (${fmt(minSpan)} ns)`,
    };
  }
  if (!(entry.p95_ns > 0)) return { status: 'no-evidence', reason: 'the per-call p95 is 0' };
  if (entry.tier === 'W1')
    return { status: 'skipped', reason: 'W1 (warm) operation: the R1 budget does not apply' };
  return entry.p95_ticks <= budget.ticks
    ? { status: 'pass', reason: `p95 ${fmt(entry.p95_ticks)} ticks <= ${budget.ticks}` }
    : { status: 'fail', reason: `p95 ${fmt(entry.p95_ticks)} ticks > ${budget.ticks}` };
}

/** Which entries the budget judges: R1 operations of the variant callers get, in the call mode the API
 *  documents as the hot path. Other entries are shown for comparison and never decide the verdict. */
export interface BudgetScope {
  variant: BenchEntry['variant'];
  call_mode: BenchEntry['call_mode'];
}

export function isInBudgetScope(
  entry: Pick<BenchEntry, 'tier' | 'variant' | 'call_mode'>,
  scope: BudgetScope,
): boolean {
  return entry.tier === 'R1' && entry.variant === scope.variant && entry.call_mode === scope.call_mode;
}

/** A bench report passes when every entry in the budget's scope is within budget; any one over budget
 *  fails it; no entry in scope at all, or one without evidence, is no evidence. */
export function rollupBench(
  entries: readonly Pick<BenchEntry, 'tier' | 'variant' | 'call_mode' | 'within_budget'>[],
  scope: BudgetScope,
): Verdict {
  const judged = entries.filter((e) => isInBudgetScope(e, scope));
  if (judged.some((e) => e.within_budget === 'fail')) return 'fail';
  if (judged.length === 0 || judged.some((e) => e.within_budget !== 'pass')) return 'no-evidence';
  return 'pass';
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
