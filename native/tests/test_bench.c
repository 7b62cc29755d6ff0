/* test_bench.c: the bench's statistics and budget verdict (every no-evidence rule, W1 skipped), a
 * JSON writer that never prints NaN and keeps *_ticks = *_ns / 0.25 exact, and proof that the gate
 * can be red: a deliberately slow kernel measured over budget, an empty one as no evidence. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "knhk_impl.h"
#include "test_main.h"

#define EPS 1e-9

void test_bench_stats_nearest_rank(void) {
  double v[100];
  for (int i = 0; i < 100; i++) v[i] = (double)(100 - i); /* 100..1, unsorted on purpose */
  knhk_bench_stats_t st;
  knhk_bench_stats(v, 100, &st);
  CHECK_EQ_U64(st.n, 100, "case=%s n", "1..100");
  CHECK(fabs(st.mean - 50.5) < EPS, "mean=%g want 50.5", st.mean);
  /* sample stddev of 1..100 = sqrt(100 * 101 / 12) = 29.0114919 */
  CHECK(fabs(st.stddev - 29.011491975882016) < 1e-9, "stddev=%.12g", st.stddev);
  CHECK(st.min == 1 && st.max == 100, "min=%g max=%g", st.min, st.max);
  CHECK(st.p5 == 5 && st.p50 == 50 && st.p95 == 95 && st.p99 == 99, "p5=%g p50=%g p95=%g p99=%g", st.p5,
        st.p50, st.p95, st.p99);

  /* 1000 values: p95 is rank 950 exactly (0.95 * 1000 in floating point is 950.0000000000001). */
  double *w = malloc(1000 * sizeof *w);
  if (w == NULL) return;
  for (int i = 0; i < 1000; i++) w[i] = (double)(i + 1);
  knhk_bench_stats(w, 1000, &st);
  CHECK(st.p95 == 950 && st.p5 == 50 && st.p99 == 990 && st.p50 == 500, "n=1000 p5=%g p50=%g p95=%g p99=%g",
        st.p5, st.p50, st.p95, st.p99);
  free(w);

  double three[3] = {3, 1, 2}; /* nearest rank of 3 values: p5 -> 1st, p50 -> 2nd, p95 -> 3rd */
  knhk_bench_stats(three, 3, &st);
  CHECK(st.p5 == 1 && st.p50 == 2 && st.p95 == 3 && st.p99 == 3, "n=3 p5=%g p50=%g p95=%g p99=%g", st.p5,
        st.p50, st.p95, st.p99);
}

void test_bench_stats_empty_and_single(void) {
  knhk_bench_stats_t st;
  knhk_bench_stats(NULL, 0, &st);
  CHECK(st.n == 0 && st.mean == 0 && st.p95 == 0 && st.stddev == 0, "empty: n=%zu mean=%g p95=%g", st.n,
        st.mean, st.p95);
  double one[1] = {4.5};
  knhk_bench_stats(one, 1, &st);
  CHECK(st.n == 1 && st.mean == 4.5 && st.stddev == 0 && st.p5 == 4.5 && st.p99 == 4.5,
        "single: n=%zu mean=%g stddev=%g", st.n, st.mean, st.stddev);
}

static knhk_bench_stats_t stats_with_p95(double p95_ns) {
  knhk_bench_stats_t st = {1000, p95_ns, 0.1, p95_ns, p95_ns, p95_ns, p95_ns, p95_ns, p95_ns};
  return st;
}

void test_bench_classify_no_samples_is_no_evidence(void) {
  knhk_bench_stats_t st = {0};
  char reason[160];
  knhk_bench_verdict v = knhk_bench_classify(&st, 1e6, 0.4, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "no-evidence", "n=0 verdict");
  CHECK(strstr(reason, "no samples") != NULL, "reason=\"%s\"", reason);
}

void test_bench_classify_short_sample_is_no_evidence(void) {
  knhk_bench_stats_t st = stats_with_p95(1.0); /* would pass on its figure alone */
  char reason[160];
  /* resolution 0.5 ns: samples must span 500 ns; 499.9 is short, 500 is enough. */
  knhk_bench_verdict v = knhk_bench_classify(&st, 499.9, 0.5, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "no-evidence", "min_sample 499.9 ns, res 0.5 ns");
  CHECK(strstr(reason, "1000 x resolution") != NULL, "reason=\"%s\"", reason);
  v = knhk_bench_classify(&st, 500.0, 0.5, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "pass", "min_sample 500 ns, res 0.5 ns");
  v = knhk_bench_classify(&st, NAN, 0.5, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "no-evidence", "min_sample NaN");
  v = knhk_bench_classify(&st, 1e6, 0.0, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "no-evidence", "resolution 0");
}

