/* bench.c: the tick benchmark's method: calls per sample, warm-up, timed samples, statistics, the
 * budget verdict, and the tick-bench report. The kernels it times are in bench/ops.c. Method and
 * reading guide: bench/README.md. */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "knhk_impl.h"

#ifndef KNHK_BUILD_FLAGS
#define KNHK_BUILD_FLAGS "unknown"
#endif

/* ---- statistics and verdict (pure) ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least pct% of the values at or below it. Integer
 * arithmetic, so 95% of 1000 is rank 950 exactly (0.95 * 1000 in floating point is not). */
static double nearest_rank(const double *sorted, size_t n, unsigned pct) {
  size_t rank = (pct * n + 99) / 100;
  if (rank == 0) rank = 1;
  return sorted[rank - 1];
}

void knhk_bench_stats(double *values, size_t n, knhk_bench_stats_t *out) {
  memset(out, 0, sizeof *out);
  if (n == 0) return;
  qsort(values, n, sizeof *values, cmp_double);
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += values[i];
  double mean = sum / (double)n;
  double sq = 0;
  for (size_t i = 0; i < n; i++) sq += (values[i] - mean) * (values[i] - mean);
  out->n = n;
  out->mean = mean;
  out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0.0;
  out->min = values[0];
  out->p5 = nearest_rank(values, n, 5);
  out->p50 = nearest_rank(values, n, 50);
  out->p95 = nearest_rank(values, n, 95);
  out->p99 = nearest_rank(values, n, 99);
  out->max = values[n - 1];
}

knhk_bench_verdict knhk_bench_classify(const knhk_bench_stats_t *ns, double min_sample_ns, double resolution_ns,
                                       int hot, char *reason, size_t reason_size) {
  double min_span_ns = KNHK_BENCH_MIN_SAMPLE_RESOLUTIONS * resolution_ns;
  if (ns->n == 0) {
    snprintf(reason, reason_size, "no samples");
    return KNHK_BENCH_NO_EVIDENCE;
  }
  if (!(resolution_ns > 0)) {
    snprintf(reason, reason_size, "clock resolution unknown (%g ns)", resolution_ns);
    return KNHK_BENCH_NO_EVIDENCE;
  }
  /* Written as !(a >= b) so a NaN shortest sample is no evidence, not a pass. */
  if (!(min_sample_ns >= min_span_ns)) {
    snprintf(reason, reason_size, "shortest sample %.1f ns < 1000 x resolution %.4f ns = %.1f ns",
             min_sample_ns, resolution_ns, min_span_ns);
    return KNHK_BENCH_NO_EVIDENCE;
  }
  if (!(ns->p95 > 0)) {
    snprintf(reason, reason_size, "p95 per call is %g ns: the calls were not measured", ns->p95);
    return KNHK_BENCH_NO_EVIDENCE;
  }
  if (!hot) {
    snprintf(reason, reason_size, "W1 (warm) operation: the R1 budget does not apply");
    return KNHK_BENCH_SKIPPED;
  }
  double p95_ticks = ns->p95 / KNHK_TICK_NS;
  if (p95_ticks <= KNHK_BUDGET_TICKS) {
    snprintf(reason, reason_size, "p95 %.2f ticks <= %d", p95_ticks, KNHK_BUDGET_TICKS);
    return KNHK_BENCH_PASS;
  }
  snprintf(reason, reason_size, "p95 %.2f ticks > %d", p95_ticks, KNHK_BUDGET_TICKS);
  return KNHK_BENCH_FAIL;
}

const char *knhk_bench_verdict_name(knhk_bench_verdict verdict) {
  switch (verdict) {
    case KNHK_BENCH_PASS: return "pass";
    case KNHK_BENCH_FAIL: return "fail";
    case KNHK_BENCH_SKIPPED: return "skipped";
    default: return "no-evidence";
  }
}

/* ---- the method ------------------------------------------------------------------------------- */

static double net_sample_ns(const knhk_clock_t *clk, uint64_t counts) {
  return knhk_clock_ns(clk, counts) - clk->read_overhead_ns;
}

