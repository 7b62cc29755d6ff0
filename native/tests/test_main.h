/* test_main.h: the C test harness shared by tests/test_<unit>.c: CHECK macros that record a
 * diagnostic (printed after the TAP line as "# ...") and fail the current test, and the test list. */
#ifndef KNHK_TEST_MAIN_H
#define KNHK_TEST_MAIN_H

#include <stdint.h>

/** Records a failure with a printf-style diagnostic; the current test is reported "not ok". */
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Fails unless cond holds. The variadic part starts with a format string literal saying what
 *  was checked, e.g. CHECK(ok, "variant=%s op=%s case=%s", ...). cond must not contain '%'. */
#define CHECK(cond, ...)                                                                 \
  do {                                                                                   \
    if (!(cond)) test_fail(__FILE__, __LINE__, "check failed: " #cond ": " __VA_ARGS__); \
  } while (0)

/** Fails unless got == want (unsigned 64-bit); ctx_fmt names variant, op and case. */
#define CHECK_EQ_U64(got, want, ctx_fmt, ...)                                                     \
  do {                                                                                            \
    uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want);                                    \
    if (got_ != want_)                                                                            \
      test_fail(__FILE__, __LINE__, ctx_fmt " expected=%llu got=%llu", __VA_ARGS__,              \
                (unsigned long long)want_, (unsigned long long)got_);                             \
  } while (0)

/** Fails unless the strings are equal. */
#define CHECK_EQ_STR(got, want, ctx)                                                          \
  do {                                                                                        \
    const char *got_ = (got), *want_ = (want);                                                \
    if (got_ == NULL || want_ == NULL || strcmp(got_, want_) != 0)                            \
      test_fail(__FILE__, __LINE__, "%s expected=\"%s\" got=\"%s\"", ctx, want_ ? want_ : "(null)", \
                got_ ? got_ : "(null)");                                                      \
  } while (0)

/* Every test case: test_<unit>_<behaviour>(void). X-macro list kept in test_main.c. */
#define TEST_CASES(X)                                  \
  X(test_ask_sp_len0_never_matches)                    \
  X(test_ask_sp_len8_matches_every_lane)               \
  X(test_ask_sp_lanes_beyond_len_never_match)          \
  X(test_ask_sp_pred_mismatch_returns_0)               \
  X(test_ask_sp_extreme_ids_compare_unsigned)          \
  X(test_ask_sp_offset_selects_the_run)                \
  X(test_ask_sp_entry_points_match_spec_on_generated_data) \
  X(test_admit_accepts_admissible_hook)                \
  X(test_admit_refuses_null)                           \
  X(test_admit_refuses_misaligned_column)              \
  X(test_admit_refuses_run_too_long)                   \
  X(test_admit_refuses_run_out_of_range)               \
  X(test_admit_refuses_unknown_op)                     \
  X(test_admit_refuses_unimplemented_op)               \
  X(test_admit_refuses_k_gt_len)                       \
  X(test_admit_eval_leaves_result_on_refusal)          \
  X(test_admit_status_str_names_every_status)          \
  X(test_admit_op_names_round_trip)                    \
  X(test_clock_calibration_is_sane)                    \
  X(test_clock_agrees_with_monotonic)                  \
  X(test_bench_stats_nearest_rank)                     \
  X(test_bench_stats_empty_and_single)                 \
  X(test_bench_classify_no_samples_is_no_evidence)     \
  X(test_bench_classify_short_sample_is_no_evidence)   \
  X(test_bench_classify_zero_p95_is_no_evidence)       \
  X(test_bench_classify_budget_boundary)               \
  X(test_bench_json_never_writes_nan)

#define DECLARE_TEST(name) void name(void);
TEST_CASES(DECLARE_TEST)
#undef DECLARE_TEST

#endif /* KNHK_TEST_MAIN_H */