void test_bench_classify_zero_p95_is_no_evidence(void) {
  knhk_bench_stats_t st = stats_with_p95(0.0);
  char reason[160];
  knhk_bench_verdict v = knhk_bench_classify(&st, 1e6, 0.4, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "no-evidence", "p95 0 ns");
  CHECK(strstr(reason, "p95") != NULL, "reason=\"%s\"", reason);
  st = stats_with_p95(NAN);
  v = knhk_bench_classify(&st, 1e6, 0.4, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "no-evidence", "p95 NaN");
}

void test_bench_classify_budget_boundary(void) {
  char reason[160];
  knhk_bench_stats_t st = stats_with_p95(2.0); /* exactly 8 ticks: within budget */
  knhk_bench_verdict v = knhk_bench_classify(&st, 1e6, 0.4, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "pass", "p95 2.0 ns = 8 ticks");
  CHECK_EQ_STR(reason, "p95 8.00 ticks <= 8", "reason at 8 ticks");
  st = stats_with_p95(2.0025); /* 8.01 ticks */
  v = knhk_bench_classify(&st, 1e6, 0.4, 1, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "fail", "p95 2.0025 ns = 8.01 ticks");
  CHECK_EQ_STR(reason, "p95 8.01 ticks > 8", "reason at 8.01 ticks");
  st = stats_with_p95(0.775);
  v = knhk_bench_classify(&st, 1e6, 0.4, 1, reason, sizeof reason);
  CHECK_EQ_STR(reason, "p95 3.10 ticks <= 8", "reason at 3.10 ticks");
}

void test_bench_json_never_writes_nan(void) {
  knhk_bench_report_t *r = calloc(1, sizeof *r);
  if (r == NULL) return;
  r->clock = (knhk_clock_t){"rdtsc-lfence", "CLOCK_MONOTONIC", 2.3e9, 1 / 2.3, NAN, 50, 0};
  r->variant = "avx512";
  snprintf(r->generated_at, sizeof r->generated_at, "2026-12-04T16:00:00Z");
  snprintf(r->cpu_model, sizeof r->cpu_model, "Test \"CPU\"\\1");
  snprintf(r->cpu_features, sizeof r->cpu_features, "sse2 avx2");
  r->entry_count = 1;
  knhk_bench_entry_t *e = &r->entries[0];
  e->op = "ASK_SP";
  e->tier = "R1";
  e->variant = "portable";
  e->call_mode = "api";
  e->calls_per_sample = 1024;
  e->samples = 1000;
  e->ns = (knhk_bench_stats_t){1000, NAN, INFINITY, -INFINITY, 1, 2, 3, 4, 5};
  snprintf(e->reason, sizeof e->reason, "p95 12.00 ticks > 8");
  e->results_checksum = 0xabc;
  char buf[8192] = "";
  FILE *f = tmpfile();
  if (f == NULL) {
    free(r);
    test_fail(__FILE__, __LINE__, "tmpfile failed");
    return;
  }
  knhk_bench_write_json(f, r);
  rewind(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  CHECK(n > 0 && strstr(buf, "\"schema\": \"knhk.tick-bench/v1\"") != NULL, "schema key missing:\n%s", buf);
  CHECK(strstr(buf, "nan") == NULL && strstr(buf, "inf") == NULL && strstr(buf, "NaN") == NULL,
        "non-finite number written:\n%s", buf);
  CHECK(strstr(buf, "\"mean_ns\": 0,") != NULL, "NaN mean not written as 0");
  CHECK(strstr(buf, "\"p95_ticks\": 12,") != NULL, "p95_ticks not p95_ns / 0.25");
  CHECK(strstr(buf, "\"commit_sha\": null") != NULL, "commit_sha not null when unknown");
  CHECK(strstr(buf, "\"results_checksum\": \"0000000000000abc\"") != NULL, "checksum not 16 hex digits");
  CHECK(strstr(buf, "\"model\": \"Test \\\"CPU\\\"\\\\1\"") != NULL, "cpu model not escaped");
  free(r);
}

void test_bench_classify_w1_is_skipped_only_with_evidence(void) {
  char reason[160];
  knhk_bench_stats_t st = stats_with_p95(40.0); /* far over budget: W1 is still not judged */
  knhk_bench_verdict v = knhk_bench_classify(&st, 1e6, 0.4, 0, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "skipped", "W1 with evidence");
  CHECK_EQ_STR(reason, "W1 (warm) operation: the R1 budget does not apply", "W1 reason");
  v = knhk_bench_classify(&st, 100.0, 0.4, 0, reason, sizeof reason); /* sample too short: rules come first */
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "no-evidence", "W1 with a short sample");
  st = stats_with_p95(0.0);
  v = knhk_bench_classify(&st, 1e6, 0.4, 0, reason, sizeof reason);
  CHECK_EQ_STR(knhk_bench_verdict_name(v), "no-evidence", "W1 with p95 0");
}

