/* bench.h: the tick benchmark (DESIGN §3, method in bench/README.md): parameters, per-entry
 * results, the timing method (knhk_bench_measure), the pure statistics and budget verdict, the
 * kernels registered by bench/ops.c, and the tick-bench report writers. */
#ifndef KNHK_BENCH_H
#define KNHK_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "knhk.h"
#include "knhk_clock.h"

#define KNHK_BENCH_MIN_SAMPLES 1000u     /* the method's floor: fewer samples are not a report */
#define KNHK_BENCH_DEFAULT_SAMPLES 1000u
#define KNHK_BENCH_MAX_SAMPLES 10000000u /* 10^7 samples x >= 1 call: minutes, not hours */
#define KNHK_BENCH_WARMUP_SAMPLES 50u
#define KNHK_BENCH_PRIME_SAMPLES 1u /* untimed priming runs of a kernel right before each timed sample */
#define KNHK_BENCH_PRIME_CALLS 256u /* calls in a priming run (at most a sample's): every pool input, again */
/* Timed and probe figures are kept for every entry until the end (3 x 8 bytes a round); a run
 * whose figures would take more than this is timed in consecutive groups of entries, each group
 * interleaved. */
#define KNHK_BENCH_MAX_VALUES_BYTES (512u << 20)
#define KNHK_BENCH_CALIBRATION_MS 50.0
#define KNHK_BENCH_MIN_SAMPLE_RESOLUTIONS 1000.0 /* a sample must span >= 1000 x resolution_ns */
/* Calls per sample are chosen so the shortest trial sample spans this many times the minimum:
 * the margin keeps a faster-than-trial sample above the floor. */
#define KNHK_BENCH_SPAN_MARGIN 2.0
/* Interference control (bench/README.md): a probe sample after every timed sample; a timed sample
 * is kept when the probes on both sides of it ran within this factor of the probe's quiet level
 * (the 5th percentile of its figures). */
#define KNHK_BENCH_PROBE_THRESHOLD 1.15
#define KNHK_BENCH_PROBE_RESOLUTIONS 100.0 /* a probe spans >= 100 x resolution: 1% quantisation */
#define KNHK_BENCH_MAX_ROUNDS_FACTOR 8u /* rounds stop at 8 x samples, kept or not */
#define KNHK_BENCH_MAX_ENTRIES 512 /* 19 ops x 6 variants x 3 call modes = 342 */

/** What to run. */
typedef struct {
  uint32_t op;             /**< the knhk_op to time, or 0 for every op */
  const char *variant;     /**< the variant to time, or NULL for every supported one */
  uint32_t samples;        /**< timed samples per entry, KNHK_BENCH_MIN_SAMPLES..MAX_SAMPLES */
  uint32_t warmup_samples; /**< untimed samples run first */
  double calibration_ms;   /**< clock calibration span */
  const char *commit_sha;  /**< 40 lowercase hex digits, or NULL */
} knhk_bench_params_t;

/** Summary statistics over per-call figures (one per sample), in ns. */
typedef struct {
  size_t n;
  double mean, stddev;                /* stddev: sample (n - 1), 0 when n < 2 */
  double min, p5, p50, p95, p99, max; /* quantiles: nearest rank */
} knhk_bench_stats_t;

typedef enum { KNHK_BENCH_PASS, KNHK_BENCH_FAIL, KNHK_BENCH_SKIPPED, KNHK_BENCH_NO_EVIDENCE } knhk_bench_verdict;

/** One op x variant x call mode. */
typedef struct {
  const char *op;        /**< "ASK_SP" */
  const char *tier;      /**< "R1" or "W1" */
  const char *variant;   /**< "portable", ... */
  const char *call_mode; /**< "api", "batch" or "inline" */
  uint32_t calls_per_sample; /**< operations per sample (a batch call performs 8) */
  uint32_t samples;
  uint32_t warmup_samples;
  double min_sample_ns; /**< shortest timed sample, read overhead subtracted */
  knhk_bench_stats_t ns; /**< over the kept samples (every timed one without interference control) */
  knhk_bench_stats_t all; /**< over every timed sample: for comparison, never judged */
  uint64_t results_checksum;
  knhk_bench_verdict verdict;
  char reason[160];
} knhk_bench_entry_t;

