/* test_main.h: the C test harness shared by tests/test_<unit>.c: CHECK macros that record a
 * diagnostic (printed after the TAP line as "# ...") and fail the current test, and the test list. */
#ifndef KNHK_TEST_MAIN_H
#define KNHK_TEST_MAIN_H

#include <stddef.h>
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

/** Runs the KNHK_TESTING CLI (build/test/knhk) with `env` (e.g. "KNHK_FORCE_VARIANT=sse2", or NULL)
 *  and `args`, capturing stdout and stderr together into out. @return its exit status, -1 when it
 *  could not run or was killed by a signal. */
int test_run_cli(const char *env, const char *args, char *out, size_t size);

/* Every test case: test_<unit>_<behaviour>(void). X-macro list kept in test_main.c. */
#define TEST_CASES(X)                                      \
  X(test_admit_accepts_admissible_hook)                    \
  X(test_admit_refuses_null)                               \
  X(test_admit_refuses_misaligned_column)                  \
  X(test_admit_refuses_run_too_long)                       \
  X(test_admit_refuses_run_out_of_range)                   \
  X(test_admit_refuses_unknown_op)                         \
  X(test_admit_accepts_every_op)                           \
  X(test_admit_refuses_k_gt_len)                           \
  X(test_admit_eval_leaves_result_on_refusal)              \
  X(test_admit_status_str_names_every_status)              \
  X(test_admit_op_names_round_trip)                        \
  X(test_ops_len0_never_matches)                           \
  X(test_ops_len8_every_lane)                              \
  X(test_ops_lanes_beyond_len_never_match)                 \
  X(test_ops_pred_mismatch_returns_0)                      \
  X(test_ops_count_thresholds_at_bounds)                   \
  X(test_ops_extreme_ids_compare_unsigned)                 \
  X(test_ops_select_and_construct_emit_in_lane_order)      \
  X(test_ops_portable_matches_spec_on_generated_data)      \
  X(test_variants_match_portable_on_generated_data)        \
  X(test_variants_selftest_catches_wrong_variant)          \
  X(test_variants_cli_selftest_fails_on_wrong_variant)     \
  X(test_variants_cli_selftest_passes_without_wrong_variant) \
  X(test_batch_receipts_record_each_hook)                  \
  X(test_batch_hash_changes_with_every_input)              \
  X(test_batch_refusals_write_nothing)                     \
  X(test_batch_empty_and_ticks)                            \
  X(test_batch_emissions_match_per_call)                   \
  X(test_batch_uniform_batches_of_every_size_match_portable) \
  X(test_dispatch_table_lists_named_variants)              \
  X(test_dispatch_force_each_supported_variant)            \
  X(test_dispatch_force_unknown_variant_fails_clearly)     \
  X(test_dispatch_force_unsupported_variant_fails_clearly) \
  X(test_dispatch_chooses_next_best_when_best_is_missing)  \
  X(test_clock_calibration_is_sane)                        \
  X(test_clock_agrees_with_monotonic)                      \
  X(test_bench_stats_nearest_rank)                         \
  X(test_bench_interleaved_rounds_take_one_sample_of_each) \
  X(test_bench_interleaved_slow_spell_lands_on_every_entry) \
  X(test_bench_probe_drops_the_samples_of_a_slow_spell) \
  X(test_bench_probe_never_hides_a_slow_kernel) \
  X(test_bench_probe_busy_machine_is_no_evidence) \
  X(test_bench_stats_empty_and_single)                     \
  X(test_bench_classify_no_samples_is_no_evidence)         \
  X(test_bench_classify_short_sample_is_no_evidence)       \
  X(test_bench_classify_zero_p95_is_no_evidence)           \
  X(test_bench_classify_budget_boundary)                   \
  X(test_bench_classify_w1_is_skipped_only_with_evidence)  \
  X(test_bench_json_never_writes_nan)                      \
  X(test_bench_json_ticks_are_exactly_ns_over_quarter)     \
  X(test_bench_slow_kernel_is_over_budget)                 \
  X(test_bench_zero_or_missing_figure_is_no_evidence)      \
  X(test_cli_eval_prints_every_op)                         \
  X(test_cli_eval_refuses_bad_input)                       \
  X(test_cli_usage_errors_exit_2)                          \
  X(test_cli_bench_json_writes_a_report)

#define DECLARE_TEST(name) void name(void);
TEST_CASES(DECLARE_TEST)
#undef DECLARE_TEST

#endif /* KNHK_TEST_MAIN_H */