/* ~100 ns of dependent work per call: 120 multiply-adds in a chain, each waiting for the last. */
static uint64_t sample_slow(void *ctx, const knhk_clock_t *clk, uint32_t start, uint32_t calls, uint64_t *sum) {
  uint64_t x = (uint64_t)(uintptr_t)ctx + start;
  uint64_t t0 = knhk_clock_start();
  for (uint32_t c = 0; c < calls; c++)
    for (int i = 0; i < 120; i++) x = x * 0x9e3779b97f4a7c15ull + (uint64_t)i;
  uint64_t t1 = knhk_clock_stop(clk);
  *sum = x;
  return t1 - t0;
}

/* A kernel that does nothing at all: whatever calls it is asked for, it times none of them. */
static uint64_t sample_nothing(void *ctx, const knhk_clock_t *clk, uint32_t start, uint32_t calls, uint64_t *sum) {
  (void)ctx;
  (void)start;
  (void)calls;
  uint64_t t0 = knhk_clock_start();
  uint64_t t1 = knhk_clock_stop(clk);
  *sum = 0;
  return t1 - t0;
}

/* The real, calibrated clock and an R1 portable inline entry of ASK_SP for one measured kernel;
 * 0 (after reporting the failure) when the clock cannot be calibrated. */
static int real_clock_entry(knhk_clock_t *clk, knhk_bench_entry_t *e) {
  if (knhk_clock_calibrate(clk, 20.0) != KNHK_OK) {
    test_fail(__FILE__, __LINE__, "clock calibration failed");
    return 0;
  }
  memset(e, 0, sizeof *e);
  e->op = "ASK_SP";
  e->tier = "R1";
  e->variant = "portable";
  e->call_mode = "inline";
  return 1;
}

void test_bench_slow_kernel_is_over_budget(void) {
  knhk_clock_t clk;
  knhk_bench_entry_t e;
  if (!real_clock_entry(&clk, &e)) return;
  double scratch[KNHK_BENCH_MIN_SAMPLES];
  knhk_bench_measure(&clk, sample_slow, (void *)1, 1, KNHK_BENCH_MIN_SAMPLES, 50, &e, scratch);
  CHECK_EQ_STR(knhk_bench_verdict_name(e.verdict), "fail", "slow kernel verdict");
  CHECK(e.ns.p50 > 20.0 && e.ns.p95 / KNHK_TICK_NS > KNHK_BUDGET_TICKS, "slow kernel measured p50 %.2f ns, p95 %.2f ticks",
        e.ns.p50, e.ns.p95 / KNHK_TICK_NS);
  CHECK(e.min_sample_ns >= KNHK_BENCH_MIN_SAMPLE_RESOLUTIONS * clk.resolution_ns, "slow kernel samples too short: %g ns",
        e.min_sample_ns);
  CHECK_EQ_U64(e.ns.n, KNHK_BENCH_MIN_SAMPLES, "case=%s n", "slow kernel");
  /* The same figures as a W1 op are shown, but skipped, never a failure of the R1 budget. */
  e.tier = "W1";
  knhk_bench_measure(&clk, sample_slow, (void *)1, 1, KNHK_BENCH_MIN_SAMPLES, 50, &e, scratch);
  CHECK_EQ_STR(knhk_bench_verdict_name(e.verdict), "skipped", "slow W1 kernel verdict");
}

