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

#if !defined(KNHK_CLOCK_COUNTER)
/* Smallest positive step between consecutive reads of CLOCK_MONOTONIC, in ns: what the fallback
 * counter can actually show (clock_getres() reports the ideal, not what a read costs). */
static double measured_monotonic_resolution_ns(void) {
  uint64_t best = UINT64_MAX;
  uint64_t prev = knhk_clock_monotonic_ns();
  for (int i = 0; i < 10000; i++) {
    uint64_t now = knhk_clock_monotonic_ns();
    if (now > prev && now - prev < best) best = now - prev;
    prev = now;
  }
  return best == UINT64_MAX ? 0.0 : (double)best;
}
#endif

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

#if defined(KNHK_CLOCK_COUNTER)
  clk->resolution_ns = 1e9 / clk->frequency_hz;
#else
  clk->frequency_hz = 1e9; /* the fallback counter is in ns */
  clk->resolution_ns = measured_monotonic_resolution_ns();
  if (clk->resolution_ns <= 0) return KNHK_E_CLOCK_UNUSABLE;
#endif

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