/* Doubles the calls per sample until the shortest of 16 trial samples spans target_ns. A kernel
 * that takes no time never gets there: it stops at 2^24 calls and its samples are then judged,
 * honestly, as no evidence. */
static uint32_t choose_calls(const knhk_clock_t *clk, knhk_bench_sample_fn fn, void *ctx, double target_ns) {
  uint32_t calls = 1;
  for (; calls < (1u << 24); calls <<= 1) {
    double shortest = INFINITY;
    for (uint32_t t = 0; t < 16; t++) {
      uint64_t sum;
      double ns = net_sample_ns(clk, fn(ctx, clk, t * calls, calls, &sum));
      if (ns < shortest) shortest = ns;
    }
    if (shortest >= target_ns) break;
  }
  return calls;
}

static void fnv_mix(uint64_t *h, uint64_t v) {
  *h = (*h ^ v) * 0x100000001b3u; /* FNV-1a 64-bit prime */
}

/* The entry's identity seeds its checksum: entries with the same result stream (api and inline)
 * then have different checksums and do not cancel out in the report's xor. */
static uint64_t checksum_seed(const knhk_bench_entry_t *e) {
  uint64_t checksum = 0xcbf29ce484222325u; /* FNV-1a 64-bit offset basis */
  char identity[96];
  snprintf(identity, sizeof identity, "%s %s %s", e->op, e->variant, e->call_mode);
  for (const char *c = identity; *c; c++) fnv_mix(&checksum, (unsigned char)*c);
  return checksum;
}

/* One run of job j (a timed sample, or a priming run of fewer calls): inputs continue where its
 * last run stopped, its sum joins the checksum (timed or not); returns the counts elapsed. */
static uint64_t run_calls(const knhk_clock_t *clk, knhk_bench_job_t *j, uint32_t calls) {
  uint64_t sum;
  uint64_t counts = j->fn(j->ctx, clk, j->start, calls, &sum);
  j->start += calls;
  fnv_mix(&j->checksum, sum);
  return counts;
}

/* Per-op ns of a sample of calls x ops_per_call operations; a sample at or below the read overhead
 * says nothing about the calls: 0, which the classification turns into no-evidence at p95. */
static double per_op_ns(const knhk_clock_t *clk, uint64_t counts, uint32_t calls, uint32_t ops_per_call) {
  double ns = net_sample_ns(clk, counts);
  return ns > 0 ? ns / ((double)calls * ops_per_call) : 0.0;
}

/* The quiet level of the probe: the 5th percentile (nearest rank) of its figures so far, not the
 * minimum, which one lucky probe would set low enough to refuse every sample. A copy is partially
 * sorted (quickselect), since the figures stay in time order. */