/** One tick-bench report (schema knhk.tick-bench/v1). */
typedef struct {
  knhk_clock_t clock;
  char generated_at[32];  /**< UTC, "2026-12-04T16:00:00Z" */
  char commit_sha[41];    /**< empty when unknown */
  char cpu_model[128];
  char cpu_features[192]; /**< space-separated */
  const char *variant;    /**< the variant chosen at start-up: what callers get */
  uint64_t peak_rss_bytes;
  uint64_t results_checksum; /**< xor of the entries' checksums */
  char probe[64];            /**< the interference probe ("ASK_SP avx512 batch"), or "" when none ran */
  double probe_quiet_ns;     /**< the probe's quiet level (5th percentile), per op */
  uint32_t rounds;           /**< rounds of timed samples taken */
  size_t entry_count;
  knhk_bench_entry_t entries[KNHK_BENCH_MAX_ENTRIES];
} knhk_bench_report_t;

/* ---- the method ------------------------------------------------------------------------------- */

/** A timed kernel: makes `calls` calls on inputs start, start + 1, ... (modulo its pool), reading
 *  the counter before and after; returns the counts elapsed and stores a sum of the results in
 *  *sum (so no result can be optimised away). */
typedef uint64_t (*knhk_bench_sample_fn)(void *ctx, const knhk_clock_t *clk, uint32_t start, uint32_t calls,
                                         uint64_t *sum);

/** One kernel to time, and where its figures go. */
typedef struct {
  knhk_bench_sample_fn fn;
  void *ctx;
  uint32_t ops_per_call;    /**< operations per call of fn (8 for a batch call) */
  knhk_bench_entry_t *entry; /**< op, tier, variant and call_mode set by the caller; the rest is filled */
  /* state while measuring (set by knhk_bench_measure_interleaved) */
  uint32_t calls, start;
  uint64_t checksum;
  double shortest_ns;
} knhk_bench_job_t;

/** The interference probe: a short kernel timed after every timed sample. The machine's slow
 *  spells (another tenant on the core's sibling thread, measured here at 1.4-1.8x for minutes at a
 *  time) slow it as much as the kernels, so a timed sample is kept only when the probes on both of
 *  its sides ran within KNHK_BENCH_PROBE_THRESHOLD of the probe's quiet level (its 5th percentile
 *  over the run). The probe
 *  decides alone: a kernel's own figure never keeps or drops its sample. */
typedef struct {
  knhk_bench_sample_fn fn;
  void *ctx;
  uint32_t ops_per_call;
  /* filled while measuring */
  uint32_t calls;   /**< calls per probe sample (>= KNHK_BENCH_PROBE_RESOLUTIONS x resolution) */
  double quiet_ns;  /**< the probe's quiet level: 5th percentile of its figures, per op */
  uint32_t rounds;  /**< rounds taken */
} knhk_bench_probe_t;

/** Times count kernels side by side (bench/README.md, the method): for each kernel in turn, chooses
 *  the calls per sample so every sample spans >= 1000 x the clock resolution (with
 *  KNHK_BENCH_SPAN_MARGIN) and runs its warm-up; then rounds, round r taking timed sample r of
 *  every kernel in turn, each preceded by KNHK_BENCH_PRIME_SAMPLES untimed priming runs (at most
 *  KNHK_BENCH_PRIME_CALLS calls) of the same kernel (its inputs back in L1 after the other kernels
 *  evicted them). Every kernel thus
 *  sees the same machine conditions over the same span of time. Fills each entry's counts,
 *  statistics (per operation: sample time / (calls x ops_per_call)), checksum and verdict; tier
 *  "W1" is judged "skipped".
 *  Without a probe every timed sample is kept and there are exactly `samples` rounds. With one,
 *  the probe is timed after every timed sample, rounds go on until every entry has `samples` kept
 *  samples (at most KNHK_BENCH_MAX_ROUNDS_FACTOR x samples rounds), the statistics ns are over
 *  the kept samples, all over every timed one, and an entry with fewer than
 *  KNHK_BENCH_MIN_SAMPLES kept is no-evidence (the machine was never quiet long enough).
 *  @param values  room for count x max_rounds doubles, max_rounds = samples without a probe, else
 *                 KNHK_BENCH_MAX_ROUNDS_FACTOR x samples. */
