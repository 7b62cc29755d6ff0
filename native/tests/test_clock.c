/* test_clock.c: the tick counter calibrates to sane figures and measures the same span as
 * CLOCK_MONOTONIC (the "24 MHz counter divided by 2.4 GHz" bug would be off by 100x). */
#include "knhk_clock.h"
#include "test_main.h"

void test_clock_calibration_is_sane(void) {
  knhk_clock_t clk;
  knhk_status st = knhk_clock_calibrate(&clk, 20.0);
  CHECK_EQ_U64(st, KNHK_OK, "case=%s calibrate", "20ms");
  if (st != KNHK_OK) return;
  CHECK(clk.source != NULL && clk.source[0] != '\0', "clock source missing");
  CHECK(clk.reference != NULL && clk.reference[0] != '\0', "clock reference missing");
  /* 1 MHz..100 GHz covers every counter we know (arm64 generic timers from 1 MHz, TSCs a few GHz). */
  CHECK(clk.frequency_hz > 1e6 && clk.frequency_hz < 1e11, "frequency_hz=%g", clk.frequency_hz);
  CHECK(clk.resolution_ns > 0 && clk.resolution_ns < 2000, "resolution_ns=%g", clk.resolution_ns);
  CHECK(clk.read_overhead_ns >= 0 && clk.read_overhead_ns < 1e6, "read_overhead_ns=%g", clk.read_overhead_ns);
  CHECK(clk.calibration_ms >= 20.0 && clk.calibration_ms < 1000.0, "calibration_ms=%g", clk.calibration_ms);
  CHECK_EQ_U64(knhk_clock_calibrate(NULL, 1.0), KNHK_E_NULL, "case=%s", "null clock");
}

void test_clock_agrees_with_monotonic(void) {
  knhk_clock_t clk;
  if (knhk_clock_calibrate(&clk, 20.0) != KNHK_OK) {
    test_fail(__FILE__, __LINE__, "calibration failed");
    return;
  }
  /* Time a 30 ms busy wait with both clocks. Preemption stretches both the same way. */
  uint64_t m0 = knhk_clock_monotonic_ns();
  uint64_t c0 = knhk_clock_start();
  while (knhk_clock_monotonic_ns() - m0 < 30000000u) {
  }
  uint64_t c1 = knhk_clock_stop(&clk);
  uint64_t m1 = knhk_clock_monotonic_ns();
  CHECK(c1 > c0, "counter did not advance: %llu -> %llu", (unsigned long long)c0, (unsigned long long)c1);
  double counter_ns = knhk_clock_ns(&clk, c1 - c0);
  double mono_ns = (double)(m1 - m0);
  double ratio = counter_ns / mono_ns;
  CHECK(ratio > 0.95 && ratio < 1.05, "counter says %.0f ns, CLOCK_MONOTONIC %.0f ns (ratio %.4f)", counter_ns,
        mono_ns, ratio);
}