static double probe_quiet_level(const double *probes, size_t n, double *scratch) {
  if (n == 0) return INFINITY;
  memcpy(scratch, probes, n * sizeof *scratch);
  /* Wirth's selection of the k-th smallest (signed indices: j runs below l) */
  const ptrdiff_t k = (ptrdiff_t)((5 * n + 99) / 100) - 1 > 0 ? (ptrdiff_t)((5 * n + 99) / 100) - 1 : 0;
  ptrdiff_t l = 0, m = (ptrdiff_t)n - 1;
  while (l < m) {
    const double x = scratch[k];
    ptrdiff_t i = l, j = m;
    do {
      while (scratch[i] < x) i++;
      while (x < scratch[j]) j--;
      if (i <= j) {
        double t = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) m = j;
  }
  return scratch[k];
}

/* Kept: the probes on both sides of the sample (probe[t - 1] before, probe[t] after) within the
 * threshold of the probe's quiet level. */
static int sample_kept(const double *probe, size_t t, double limit) {
  return probe[t] <= limit && probe[t + 1] <= limit;
}

/* Samples of entry i kept in rounds [0, rounds) under limit. probes holds one figure before the
 * first round, then one after each sample: sample (r, i) sits between probes[r * count + i] and
 * probes[r * count + i + 1]. */
static uint32_t kept_count(const double *probes, size_t count, size_t i, uint32_t rounds, double limit) {
  uint32_t kept = 0;
  for (uint32_t r = 0; r < rounds; r++) kept += (uint32_t)sample_kept(probes, (size_t)r * count + i, limit);
  return kept;
}

void knhk_bench_measure_interleaved(const knhk_clock_t *clk, knhk_bench_job_t *jobs, size_t count,
                                    uint32_t samples, uint32_t warmup_samples, double *values,
                                    knhk_bench_probe_t *probe) {
  const double span_ns = KNHK_BENCH_SPAN_MARGIN * KNHK_BENCH_MIN_SAMPLE_RESOLUTIONS * clk->resolution_ns;
  const uint32_t max_rounds = probe != NULL ? samples * KNHK_BENCH_MAX_ROUNDS_FACTOR : samples;
  double *probes = NULL, *scratch = NULL;
  knhk_bench_job_t probe_job = {0};
  if (probe != NULL) {
    probe->quiet_ns = 0.0;
    probe->rounds = 0; /* stays 0 when the probe did not run */
    probes = malloc(((size_t)max_rounds * count + 1) * sizeof *probes);
    scratch = malloc(((size_t)max_rounds * count + 1) * sizeof *scratch);
    if (probes == NULL || scratch == NULL) probe = NULL; /* no room: every sample kept, as without a probe */
  }
  if (probe != NULL) {
    probe_job = (knhk_bench_job_t){probe->fn, probe->ctx, probe->ops_per_call, NULL, 0, 0, 0, 0};
    probe->calls = choose_calls(clk, probe->fn, probe->ctx,
                                KNHK_BENCH_SPAN_MARGIN * KNHK_BENCH_PROBE_RESOLUTIONS * clk->resolution_ns);
    for (uint32_t s = 0; s < warmup_samples; s++) run_calls(clk, &probe_job, probe->calls);
  }
  /* 1. Each kernel on its own: calls per sample, then its warm-up. */
  for (size_t i = 0; i < count; i++) {
    knhk_bench_job_t *j = &jobs[i];
    knhk_bench_entry_t *e = j->entry;
    j->calls = choose_calls(clk, j->fn, j->ctx, span_ns);
    uint64_t ops = (uint64_t)j->calls * j->ops_per_call;
    e->calls_per_sample = ops > UINT32_MAX ? UINT32_MAX : (uint32_t)ops;
    e->warmup_samples = warmup_samples;
    j->checksum = checksum_seed(e);
    j->start = 0;
    j->shortest_ns = INFINITY;
    for (uint32_t s = 0; s < warmup_samples; s++) run_calls(clk, j, j->calls);
  }
  /* 2. Round r takes timed sample r of every kernel in turn, so a slow spell of the machine lands
   *    on all of them alike. The priming run just before a timed sample brings its inputs back into
   *    L1 after the other kernels evicted them; the probe right after it says how fast the machine
   *    ran around it. */
  double quiet = INFINITY;
  if (probe != NULL)
    probes[0] = per_op_ns(clk, run_calls(clk, &probe_job, probe->calls), probe->calls, probe->ops_per_call);
  uint32_t rounds = 0;
  while (rounds < max_rounds) {
    const uint32_t r = rounds;
    for (size_t i = 0; i < count; i++) {
      knhk_bench_job_t *j = &jobs[i];
      const uint32_t prime = j->calls < KNHK_BENCH_PRIME_CALLS ? j->calls : KNHK_BENCH_PRIME_CALLS;
      for (unsigned p = 0; p < KNHK_BENCH_PRIME_SAMPLES; p++) run_calls(clk, j, prime);
      uint64_t counts = run_calls(clk, j, j->calls);
      double ns = net_sample_ns(clk, counts);
      if (ns < j->shortest_ns) j->shortest_ns = ns;
      values[i * (size_t)max_rounds + r] = per_op_ns(clk, counts, j->calls, j->ops_per_call);
      if (probe != NULL) {
        probes[(size_t)r * count + i + 1] =
            per_op_ns(clk, run_calls(clk, &probe_job, probe->calls), probe->calls, probe->ops_per_call);
      }
    }
    rounds++;
    if (rounds < samples) continue;
    if (probe == NULL) break;
    /* Enough kept samples for every entry? Checked every 64 rounds past `samples` (a check costs
     * count x rounds), with the quiet level of the probes so far. */
    if (rounds != samples && rounds % 64u != 0 && rounds != max_rounds) continue;
    quiet = probe_quiet_level(probes, (size_t)rounds * count + 1, scratch);
    size_t i = 0;
    while (i < count && kept_count(probes, count, i, rounds, KNHK_BENCH_PROBE_THRESHOLD * quiet) >= samples) i++;
    if (i == count) break;
  }
  /* 3. Statistics and verdict per kernel: the kept samples, moved to the front of its figures. */
  if (probe != NULL) {
    quiet = probe_quiet_level(probes, (size_t)rounds * count + 1, scratch);
    probe->quiet_ns = isfinite(quiet) ? quiet : 0.0;
    probe->rounds = rounds;
  }
  const double limit = KNHK_BENCH_PROBE_THRESHOLD * quiet;
  for (size_t i = 0; i < count; i++) {
    knhk_bench_job_t *j = &jobs[i];
    knhk_bench_entry_t *e = j->entry;
    double *v = &values[i * (size_t)max_rounds];
    e->results_checksum = j->checksum;
    e->samples = rounds;
    e->min_sample_ns = rounds > 0 && j->shortest_ns > 0 ? j->shortest_ns : 0.0;
    uint32_t kept = rounds;
    if (probe != NULL) {
      /* the kept samples into scratch (free once the quiet level is known), the statistics of every
       * sample (which sorts them), then the kept ones back in front */
      kept = 0;
      for (uint32_t r = 0; r < rounds; r++)
        if (sample_kept(probes, (size_t)r * count + i, limit)) scratch[kept++] = v[r];
      knhk_bench_stats(v, rounds, &e->all);
      memcpy(v, scratch, (size_t)kept * sizeof *v);
    }
    knhk_bench_stats(v, kept, &e->ns);
    if (probe == NULL) e->all = e->ns;
    e->verdict = knhk_bench_classify(&e->ns, e->min_sample_ns, clk->resolution_ns, strcmp(e->tier, "R1") == 0,
                                     e->reason, sizeof e->reason);
    if (probe != NULL && kept < KNHK_BENCH_MIN_SAMPLES) {
      e->verdict = KNHK_BENCH_NO_EVIDENCE;
      snprintf(e->reason, sizeof e->reason,
               "only %u of %u samples taken while the probe ran within %.2fx of its quiet level (< %u): the "
               "machine was busy",
               kept, rounds, KNHK_BENCH_PROBE_THRESHOLD, KNHK_BENCH_MIN_SAMPLES);
    }
  }
  free(probes);
  free(scratch);
}

void knhk_bench_measure(const knhk_clock_t *clk, knhk_bench_sample_fn fn, void *ctx, uint32_t ops_per_call,
                        uint32_t samples, uint32_t warmup_samples, knhk_bench_entry_t *e, double *scratch) {
  knhk_bench_job_t job = {fn, ctx, ops_per_call, e, 0, 0, 0, 0};
  knhk_bench_measure_interleaved(clk, &job, 1, samples, warmup_samples, scratch, NULL);
}

/* ---- the run ---------------------------------------------------------------------------------- */

static void read_cpu_model(char *out, size_t size) {
  snprintf(out, size, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f == NULL) return;
  char line[512];
  while (fgets(line, sizeof line, f) != NULL) {
    /* x86 says "model name"; many arm64 kernels give only "Hardware" or nothing. */
    if (strncmp(line, "model name", 10) != 0 && strncmp(line, "Hardware", 8) != 0) continue;
    char *colon = strchr(line, ':');
    if (colon == NULL) continue;
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t') v++;
    v[strcspn(v, "\r\n")] = '\0';
    if (*v != '\0') snprintf(out, size, "%s", v);
    break;
  }
  fclose(f);
}

static void append_word(char *out, size_t size, const char *word) {
  size_t used = strlen(out);
  snprintf(out + used, size - used, "%s%s", used ? " " : "", word);
}

static void read_cpu_features(char *out, size_t size) {
  out[0] = '\0';
#if defined(KNHK_ARCH_X86_64) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
#define FEATURE(name) \
  if (__builtin_cpu_supports(name)) append_word(out, size, name)
  FEATURE("sse2");
  FEATURE("sse4.2");
  FEATURE("popcnt");
  FEATURE("avx");
  FEATURE("avx2");
  FEATURE("avx512f");
  FEATURE("avx512dq");
  FEATURE("avx512bw");
  FEATURE("avx512vl");
#undef FEATURE
#elif defined(KNHK_ARCH_ARM64)
  append_word(out, size, "neon"); /* Advanced SIMD is mandatory in AArch64 */
#else
  (void)size;
  (void)append_word;
#endif
}

int knhk_bench_run(const knhk_bench_params_t *params, knhk_bench_report_t *report, char *err, size_t err_size) {
  memset(report, 0, sizeof *report);
  time_t now = time(NULL);
  struct tm utc;
  gmtime_r(&now, &utc);
  strftime(report->generated_at, sizeof report->generated_at, "%Y-%m-%dT%H:%M:%SZ", &utc);
  if (params->commit_sha != NULL) snprintf(report->commit_sha, sizeof report->commit_sha, "%s", params->commit_sha);
  read_cpu_model(report->cpu_model, sizeof report->cpu_model);
  read_cpu_features(report->cpu_features, sizeof report->cpu_features);
  report->variant = knhk_variant_active();

  knhk_status st = knhk_clock_calibrate(&report->clock, params->calibration_ms);
  if (st != KNHK_OK) {
    snprintf(err, err_size, "clock calibration failed: %s", knhk_status_str(st));
    return 3;
  }
  knhk_bench_ops_t *ops = NULL;
  knhk_bench_kernel_t *kernels = malloc(KNHK_BENCH_MAX_ENTRIES * sizeof *kernels);
  knhk_bench_job_t *jobs = malloc(KNHK_BENCH_MAX_ENTRIES * sizeof *jobs);
  size_t count = 0, group = 0;
  double *values = NULL;
  if (kernels != NULL && jobs != NULL && knhk_bench_ops_create(&ops) == KNHK_OK) {
    count = knhk_bench_ops_list(ops, params, kernels, KNHK_BENCH_MAX_ENTRIES);
    /* Interleave every entry of the run, unless their figures would not fit the memory cap (only
     * with --samples far above the default): then consecutive groups that do. */
    /* per entry and round: its figure, the probe's figure and the probe's scratch copy */
    size_t rounds = (size_t)params->samples * KNHK_BENCH_MAX_ROUNDS_FACTOR;
    size_t fit = KNHK_BENCH_MAX_VALUES_BYTES / (3 * rounds * sizeof *values);
    group = count < fit ? count : fit > 0 ? fit : 1;
    values = malloc((group > 0 ? group : 1) * rounds * sizeof *values);
  }
  if (kernels == NULL || jobs == NULL || ops == NULL || values == NULL) {
    snprintf(err, err_size, "%s", knhk_status_str(KNHK_E_NOMEM));
    knhk_bench_ops_free(ops);
    free(kernels);
    free(jobs);
    free(values);
    return 3;
  }
  /* Every kernel is checked against portable before any is timed. */
  int rc = 0;
  for (size_t i = 0; i < count && rc == 0; i++) rc = knhk_bench_ops_verify(ops, &kernels[i], err, err_size);
  for (size_t i = 0; i < count && rc == 0; i++) {
    const knhk_bench_kernel_t *k = &kernels[i];
    knhk_bench_entry_t *e = &report->entries[i];
    memset(e, 0, sizeof *e);
    e->op = knhk_op_name(k->op);
    e->tier = knhk_op_is_hot(k->op) ? "R1" : "W1";
    e->variant = k->variant;
    e->call_mode = k->call_mode;
    jobs[i] = (knhk_bench_job_t){k->sample, k->ctx, k->ops_per_call, e, 0, 0, 0, 0};
  }
  knhk_bench_probe_t probe;
  if (rc == 0) knhk_bench_ops_probe(ops, &probe, report->probe, sizeof report->probe);
  for (size_t first = 0; first < count && rc == 0; first += group) {
    size_t n = count - first < group ? count - first : group;
    knhk_bench_measure_interleaved(&report->clock, &jobs[first], n, params->samples, params->warmup_samples, values,
                                   &probe);
    report->probe_quiet_ns = probe.quiet_ns;
    report->rounds = probe.rounds;
  }
  if (report->rounds == 0) report->probe[0] = '\0'; /* the probe never ran: no interference block */
  if (rc == 0) {
    report->entry_count = count;
    for (size_t i = 0; i < count; i++) report->results_checksum ^= report->entries[i].results_checksum;
  }
  knhk_bench_ops_free(ops);
  free(kernels);
  free(jobs);
  free(values);
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) report->peak_rss_bytes = (uint64_t)ru.ru_maxrss * 1024u;
  return rc;
}