void test_bench_zero_or_missing_figure_is_no_evidence(void) {
  knhk_clock_t clk;
  knhk_bench_entry_t e;
  if (!real_clock_entry(&clk, &e)) return;
  double scratch[KNHK_BENCH_MIN_SAMPLES];
  knhk_bench_measure(&clk, sample_nothing, NULL, 1, KNHK_BENCH_MIN_SAMPLES, 10, &e, scratch);
  CHECK_EQ_STR(knhk_bench_verdict_name(e.verdict), "no-evidence", "empty kernel verdict");
  CHECK(strstr(e.reason, "shortest sample") != NULL || strstr(e.reason, "p95") != NULL, "empty kernel reason: %s",
        e.reason);
  /* A missing figure: no samples at all. */
  knhk_bench_stats_t none = {0};
  char reason[160];
  CHECK_EQ_STR(knhk_bench_verdict_name(knhk_bench_classify(&none, 0.0, clk.resolution_ns, 1, reason, sizeof reason)),
               "no-evidence", "no samples");
}

/* Reads the number after "key": in text. */
static double json_field(const char *text, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\": ", key);
  const char *p = strstr(text, pattern);
  return p ? strtod(p + strlen(pattern), NULL) : NAN;
}

void test_bench_json_ticks_are_exactly_ns_over_quarter(void) {
  knhk_bench_report_t *r = calloc(1, sizeof *r);
  if (r == NULL) return;
  r->clock = (knhk_clock_t){"rdtsc-lfence/rdtscp", "CLOCK_MONOTONIC", 2596212345.0, 1e9 / 2596212345.0, 20.1, 50, 1};
  r->variant = "avx512";
  snprintf(r->generated_at, sizeof r->generated_at, "2026-12-04T16:00:00Z");
  r->entry_count = 1;
  knhk_bench_entry_t *e = &r->entries[0];
  e->op = "COUNT_SP_GE";
  e->tier = "R1";
  e->variant = "avx512";
  e->call_mode = "batch";
  e->calls_per_sample = 1024;
  e->samples = 1000;
  e->ns = (knhk_bench_stats_t){1000, 1.2345678901234567, 0.0123456789, 1.1111111111111112, 1.1333333333333333,
                               1.2345678901234567, 1.3999999999999999, 1.6180339887498949, 9.8765432109876543};
  e->min_sample_ns = 1234.5678901234567;
  snprintf(e->reason, sizeof e->reason, "p95 5.60 ticks <= 8");
  char buf[8192] = "";
  FILE *f = tmpfile();
  if (f == NULL) {
    free(r);
    return;
  }
  knhk_bench_write_json(f, r);
  rewind(f);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  const char *stats[] = {"mean", "stddev", "min", "p5", "p50", "p95", "p99", "max"};
  for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++) {
    char kn[32], kt[32];
    snprintf(kn, sizeof kn, "%s_ns", stats[i]);
    snprintf(kt, sizeof kt, "%s_ticks", stats[i]);
    double ns = json_field(buf, kn), ticks = json_field(buf, kt);
    CHECK(ticks == ns / 0.25, "%s: ticks %.17g != ns %.17g / 0.25", stats[i], ticks, ns);
  }
  CHECK(json_field(buf, "min_sample_ns") == e->min_sample_ns, "min_sample_ns not written exactly");
  CHECK(strstr(buf, "\"variant\": \"avx512\"") != NULL, "top-level variant missing:\n%s", buf);
  CHECK(strstr(buf, "\"call_mode\": \"batch\", \"min_sample_resolutions\"") != NULL, "budget call mode not batch:\n%s",
        buf);
  free(r);
}

/* ---- interleaved sampling (knhk_bench_measure_interleaved) -------------------------------------
 * Synthetic kernels: they time nothing, they return counts (1 count = 1 ns on the clock below), so
 * the statistics are exact. Every call is logged, and a "slow spell" of the machine is simulated
 * by a window of the global call sequence in which every sample takes twice as long. */

#define FAKE_MAX_CALLS 65536
static struct {
  uint32_t log[FAKE_MAX_CALLS]; /* kernel id of each sample call, in call order */
  uint32_t calls;
  uint32_t spell_from, spell_to; /* calls in [from, to) are slow */
  uint64_t per_call[16];         /* ns per call of kernel id; 0 means 100 */
  uint64_t spell_factor;         /* how much slower a call in the spell is; 0 means 2 */
  uint32_t self_slow_id;         /* this kernel is 3x slower on half of its inputs, whatever the machine */
  uint32_t probe_calls;          /* calls of the probe (id FAKE_PROBE) so far */
  uint32_t probe_quiet_every;    /* when set: only every n-th probe call is quiet, the others 3x slower */
} fake;

