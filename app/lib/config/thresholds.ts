// The one threshold table (DESIGN §5, §6): every KPI the views evaluate, its target and its alert
// threshold. Change a number here and every view, rollup and test that reads it follows.

export type KpiDirection = 'at-most' | 'at-least';

export interface KpiThreshold {
  id: string;
  name: string;
  unit: string;
  direction: KpiDirection;
  /** Within target: ok. */
  target: number;
  /** Beyond target but not beyond this: warning; beyond it: alert (the rollback triggers use it). */
  alert: number;
  /** Which report measures it. */
  source: string;
}

/** KNHK's KPI table. The tick SLO fails Gate 3 at the target (p95 > 8 ticks); > 10 is the alert. */
export const KPI_THRESHOLDS: readonly KpiThreshold[] = [
  {
    id: 'tick_p95',
    name: 'Hot-path p95 per R1 operation',
    unit: 'ticks',
    direction: 'at-most',
    target: 8,
    alert: 10,
    source: 'tick-bench (the budget scope: chosen variant, documented call mode)',
  },
  {
    id: 'weaver_violations',
    name: 'Weaver live-check violations',
    unit: 'findings',
    direction: 'at-most',
    target: 0,
    alert: 0,
    source: 'Weaver live-check',
  },
  {
    id: 'registry_coverage',
    name: 'Registry coverage seen in live telemetry',
    unit: 'ratio',
    direction: 'at-least',
    target: 0.9,
    alert: 0.75,
    source: 'Weaver live-check statistics',
  },
  {
    id: 'test_pass_rate',
    name: 'Tests passing',
    unit: 'ratio',
    direction: 'at-least',
    target: 1,
    alert: 0.99,
    source: 'gate-report, Gate 3 suites',
  },
  {
    id: 'gate_pass_rate',
    name: 'Runs with every blocking gate passing (last 30)',
    unit: 'ratio',
    direction: 'at-least',
    target: 0.95,
    alert: 0.8,
    source: 'gate-report verdicts',
  },
];

/** Regression statistics in use: a change is a regression only when it stands out of the noise. */
export const REGRESSION_STATISTICS = {
  test: "Welch's t-test on the reports' n, mean and stddev",
  alpha: 0.01,
  min_relative_change: 0.05,
} as const;
