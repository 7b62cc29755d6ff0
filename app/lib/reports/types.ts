// TypeScript types of the report contracts (registry/schemas/*.schema.json, documented in
// registry/schemas/README.md). Keys are the reports' own snake_case keys: there is no renaming layer.

export type CheckStatus = 'pass' | 'fail' | 'error' | 'skipped' | 'no-evidence';
export type GateStatus = 'pass' | 'fail' | 'no-evidence';
export type RunVerdict = 'go' | 'no-go' | 'no-evidence';
/** What `report check` prints for any document, and the status of a bench entry against the budget. */
export type Verdict = 'pass' | 'fail' | 'no-evidence';
export type BudgetStatus = 'pass' | 'fail' | 'skipped' | 'no-evidence';

export const REPORT_KINDS = ['run', 'gate-report', 'tick-bench', 'wasm-bench', 'release'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
/** Every kind `report check` knows: ours plus Weaver's live-check output. */
export type DocumentKind = ReportKind | 'weaver-live-check';

/** The operations of DESIGN §4, in knhk_op order: the one list the registry, the schema and the
 *  synthetic data are checked against. CONSTRUCT8 is the one W1 (warm) operation. */
export const OPS = [
  'ASK_SP',
  'ASK_SPO',
  'ASK_OP',
  'COUNT_SP_GE',
  'COUNT_SP_LE',
  'COUNT_SP_EQ',
  'COUNT_OP_GE',
  'COUNT_OP_LE',
  'COUNT_OP_EQ',
  'UNIQUE_SP',
  'COMPARE_O_EQ',
  'COMPARE_O_GT',
  'COMPARE_O_LT',
  'COMPARE_O_GE',
  'COMPARE_O_LE',
  'VALIDATE_DATATYPE_SP',
  'VALIDATE_DATATYPE_SPO',
  'SELECT_SP',
  'CONSTRUCT8',
] as const;
export type Op = (typeof OPS)[number];

export type Variant = 'portable' | 'sse2' | 'avx2' | 'avx512' | 'neon' | 'wasm-simd128';
export type CallMode = 'api' | 'batch' | 'inline';

export interface RunReportRef {
  kind: 'gate-report' | 'tick-bench' | 'wasm-bench' | 'release' | 'weaver-live-check' | 'weaver-check';
  file: string;
  sha256: string;
  bytes: number;
}

export interface RunManifest {
  schema: 'knhk.run/v1';
  id: string;
  group: string;
  source: 'github-actions' | 'local';
  repo: string | null;
  workflow: string | null;
  event: string | null;
  commit: { sha: string; message: string; author: string; time: string };
  branch: string | null;
  tag: string | null;
  base_sha: string | null;
  target: string;
  runner: { os: string; arch: string; cpu_model: string; hostname: string };
  started_at: string;
  finished_at: string;
  url: string | null;
  reports: RunReportRef[];
}

export interface CheckCounts {
  run?: number;
  passed?: number;
  failed?: number;
  skipped?: number;
  warnings?: number;
  findings?: number;
}

export interface Check {
  id: string;
  name: string;
  command: string | null;
  status: CheckStatus;
  duration_ms: number;
  counts: CheckCounts;
  reason: string;
}

export interface Gate {
  id: 'weaver' | 'build' | 'tests' | 'security';
  number: number;
  name: string;
  blocking: boolean;
  status: GateStatus;
  reason: string;
  checks: Check[];
}

export interface GateReport {
  schema: 'knhk.gate-report/v1';
  run_id: string;
  commit_sha: string;
  generated_at: string;
  verdict: RunVerdict;
  gates: Gate[];
}

export interface Budget {
  ticks: number;
  tick_ns: 0.25;
  statistic: 'p95';
  min_sample_resolutions: number;
  /** The call mode the budget applies to (the documented hot path). */
  call_mode: CallMode;
}

export interface BenchEntry {
  op: string;
  tier: 'R1' | 'W1';
  variant: Variant;
  call_mode: CallMode;
  calls_per_sample: number;
  samples: number;
  warmup_samples?: number;
  n: number;
  min_sample_ns: number;
  mean_ns: number;
  stddev_ns: number;
  min_ns: number;
  p5_ns: number;
  p50_ns: number;
  p95_ns: number;
  p99_ns: number;
  max_ns: number;
  mean_ticks: number;
  stddev_ticks: number;
  min_ticks: number;
  p5_ticks: number;
  p50_ticks: number;
  p95_ticks: number;
  p99_ticks: number;
  max_ticks: number;
  /** Every timed sample, kept or not (tick-bench `interference`): for comparison, never judged. */
  all_samples?: { n: number; p50_ns: number; p95_ns: number; p99_ns: number; p95_ticks: number };
  results_checksum: string;
  within_budget: BudgetStatus;
  reason: string;
}

export interface TickBench {
  schema: 'knhk.tick-bench/v1';
  generated_at: string;
  knhk_version: string;
  commit_sha: string | null;
  target: string;
  /** The variant chosen at start-up: what callers get, and what the budget judges. */
  variant: Variant;
  cpu: { model: string; arch: string; features: string[] };
  compiler: { name: string; version: string; flags: string };
  clock: {
    source: string;
    reference: string;
    frequency_hz: number;
    resolution_ns: number;
    read_overhead_ns: number;
    overhead_subtracted: boolean;
    calibration_ms: number;
  };
  budget: Budget;
  peak_rss_bytes: number;
  results_checksum: string;
  /** Interference control: samples are kept only while a probe kernel ran near its quiet level. */
  interference?: { probe: string; threshold: number; quiet_ns: number; rounds: number };
  entries: BenchEntry[];
}

export interface WasmBench {
  schema: 'knhk.wasm-bench/v1';
  generated_at: string;
  knhk_version: string;
  commit_sha: string | null;
  engine: { name: 'chromium' | 'firefox' | 'webkit' | 'node' | 'other'; version: string };
  user_agent: string;
  timer_resolution_ns: number;
  cross_origin_isolated: boolean;
  simd: boolean;
  variant: 'portable' | 'wasm-simd128';
  budget: Budget;
  results_checksum: string;
  entries: BenchEntry[];
}

export interface ReleaseReport {
  schema: 'knhk.release/v1';
  version: string;
  tag: string;
  commit_sha: string;
  created_at: string;
  assets: { name: string; target: string; size_bytes: number; sha256: string }[];
  checksum_files: { name: string; sha256: string }[];
  notes: { file: string | null; sha256: string | null };
}

export interface ReportByKind {
  run: RunManifest;
  'gate-report': GateReport;
  'tick-bench': TickBench;
  'wasm-bench': WasmBench;
  release: ReleaseReport;
}
export type Report = ReportByKind[ReportKind];