/* ---- writers ---------------------------------------------------------------------------------- */

static void json_str(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\') fprintf(out, "\\%c", *c);
    else if (*c < 0x20) fprintf(out, "\\u%04x", *c);
    else fputc(*c, out);
  }
  fputc('"', out);
}

/* JSON has no NaN or Infinity: a non-finite value is written as 0 (its entry is then no-evidence
 * by the p95 <= 0 rule, or the field was meaningless). 17 significant digits round-trip a double,
 * so a reader recomputing *_ns / 0.25 gets exactly the *_ticks written next to it. */
static void json_num(FILE *out, double v) {
  if (!isfinite(v)) v = 0;
  if (v == floor(v) && fabs(v) < 9007199254740992.0) fprintf(out, "%.0f", v);
  else fprintf(out, "%.17g", v);
}

/* ", \"key\": value" */
static void json_field(FILE *out, const char *key, double v) {
  fprintf(out, ", \"%s\": ", key);
  json_num(out, v);
}

#if defined(__x86_64__)
#define ARCH_NAME "x86_64"
#elif defined(__aarch64__)
#define ARCH_NAME "aarch64"
#elif defined(__i386__)
#define ARCH_NAME "i686"
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH_NAME "riscv64"
#else
#define ARCH_NAME "unknown"
#endif

