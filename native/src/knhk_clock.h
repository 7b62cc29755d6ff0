/* knhk_clock.h: the tick counter of the bench and of KNHK_BATCH_TICKS: serialised reads, frequency
 * calibrated against CLOCK_MONOTONIC, resolution, and read overhead (DESIGN §3). Counter units are
 * "counts", never "ticks": a KNHK tick is 0.25 ns of wall time, whatever the counter runs at. */
#ifndef KNHK_CLOCK_H
#define KNHK_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "knhk_impl.h"

/** A calibrated counter. Fill with knhk_clock_calibrate(). */
typedef struct {
  const char *source;      /**< "rdtsc-lfence", "rdtsc-lfence/rdtscp", "cntvct_el0" or "clock_gettime" */
  const char *reference;   /**< what the frequency was calibrated against: "CLOCK_MONOTONIC" */
  double frequency_hz;     /**< counts per second */
  double resolution_ns;    /**< median step between consecutive reads, ns (measured: not 1 / frequency) */
  double read_overhead_ns; /**< median of back-to-back start/stop reads, ns; subtracted per sample */
  double calibration_ms;   /**< how long the frequency calibration ran, ms */
  int use_rdtscp;          /**< x86-64: the stop read uses rdtscp (CPUID 0x80000001 EDX bit 27) */
} knhk_clock_t;

/** Calibrates the counter over about calibration_ms milliseconds (50 is the bench's default):
 *  frequency against CLOCK_MONOTONIC, resolution, and the read overhead.
 *  @return KNHK_OK, KNHK_E_NULL (clk NULL), KNHK_E_NOMEM, or KNHK_E_CLOCK_UNUSABLE (the counter
 *  did not advance, or disagrees with its architected frequency by more than 10%). */
knhk_status knhk_clock_calibrate(knhk_clock_t *clk, double calibration_ms);

/** Converts a count difference to nanoseconds. */
static inline double knhk_clock_ns(const knhk_clock_t *clk, uint64_t counts) {
  return (double)counts * 1e9 / clk->frequency_hz;
}

/** Nanoseconds of CLOCK_MONOTONIC: the reference clock. */
static inline uint64_t knhk_clock_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* KNHK_CLOCK_NO_COUNTER=1 forces the clock_gettime fallback (to test it on any machine). */
#if defined(KNHK_CLOCK_NO_COUNTER)
#elif defined(KNHK_ARCH_X86_64) && (defined(__GNUC__) || defined(__clang__))
#define KNHK_CLOCK_COUNTER 1
/** Start read: the lfence before rdtsc waits for earlier instructions to finish, the one after
 *  keeps the timed code from starting before the counter is read. */
static KNHK_INLINE uint64_t knhk_clock_start(void) {
  uint32_t lo, hi;
  __asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
  return ((uint64_t)hi << 32) | lo;
}
/** Unserialised read, back to back only (the resolution measurement): as close as reads get. */
static KNHK_INLINE uint64_t knhk_clock_raw(void) {
  uint32_t lo, hi;
  __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
  return ((uint64_t)hi << 32) | lo;
}
/** Stop read: rdtscp waits for the timed code to finish; the lfence keeps later code out. */
static KNHK_INLINE uint64_t knhk_clock_stop(const knhk_clock_t *clk) {
  uint32_t lo, hi, aux;
  if (clk->use_rdtscp) {
    __asm__ __volatile__("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    (void)aux;
  } else {
    __asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
  }
  return ((uint64_t)hi << 32) | lo;
}
#elif defined(KNHK_ARCH_ARM64) && (defined(__GNUC__) || defined(__clang__))
#define KNHK_CLOCK_COUNTER 1
/** isb: the counter read is not hoisted above, nor sunk below, the surrounding instructions. */
static KNHK_INLINE uint64_t knhk_clock_start(void) {
  uint64_t v;
  __asm__ __volatile__("isb\n\tmrs %0, cntvct_el0\n\tisb" : "=r"(v)::"memory");
  return v;
}
static KNHK_INLINE uint64_t knhk_clock_stop(const knhk_clock_t *clk) {
  (void)clk;
  return knhk_clock_start();
}
static KNHK_INLINE uint64_t knhk_clock_raw(void) {
  uint64_t v;
  __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v)::"memory");
  return v;
}
#endif
#if !defined(KNHK_CLOCK_COUNTER)
/** Fallback: CLOCK_MONOTONIC itself, in ns (frequency 1 GHz, resolution measured). */
static KNHK_INLINE uint64_t knhk_clock_start(void) { return knhk_clock_monotonic_ns(); }
static KNHK_INLINE uint64_t knhk_clock_stop(const knhk_clock_t *clk) {
  (void)clk;
  return knhk_clock_monotonic_ns();
}
static KNHK_INLINE uint64_t knhk_clock_raw(void) { return knhk_clock_monotonic_ns(); }
#endif

#endif /* KNHK_CLOCK_H */