#define FAKE_PROBE 9u

static uint64_t sample_fake(void *ctx, const knhk_clock_t *clk, uint32_t start, uint32_t calls, uint64_t *sum) {
  (void)clk;
  uint32_t id = (uint32_t)(uintptr_t)ctx;
  uint32_t c = fake.calls++;
  if (c < FAKE_MAX_CALLS) fake.log[c] = id;
  *sum = start ^ id;
  uint64_t per_call = fake.per_call[id] ? fake.per_call[id] : 100; /* ns per call */
  if (c >= fake.spell_from && c < fake.spell_to) per_call *= fake.spell_factor ? fake.spell_factor : 2;
  if (id == fake.self_slow_id && start % 10 >= 5) per_call *= 3;
  if (id == FAKE_PROBE && fake.probe_quiet_every && fake.probe_calls++ % fake.probe_quiet_every != 0) per_call *= 3;
  return per_call * calls;
}

/* 1 GHz, 0.001 ns resolution (a sample must span 1 ns x margin: one call of 100 ns does), no
 * read overhead: a sample of n calls is exactly per_call x n ns. */
static const knhk_clock_t FAKE_CLOCK = {"fake", "none", 1e9, 0.001, 0.0, 0.0, 0};

static void fake_jobs(knhk_bench_job_t *jobs, knhk_bench_entry_t *entries, size_t count) {
  static const char *const OPS[] = {"ASK_SP", "ASK_SPO", "ASK_OP"};
  for (size_t i = 0; i < count; i++) {
    memset(&entries[i], 0, sizeof entries[i]);
    entries[i].op = OPS[i % 3];
    entries[i].tier = "R1";
    entries[i].variant = "portable";
    entries[i].call_mode = "batch";
    jobs[i] = (knhk_bench_job_t){sample_fake, (void *)(uintptr_t)(i + 1), 8, &entries[i], 0, 0, 0, 0};
  }
}

void test_bench_interleaved_rounds_take_one_sample_of_each(void) {
  enum { COUNT = 3, SAMPLES = 1000, WARMUP = 5 };
  knhk_bench_job_t jobs[COUNT];
  knhk_bench_entry_t entries[COUNT];
  double *values = malloc(COUNT * SAMPLES * sizeof *values);
  if (values == NULL) return;
  memset(&fake, 0, sizeof fake);
  fake.spell_from = fake.spell_to = UINT32_MAX;
  fake_jobs(jobs, entries, COUNT);
  knhk_bench_measure_interleaved(&FAKE_CLOCK, jobs, COUNT, SAMPLES, WARMUP, values, NULL);
  /* Before the rounds: each kernel's calibration (16 trial samples) and warm-up, one after the other. */
  const uint32_t per_round = COUNT * (1 + KNHK_BENCH_PRIME_SAMPLES);
  const uint32_t setup = COUNT * (16 + WARMUP);
  CHECK_EQ_U64(fake.calls, setup + SAMPLES * per_round, "case=%s sample calls", "3 kernels");
  uint32_t bad = 0;
  for (uint32_t r = 0; r < SAMPLES && bad == 0; r++)
    for (uint32_t i = 0; i < COUNT; i++)
      for (uint32_t p = 0; p <= KNHK_BENCH_PRIME_SAMPLES; p++) {
        uint32_t c = setup + r * per_round + i * (1 + KNHK_BENCH_PRIME_SAMPLES) + p;
        if (fake.log[c] != i + 1 && bad == 0) {
          bad = 1;
          test_fail(__FILE__, __LINE__, "round %u: call %u is kernel %u, expected kernel %u", r, c, fake.log[c], i + 1);
        }
      }
  for (uint32_t i = 0; i < COUNT; i++) {
    CHECK_EQ_U64(entries[i].ns.n, SAMPLES, "case=kernel %u n", i);
    CHECK_EQ_U64(entries[i].calls_per_sample, 8, "case=kernel %u calls per sample (1 call x 8 ops)", i);
    CHECK(entries[i].ns.p50 == 12.5 && entries[i].ns.p95 == 12.5, "kernel %u: p50 %g p95 %g, want 100 ns / 8 = 12.5",
          i, entries[i].ns.p50, entries[i].ns.p95);
  }
  CHECK(entries[0].results_checksum != entries[1].results_checksum, "checksums of two entries equal");
  free(values);
}