/* The GNU triple of this build, as the release names its tarballs. */
static const char *target_triple(void) {
#if defined(__linux__) && defined(__GLIBC__)
  return ARCH_NAME "-linux-gnu";
#elif defined(__linux__)
  return ARCH_NAME "-linux-musl";
#elif defined(__APPLE__)
  return ARCH_NAME "-apple-darwin";
#else
  return ARCH_NAME "-unknown";
#endif
}

static void compiler_version(char *out, size_t size) {
#if defined(__clang__)
  snprintf(out, size, "%d.%d.%d", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  snprintf(out, size, "%d.%d.%d", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  snprintf(out, size, "unknown");
#endif
}

static const char *compiler_name(void) {
#if defined(__clang__)
  return "clang";
#elif defined(__GNUC__)
  return "gcc";
#else
  return "unknown";
#endif
}

static void write_stats(FILE *out, const knhk_bench_stats_t *st, double scale, const char *unit) {
  const struct {
    const char *key;
    double v;
  } fields[] = {{"mean", st->mean}, {"stddev", st->stddev}, {"min", st->min}, {"p5", st->p5},
                {"p50", st->p50},   {"p95", st->p95},       {"p99", st->p99}, {"max", st->max}};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    fprintf(out, "\"%s_%s\": ", fields[i].key, unit);
    json_num(out, fields[i].v * scale);
    fputs(", ", out);
  }
}

void knhk_bench_write_json(FILE *out, const knhk_bench_report_t *r) {
  char version[32];
  compiler_version(version, sizeof version);
  fputs("{\n  \"schema\": \"knhk.tick-bench/v1\",\n  \"generated_at\": ", out);
  json_str(out, r->generated_at);
  fputs(",\n  \"knhk_version\": ", out);
  json_str(out, KNHK_VERSION);
  fputs(",\n  \"commit_sha\": ", out);
  if (r->commit_sha[0]) json_str(out, r->commit_sha);
  else fputs("null", out);
  fputs(",\n  \"target\": ", out);
  json_str(out, target_triple());
  fputs(",\n  \"cpu\": { \"model\": ", out);
  json_str(out, r->cpu_model);
  fputs(", \"arch\": ", out);
  json_str(out, ARCH_NAME);
  fputs(", \"features\": [", out);
  char features[sizeof r->cpu_features];
  snprintf(features, sizeof features, "%s", r->cpu_features);
  int first = 1;
  for (char *save = NULL, *w = strtok_r(features, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    fputs(first ? "" : ", ", out);
    json_str(out, w);
    first = 0;
  }
  fputs("] },\n  \"compiler\": { \"name\": ", out);
  json_str(out, compiler_name());
  fputs(", \"version\": ", out);
  json_str(out, version);
  fputs(", \"flags\": ", out);
  json_str(out, KNHK_BUILD_FLAGS);
  fputs(" },\n  \"clock\": { \"source\": ", out);
  json_str(out, r->clock.source ? r->clock.source : "unknown");
  fputs(", \"reference\": ", out);
  json_str(out, r->clock.reference ? r->clock.reference : "unknown");
  fputs(", \"frequency_hz\": ", out);
  json_num(out, round(r->clock.frequency_hz));
  fputs(", \"resolution_ns\": ", out);
  json_num(out, r->clock.resolution_ns);
  fputs(", \"read_overhead_ns\": ", out);
  json_num(out, r->clock.read_overhead_ns);
  fputs(", \"overhead_subtracted\": true, \"calibration_ms\": ", out);
  json_num(out, r->clock.calibration_ms);
  fputs(" },\n  \"variant\": ", out);
  json_str(out, r->variant ? r->variant : "portable");
  /* The budget judges the documented hot path: knhk_eval_batch() (knhk.h). */
  fprintf(out,
          ",\n  \"budget\": { \"ticks\": %d, \"tick_ns\": 0.25, \"statistic\": \"p95\", \"call_mode\": \"batch\", "
          "\"min_sample_resolutions\": %.0f },\n",
          KNHK_BUDGET_TICKS, KNHK_BENCH_MIN_SAMPLE_RESOLUTIONS);
  fprintf(out, "  \"peak_rss_bytes\": %llu,\n", (unsigned long long)r->peak_rss_bytes);
  fprintf(out, "  \"results_checksum\": \"%016llx\",\n", (unsigned long long)r->results_checksum);
  if (r->probe[0] && r->probe_quiet_ns > 0) {
    fputs("  \"interference\": { \"probe\": ", out);
    json_str(out, r->probe);
    fprintf(out, ", \"threshold\": %g", KNHK_BENCH_PROBE_THRESHOLD); /* a constant: 1.15, not 17 digits */
    json_field(out, "quiet_ns", r->probe_quiet_ns);
    fprintf(out, ", \"rounds\": %u },\n", r->rounds);
  }
  fputs("  \"entries\": [", out);
  for (size_t i = 0; i < r->entry_count; i++) {
    const knhk_bench_entry_t *e = &r->entries[i];
    fputs(i ? ",\n    { " : "\n    { ", out);
    fputs("\"op\": ", out);
    json_str(out, e->op);
    fputs(", \"tier\": ", out);
    json_str(out, e->tier);
    fputs(", \"variant\": ", out);
    json_str(out, e->variant);
    fputs(", \"call_mode\": ", out);
    json_str(out, e->call_mode);
    fprintf(out,
            ",\n      \"calls_per_sample\": %u, \"samples\": %u, \"warmup_samples\": %u, \"n\": %zu, "
            "\"min_sample_ns\": ",
            e->calls_per_sample, e->samples, e->warmup_samples, e->ns.n);
    json_num(out, e->min_sample_ns);
    fputs(",\n      ", out);
    write_stats(out, &e->ns, 1.0, "ns");
    fputs("\n      ", out);
    write_stats(out, &e->ns, 1.0 / KNHK_TICK_NS, "ticks");
    if (r->probe[0]) {
      fprintf(out, "\n      \"all_samples\": { \"n\": %zu", e->all.n);
      json_field(out, "p50_ns", e->all.p50);
      json_field(out, "p95_ns", e->all.p95);
      json_field(out, "p99_ns", e->all.p99);
      json_field(out, "p95_ticks", e->all.p95 / KNHK_TICK_NS);
      fputs(" },", out);
    }
    fprintf(out, "\n      \"results_checksum\": \"%016llx\",\n      \"within_budget\": ",
            (unsigned long long)e->results_checksum);
    json_str(out, knhk_bench_verdict_name(e->verdict));
    fputs(", \"reason\": ", out);
    json_str(out, e->reason);
    fputs(" }", out);
  }
  fputs(r->entry_count ? "\n  ]\n}\n" : "]\n}\n", out);
}

void knhk_bench_write_table(FILE *out, const knhk_bench_report_t *r) {
  const knhk_clock_t *c = &r->clock;
  fprintf(out, "knhk %s bench on %s, %s (%s)\n", KNHK_VERSION, target_triple(), r->cpu_model,
          r->cpu_features[0] ? r->cpu_features : "no SIMD features detected");
  fprintf(out,
          "clock: %s vs %s, %.4f GHz, resolution %.4f ns, read overhead %.1f ns (subtracted), "
          "calibrated over %.0f ms\n",
          c->source, c->reference, c->frequency_hz / 1e9, c->resolution_ns, c->read_overhead_ns,
          c->calibration_ms);
  fprintf(out, "budget: p95 <= %d ticks per R1 operation (1 tick = 0.25 ns); a sample spans >= %.0f x "
               "resolution = %.1f ns\n",
          KNHK_BUDGET_TICKS, KNHK_BENCH_MIN_SAMPLE_RESOLUTIONS,
          KNHK_BENCH_MIN_SAMPLE_RESOLUTIONS * c->resolution_ns);
  if (r->probe[0])
    fprintf(out,
            "interference: probe %s after every sample, quiet level %.3f ns per op; a sample is kept when the "
            "probes around it ran within %.2fx of that (n = kept, of %u rounds; p95 all = every sample)\n",
            r->probe, r->probe_quiet_ns, KNHK_BENCH_PROBE_THRESHOLD, r->rounds);
  fprintf(out, "variant in use: %s; the budget judges call mode batch (knhk_eval_batch)\n\n",
          r->variant ? r->variant : "portable");
  fprintf(out, "%-21s %-8s %-6s %12s %7s %9s %9s %9s %10s %10s  %-11s %s\n", "op", "variant", "mode",
          "calls/sample", "n", "p50 ns", "p95 ns", "p99 ns", "p95 ticks", "p95 all", "budget", "reason");
  for (size_t i = 0; i < r->entry_count; i++) {
    const knhk_bench_entry_t *e = &r->entries[i];
    fprintf(out, "%-21s %-8s %-6s %12u %7zu %9.3f %9.3f %9.3f %10.2f %10.2f  %-11s %s\n", e->op,
            e->variant, e->call_mode, e->calls_per_sample, e->ns.n, e->ns.p50, e->ns.p95,
            e->ns.p99, e->ns.p95 / KNHK_TICK_NS, e->all.p95 / KNHK_TICK_NS, knhk_bench_verdict_name(e->verdict),
            e->reason);
  }
  fprintf(out, "\nresults checksum %016llx, peak RSS %llu bytes\n",
          (unsigned long long)r->results_checksum, (unsigned long long)r->peak_rss_bytes);
}
