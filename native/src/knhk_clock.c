/* knhk_clock.c: calibration of the tick counter declared in knhk_clock.h: frequency against
 * CLOCK_MONOTONIC, resolution, read overhead. Runs once per process, before any timing. */
#include "knhk_clock.h"

#include <stdlib.h>
#include <string.h>

#if defined(KNHK_ARCH_X86_64) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

#define OVERHEAD_PAIRS 1001 /* odd, so the median is one measured pair */

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Reads the counter between two reference reads, so its instant is known to within their gap. */
static void paired_read(const knhk_clock_t *clk, uint64_t *counter, double *mono_ns) {
  uint64_t before = knhk_clock_monotonic_ns();
  *counter = knhk_clock_stop(clk);
  uint64_t after = knhk_clock_monotonic_ns();
  *mono_ns = ((double)before + (double)after) / 2.0;
}

#define STEP_READS 20001 /* consecutive reads for the resolution: about 0.2 ms */

/* The counter's resolution in counts: the median positive step between back-to-back (unserialised)
 * reads, the smallest interval two reads tell apart in practice. Not 1 / frequency: a counter may
 * advance in coarse steps (AMD Zen's TSC, read in a KVM guest, moves by ~26 counts every 10 ns at
 * 2.6 GHz: one count is 0.385 ns, but nothing shorter than 10 ns can be seen), and a read may cost
 * more than a count (then the step is a read's cost, the finest a pair of reads can resolve). The
 * median, not the smallest step: a counter that now and then moves by 1 between two coarse steps
 * would otherwise claim a resolution it does not have. 0 when the counter never advanced. */
static uint64_t median_step_counts(void) {
  uint64_t *steps = malloc(STEP_READS * sizeof *steps);
  if (steps == NULL) return 0;
  size_t n = 0;
  uint64_t prev = knhk_clock_raw();
  for (int i = 0; i < STEP_READS; i++) {
    uint64_t now = knhk_clock_raw();
    if (now > prev) steps[n++] = now - prev;
    prev = now;
  }
  uint64_t median = 0;
  if (n > 0) {
    qsort(steps, n, sizeof *steps, cmp_u64);
    median = steps[n / 2];
  }
  free(steps);
  return median;
}

knhk_status knhk_clock_calibrate(knhk_clock_t *clk, double calibration_ms) {
  if (clk == NULL) return KNHK_E_NULL;
  memset(clk, 0, sizeof *clk);
  clk->reference = "CLOCK_MONOTONIC";
#if defined(KNHK_ARCH_X86_64) && defined(KNHK_CLOCK_COUNTER)
  unsigned eax, ebx, ecx, edx;
  /* CPUID leaf 0x80000001, EDX bit 27: RDTSCP. Hypervisors may hide it; then both reads are
   * lfence-serialised rdtsc. */
  clk->use_rdtscp = __get_cpuid(0x80000001u, &eax, &ebx, &ecx, &edx) && ((edx >> 27) & 1u);
  clk->source = clk->use_rdtscp ? "rdtsc-lfence/rdtscp" : "rdtsc-lfence";
#elif defined(KNHK_ARCH_ARM64) && defined(KNHK_CLOCK_COUNTER)
  clk->source = "cntvct_el0";
#else
  clk->source = "clock_gettime";
#endif

  /* Frequency: counts elapsed over a busy-waited span of the reference clock. Busy-waiting (not
   * sleeping) keeps the core awake, so the span ends when asked, not when the scheduler wakes us. */
  uint64_t c0, c1;
  double m0, m1;
  paired_read(clk, &c0, &m0);
  uint64_t until = (uint64_t)m0 + (uint64_t)(calibration_ms * 1e6);
  while (knhk_clock_monotonic_ns() < until) {
  }
  paired_read(clk, &c1, &m1);
  if (c1 <= c0 || m1 <= m0) return KNHK_E_CLOCK_UNUSABLE;
  double measured_hz = (double)(c1 - c0) * 1e9 / (m1 - m0);
  clk->calibration_ms = (m1 - m0) / 1e6;
  clk->frequency_hz = measured_hz;

#if defined(KNHK_ARCH_ARM64) && defined(KNHK_CLOCK_COUNTER)
  /* cntfrq_el0 is the architected frequency (often 24 MHz or 1 GHz); trust it, but only when the
   * calibration agrees: a wrong firmware value is exactly the "24 MHz read as 2.4 GHz" bug. */
  uint64_t cntfrq;
  __asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(cntfrq));
  if (cntfrq != 0) {
    double ratio = measured_hz / (double)cntfrq;
    if (ratio < 0.9 || ratio > 1.1) return KNHK_E_CLOCK_UNUSABLE;
    clk->frequency_hz = (double)cntfrq;
  }
#endif

#if !defined(KNHK_CLOCK_COUNTER)
  clk->frequency_hz = 1e9; /* the fallback counter is in ns */
#endif
  uint64_t step = median_step_counts();
  if (step == 0) return KNHK_E_CLOCK_UNUSABLE;
  clk->resolution_ns = knhk_clock_ns(clk, step);

  /* Read overhead: what an empty start/stop pair measures. Median, not minimum: the per-sample
   * subtraction should remove the typical cost, not the luckiest one. */
  uint64_t *pairs = malloc(OVERHEAD_PAIRS * sizeof *pairs);
  if (pairs == NULL) return KNHK_E_NOMEM;
  for (int i = 0; i < OVERHEAD_PAIRS; i++) {
    uint64_t t0 = knhk_clock_start();
    uint64_t t1 = knhk_clock_stop(clk);
    pairs[i] = t1 >= t0 ? t1 - t0 : 0;
  }
  qsort(pairs, OVERHEAD_PAIRS, sizeof *pairs, cmp_u64);
  clk->read_overhead_ns = knhk_clock_ns(clk, pairs[OVERHEAD_PAIRS / 2]);
  free(pairs);
  return KNHK_OK;
}