void knhk_bench_measure_interleaved(const knhk_clock_t *clk, knhk_bench_job_t *jobs, size_t count,
                                    uint32_t samples, uint32_t warmup_samples, double *values,
                                    knhk_bench_probe_t *probe);

/** knhk_bench_measure_interleaved() for one kernel.
 *  @param scratch  room for samples doubles. */
void knhk_bench_measure(const knhk_clock_t *clk, knhk_bench_sample_fn fn, void *ctx, uint32_t ops_per_call,
                        uint32_t samples, uint32_t warmup_samples, knhk_bench_entry_t *e, double *scratch);

/** Computes n, mean, sample stddev, min, nearest-rank p5/p50/p95/p99 and max of values[0..n).
 *  Sorts values in place. n == 0 gives all zeros. */
void knhk_bench_stats(double *values, size_t n, knhk_bench_stats_t *out);

/** The budget rule, in this order: "no-evidence" when n == 0, when the shortest sample spans less
 *  than 1000 x resolution_ns (or resolution_ns is not positive), or when p95 <= 0 ns; then
 *  "skipped" for a W1 op (hot == 0); else "pass" when p95 <= 8 ticks (2 ns), else "fail". Writes a
 *  one-line reason. Pure: no clock, no I/O. */
knhk_bench_verdict knhk_bench_classify(const knhk_bench_stats_t *ns, double min_sample_ns, double resolution_ns,
                                       int hot, char *reason, size_t reason_size);

/** "pass", "fail", "skipped" or "no-evidence". */
const char *knhk_bench_verdict_name(knhk_bench_verdict verdict);

/* ---- the kernels (bench/ops.c) ----------------------------------------------------------------- */

typedef struct knhk_bench_ops knhk_bench_ops_t;

/** One registered kernel: an op x variant x call mode with its sample function. */
typedef struct {
  uint32_t op;
  const char *variant;
  const char *call_mode;
  uint32_t ops_per_call;
  knhk_bench_sample_fn sample;
  void *ctx;
} knhk_bench_kernel_t;

/** Builds the input pools (admitted and checked). @return KNHK_OK or KNHK_E_NOMEM. */
knhk_status knhk_bench_ops_create(knhk_bench_ops_t **ops);
void knhk_bench_ops_free(knhk_bench_ops_t *ops);

/** Lists the kernels params asks for: every op (or params->op) x every supported, reportable
 *  variant (or params->variant) x the call modes batch, api, inline. @return the count (<= max). */
size_t knhk_bench_ops_list(knhk_bench_ops_t *ops, const knhk_bench_params_t *params, knhk_bench_kernel_t *out,
                           size_t max);

/** Checks a kernel's results on its whole pool against the portable reference before it is timed.
 *  @return 0, or 3 with a message in err when they differ (a kernel disagreeing with the spec). */
int knhk_bench_ops_verify(knhk_bench_ops_t *ops, const knhk_bench_kernel_t *k, char *err, size_t err_size);

/** The interference probe of knhk_bench_run(): ASK_SP's batch through knhk_eval_batch() on its own
 *  pool. Fills probe (fn, ctx, ops_per_call) and its name ("ASK_SP avx512 batch"). */
void knhk_bench_ops_probe(knhk_bench_ops_t *ops, knhk_bench_probe_t *probe, char *name, size_t name_size);

/* ---- the report -------------------------------------------------------------------------------- */

/** Runs the benchmark into report (calibrates the clock, builds the pools, checks then times every
 *  requested kernel). @return 0, or 3 on an internal error with a message in err. */
int knhk_bench_run(const knhk_bench_params_t *params, knhk_bench_report_t *report, char *err, size_t err_size);

/** Writes report as tick-bench JSON: finite numbers only (a non-finite one is written as 0), with
 *  17 significant digits so *_ticks is exactly *_ns / 0.25 when read back. */
void knhk_bench_write_json(FILE *out, const knhk_bench_report_t *report);

/** Writes report as a human-readable table. */
void knhk_bench_write_table(FILE *out, const knhk_bench_report_t *report);

#endif /* KNHK_BENCH_H */
