/* test_variants.c: every supported variant against portable on >= 100,000 seeded cases per op
 * (knhk_selftest, the engine of `knhk selftest`), and proof that the check can fail: the
 * KNHK_TESTING build's deliberately wrong variant is caught, in process and by the CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knhk.h"
#include "knhk_impl.h"
#include "test_main.h"

#define SEED 0x6b6e686b5e1f7e57ull

void test_variants_match_portable_on_generated_data(void) {
  knhk_selftest_t *st = malloc(sizeof *st);
  if (st == NULL) return;
  CHECK_EQ_U64(knhk_selftest(SEED, KNHK_SELFTEST_CASES, 0, st), KNHK_OK, "case=%s selftest status", "100k");
  CHECK(!st->failed, "first mismatch: %s", st->mismatch);
  CHECK_EQ_U64(st->cases_per_op, KNHK_SELFTEST_CASES, "case=%s cases per op", "100k");
  /* Every supported variant other than portable was compared, through every op. */
  size_t want = 0;
  for (size_t v = 0; v < knhk_variant_count(); v++)
    want += knhk_variant_supported(v) && !knhk_variant_testing_only(v) && knhk_variant_ops(v) != &knhk_ops_portable;
  CHECK_EQ_U64(st->variants, want, "case=%s variants compared", "100k");
  for (size_t v = 0; v < st->variants; v++)
    for (uint32_t op = 1; op < KNHK_OP_END; op++)
      CHECK(st->cases[v][op] >= KNHK_SELFTEST_CASES, "variant=%s op=%s cases=%llu < %u", st->names[v],
            knhk_op_name(op), (unsigned long long)st->cases[v][op], KNHK_SELFTEST_CASES);
  free(st);
}

void test_variants_selftest_catches_wrong_variant(void) {
  knhk_selftest_t *st = malloc(sizeof *st);
  if (st == NULL) return;
  CHECK_EQ_U64(knhk_selftest(SEED, 1000, 1, st), KNHK_OK, "case=%s selftest status", "with-wrong-lane");
  CHECK(st->failed, "the wrong-lane variant was not caught in %u cases per op", st->cases_per_op);
  CHECK(strstr(st->mismatch, "variant wrong-lane") != NULL && strstr(st->mismatch, ", op ") != NULL &&
            strstr(st->mismatch, ", case ") != NULL && strstr(st->mismatch, "expected") != NULL &&
            strstr(st->mismatch, "got") != NULL,
        "mismatch does not name variant, op, case, expected and got: \"%s\"", st->mismatch);
  free(st);
}

void test_variants_cli_selftest_fails_on_wrong_variant(void) {
  char out[8192];
  int rc = test_run_cli(NULL, "selftest --cases 2000", out, sizeof out);
  CHECK_EQ_U64(rc, 1, "case=%s exit status (output: %.300s)", "knhk selftest (KNHK_TESTING)", out);
  CHECK(strstr(out, "knhk: selftest: variant wrong-lane") != NULL && strstr(out, ", op ") != NULL &&
            strstr(out, ", case ") != NULL && strstr(out, "expected") != NULL,
        "stderr does not name the variant, op and case:\n%.1000s", out);
}

void test_variants_cli_selftest_passes_without_wrong_variant(void) {
  char out[16384];
  /* The testing CLI hides nothing by default; forcing each real variant still tests them all, and
   * hiding the wrong one (KNHK_TESTING_HIDE_VARIANTS) gives a clean pass with the counts printed. */
  int rc = test_run_cli("KNHK_TESTING_HIDE_VARIANTS=wrong-lane", "selftest --cases 4000", out, sizeof out);
  CHECK_EQ_U64(rc, 0, "case=%s exit status (output: %.400s)", "selftest, wrong-lane hidden", out);
  size_t others = 0; /* real variants besides portable: with none, there is nothing to compare */
  for (size_t v = 0; v < knhk_variant_count(); v++)
    others += knhk_variant_supported(v) && !knhk_variant_testing_only(v) && knhk_variant_ops(v) != &knhk_ops_portable;
  if (others > 0)
    CHECK(strstr(out, "selftest passed") != NULL && strstr(out, "ASK_SP") != NULL && strstr(out, "4000 cases ok") != NULL,
          "selftest output lacks the per-op counts:\n%.600s", out);
  else
    CHECK(strstr(out, "nothing to compare") != NULL, "selftest output with portable alone:\n%.600s", out);
}