void test_bench_interleaved_slow_spell_lands_on_every_entry(void) {
  enum { COUNT = 3, SAMPLES = 1000, WARMUP = 5 };
  knhk_bench_job_t jobs[COUNT];
  knhk_bench_entry_t entries[COUNT];
  double *values = malloc(COUNT * SAMPLES * sizeof *values);
  if (values == NULL) return;
  memset(&fake, 0, sizeof fake);
  /* A slow spell over 10% of the timed rounds (rounds 300..399): in one contiguous window per entry
   * it would have hit only the entry timed then (entry 0 here: 3 x 10% = 30% of its samples, and
   * none of the others'); taken in rounds, it hits 10% of every entry's samples. */
  const uint32_t per_round = COUNT * (1 + KNHK_BENCH_PRIME_SAMPLES);
  const uint32_t setup = COUNT * (16 + WARMUP);
  fake.spell_from = setup + 300 * per_round;
  fake.spell_to = setup + 400 * per_round;
  fake_jobs(jobs, entries, COUNT);
  knhk_bench_measure_interleaved(&FAKE_CLOCK, jobs, COUNT, SAMPLES, WARMUP, values, NULL);
  for (uint32_t i = 0; i < COUNT; i++) {
    const knhk_bench_stats_t *st = &entries[i].ns;
    CHECK(st->p50 == 12.5 && st->p95 == 25.0 && st->max == 25.0 && st->min == 12.5,
          "kernel %u: p50 %g p95 %g (want 12.5 and 25: the spell covers 10%% of every entry)", i, st->p50, st->p95);
    CHECK(fabs(st->mean - (0.9 * 12.5 + 0.1 * 25.0)) < 1e-9, "kernel %u: mean %g", i, st->mean);
    CHECK_EQ_STR(knhk_bench_verdict_name(entries[i].verdict), "fail", "12.5 ns is over budget");
  }
  free(values);
}

/* ---- interference control (the probe) ----------------------------------------------------------
 * The kernels below cost 8 ns a call of 8 ops (1 ns = 4 ticks per op, within budget) unless said
 * otherwise; the probe costs 8 ns a call. */

/* The jobs, entries, probe and figures of one probe test: count fake kernels of kernel_ns a call,
 * the fake probe at 8 ns a call, no spell. values is NULL when it could not be allocated. */
enum { PROBE_MAX_KERNELS = 3, PROBE_SAMPLES = 1000, PROBE_WARMUP = 5 };
typedef struct {
  knhk_bench_job_t jobs[PROBE_MAX_KERNELS];
  knhk_bench_entry_t entries[PROBE_MAX_KERNELS];
  knhk_bench_probe_t probe;
  double *values;
  size_t count;
} probe_case_t;

static void probe_case_setup(probe_case_t *c, size_t count, uint64_t kernel_ns) {
  memset(&fake, 0, sizeof fake);
  fake.spell_from = fake.spell_to = UINT32_MAX;
  c->count = count;
  fake_jobs(c->jobs, c->entries, count);
  for (size_t i = 0; i < count; i++) fake.per_call[i + 1] = kernel_ns;
  fake.per_call[FAKE_PROBE] = 8;
  memset(&c->probe, 0, sizeof c->probe);
  c->probe.fn = sample_fake;
  c->probe.ctx = (void *)(uintptr_t)FAKE_PROBE;
  c->probe.ops_per_call = 8;
  c->values = malloc(count * PROBE_SAMPLES * KNHK_BENCH_MAX_ROUNDS_FACTOR * sizeof *c->values);
}

static void probe_case_run(probe_case_t *c) {
  knhk_bench_measure_interleaved(&FAKE_CLOCK, c->jobs, c->count, PROBE_SAMPLES, PROBE_WARMUP, c->values, &c->probe);
  free(c->values);
  c->values = NULL;
}

