/* bench.h: the tick benchmark (DESIGN §3, method in bench/README.md): parameters, per-entry
 * results, the pure statistics and budget classification, and the tick-bench report writers. */
#ifndef KNHK_BENCH_H
#define KNHK_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "knhk.h"
#include "knhk_clock.h"

#define KNHK_BENCH_MIN_SAMPLES 1000u     /* the method's floor: fewer samples are not a report */
#define KNHK_BENCH_MAX_SAMPLES 10000000u /* 10^7 samples x >= 1 call: minutes, not hours */
#define KNHK_BENCH_WARMUP_SAMPLES 100u
#define KNHK_BENCH_CALIBRATION_MS 50.0
#define KNHK_BENCH_MIN_SAMPLE_RESOLUTIONS 1000.0 /* a sample must span >= 1000 x resolution_ns */
#define KNHK_BENCH_MAX_ENTRIES 64

/** What to run. */
typedef struct {
  uint32_t op;             /**< the knhk_op to time, or 0 for every implemented op */
  uint32_t samples;        /**< timed samples per entry, KNHK_BENCH_MIN_SAMPLES..MAX_SAMPLES */
  uint32_t warmup_samples; /**< untimed samples run first */
  double calibration_ms;   /**< clock calibration span */
  const char *commit_sha;  /**< 40 lowercase hex digits, or NULL */
} knhk_bench_params_t;

/** Summary statistics over per-call figures (one per sample), in ns. */
typedef struct {
  size_t n;
  double mean, stddev; /* stddev: sample (n - 1), 0 when n < 2 */
  double min, p5, p50, p95, p99, max; /* quantiles: nearest rank */
} knhk_bench_stats_t;

typedef enum { KNHK_BENCH_PASS, KNHK_BENCH_FAIL, KNHK_BENCH_NO_EVIDENCE } knhk_bench_verdict;

/** One op x variant x call mode. */
typedef struct {
  const char *op;        /**< "ASK_SP" */
  const char *tier;      /**< "R1" or "W1" */
  const char *variant;   /**< "portable", ... */
  const char *call_mode; /**< "api" or "inline" */
  uint32_t calls_per_sample;
  uint32_t samples;
  uint32_t warmup_samples;
  double min_sample_ns; /**< shortest timed sample, read overhead subtracted */
  knhk_bench_stats_t ns;
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
  char cpu_features[160]; /**< space-separated */
  uint64_t peak_rss_bytes;
  uint64_t results_checksum; /**< xor of the entries' checksums */
  size_t entry_count;
  knhk_bench_entry_t entries[KNHK_BENCH_MAX_ENTRIES];
} knhk_bench_report_t;

/** Computes n, mean, sample stddev, min, nearest-rank p5/p50/p95/p99 and max of values[0..n).
 *  Sorts values in place. n == 0 gives all zeros. */
void knhk_bench_stats(double *values, size_t n, knhk_bench_stats_t *out);

/** The budget rule: "no-evidence" when n == 0, when the shortest sample spans less than
 *  1000 x resolution_ns (or resolution_ns is not positive), or when p95 <= 0 ns; else "pass" when
 *  p95 <= 8 ticks (2 ns), else "fail". Writes a one-line reason. Pure: no clock, no I/O. */
knhk_bench_verdict knhk_bench_classify(const knhk_bench_stats_t *ns, double min_sample_ns,
                                       double resolution_ns, char *reason, size_t reason_size);

/** "pass", "fail" or "no-evidence". */
const char *knhk_bench_verdict_name(knhk_bench_verdict verdict);

/** Runs the benchmark into report (calibrates the clock, builds the input pool, times every
 *  requested op in every call mode). @return 0, or 3 on an internal error with a message in err. */
int knhk_bench_run(const knhk_bench_params_t *params, knhk_bench_report_t *report, char *err,
                   size_t err_size);

/** Writes report as tick-bench JSON: finite numbers only (a non-finite one is written as 0). */
void knhk_bench_write_json(FILE *out, const knhk_bench_report_t *report);

/** Writes report as a human-readable table. */
void knhk_bench_write_table(FILE *out, const knhk_bench_report_t *report);

#endif /* KNHK_BENCH_H */