void test_bench_probe_drops_the_samples_of_a_slow_spell(void) {
  enum { COUNT = 3, SAMPLES = PROBE_SAMPLES };
  probe_case_t c;
  probe_case_setup(&c, COUNT, 8);
  if (c.values == NULL) return;
  /* a 3x slow spell over rounds 300..399 (3 kernels x (priming + sample + probe) = 9 calls a round,
   * after the probe's 16 trials and warm-up, the kernels' trials and warm-ups and the first probe) */
  const uint32_t setup = 16 + PROBE_WARMUP + COUNT * (16 + PROBE_WARMUP) + 1;
  fake.spell_from = setup + 300 * 9;
  fake.spell_to = setup + 400 * 9;
  fake.spell_factor = 3;
  probe_case_run(&c);
  CHECK(c.probe.quiet_ns == 1.0, "probe quiet level %g, want 1 ns per op", c.probe.quiet_ns);
  CHECK(c.probe.rounds > SAMPLES && c.probe.rounds <= SAMPLES + 200, "rounds %u: want enough to keep %u samples",
        c.probe.rounds, (unsigned)SAMPLES);
  for (uint32_t i = 0; i < COUNT; i++) {
    const knhk_bench_entry_t *e = &c.entries[i];
    CHECK(e->ns.n >= SAMPLES && e->samples == c.probe.rounds && e->all.n == c.probe.rounds,
          "kernel %u: kept %zu of %u timed (all %zu)", i, e->ns.n, e->samples, e->all.n);
    /* the spell's 100 rounds; kernel 0's sample of round 400 too, whose probe before is the last
     * probe of the spell */
    CHECK_EQ_U64(e->all.n - e->ns.n, i == 0 ? 101 : 100, "case=kernel %u samples dropped", i);
    CHECK(e->ns.p95 == 1.0 && e->ns.max == 1.0, "kernel %u: kept p95 %g max %g, want 1 ns", i, e->ns.p95, e->ns.max);
    /* every sample: the spell is > 5% of the rounds, so p95 is its 3 ns (12 ticks, over budget) */
    CHECK(e->all.p95 == 3.0 && e->all.max == 3.0, "kernel %u: all p95 %g max %g, want 3 ns", i, e->all.p95,
          e->all.max);
    CHECK_EQ_STR(knhk_bench_verdict_name(e->verdict), "pass", "4 ticks per op, spell dropped");
  }
}

void test_bench_probe_never_hides_a_slow_kernel(void) {
  probe_case_t c;
  /* kernel 1: 100 ns a call (12.5 ns = 50 ticks per op) on a quiet machine: every sample kept, fail */
  probe_case_setup(&c, 2, 100);
  if (c.values == NULL) return;
  /* kernel 2: 8 ns a call, but 3x slower on half of its own inputs: the probe is quiet throughout, so
   * its slow samples are kept and judged (the probe decides, never the kernel's own figure) */
  fake.per_call[2] = 8;
  fake.self_slow_id = 2;
  probe_case_run(&c);
  CHECK(c.entries[0].ns.n == PROBE_SAMPLES && c.entries[0].ns.p50 == 12.5, "slow kernel: n %zu p50 %g",
        c.entries[0].ns.n, c.entries[0].ns.p50);
  CHECK_EQ_STR(knhk_bench_verdict_name(c.entries[0].verdict), "fail", "a slow kernel on a quiet machine");
  CHECK(c.entries[1].ns.n == PROBE_SAMPLES && c.entries[1].ns.p95 == 3.0,
        "self-slow kernel: n %zu p95 %g, want every sample and 3 ns", c.entries[1].ns.n, c.entries[1].ns.p95);
  CHECK_EQ_STR(knhk_bench_verdict_name(c.entries[1].verdict), "fail", "slow on its own inputs");
}

void test_bench_probe_busy_machine_is_no_evidence(void) {
  probe_case_t c;
  probe_case_setup(&c, 2, 8);
  if (c.values == NULL) return;
  /* only every 10th probe is quiet, so no sample ever has a quiet probe on both sides */
  fake.probe_quiet_every = 10;
  probe_case_run(&c);
  CHECK_EQ_U64(c.probe.rounds, PROBE_SAMPLES * KNHK_BENCH_MAX_ROUNDS_FACTOR, "case=%s rounds", "busy machine");
  for (uint32_t i = 0; i < 2; i++) {
    CHECK_EQ_STR(knhk_bench_verdict_name(c.entries[i].verdict), "no-evidence", "never quiet");
    char want[64];
    snprintf(want, sizeof want, "only 0 of %u samples", PROBE_SAMPLES * KNHK_BENCH_MAX_ROUNDS_FACTOR);
    CHECK(strstr(c.entries[i].reason, want) != NULL, "reason=\"%s\", want \"%s\"", c.entries[i].reason, want);
  }
}
