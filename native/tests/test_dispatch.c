/* test_dispatch.c: the variant table (named, listable, portable always there), the choice of the
 * best supported variant once at load time, and KNHK_FORCE_VARIANT in a real binary (the
 * KNHK_TESTING CLI): forced, unknown, and not supported on this CPU (simulated by hiding it). */
#include <stdio.h>
#include <string.h>

#include "knhk.h"
#include "knhk_impl.h"
#include "test_main.h"

void test_dispatch_table_lists_named_variants(void) {
  size_t n = knhk_variant_count(), portable = n, first_supported = n;
  CHECK(n >= 1, "no variant compiled in");
  for (size_t i = 0; i < n; i++) {
    const char *name = knhk_variant_name(i);
    CHECK(name != NULL && name[0] != '\0', "variant %zu has no name", i);
    if (name == NULL) continue;
    CHECK(knhk_variant_testing_only(i) || knhk_variant_name_known(name), "variant %s is not a report name", name);
    if (strcmp(name, "portable") == 0) portable = i;
    if (first_supported == n && knhk_variant_supported(i) && !knhk_variant_testing_only(i)) first_supported = i;
  }
  CHECK(portable < n && knhk_variant_supported(portable), "portable missing or unsupported (index %zu)", portable);
  CHECK(knhk_variant_name(n) == NULL, "name past the end is not NULL");
  /* Without KNHK_FORCE_VARIANT the best (first) supported variant is the one in use. */
  if (knhk_variant_forced() == NULL && first_supported < n)
    CHECK_EQ_STR(knhk_variant_active(), knhk_variant_name(first_supported), "active variant");
  CHECK_EQ_U64(knhk_variant_status(), knhk_variant_forced() == NULL ? KNHK_OK : knhk_variant_status(), "case=%s",
               "status");
}

void test_dispatch_force_each_supported_variant(void) {
  for (size_t i = 0; i < knhk_variant_count(); i++) {
    if (!knhk_variant_supported(i)) continue;
    char env[96], out[512], want[128];
    snprintf(env, sizeof env, "KNHK_FORCE_VARIANT=%s", knhk_variant_name(i));
    int rc = test_run_cli(env, "version", out, sizeof out);
    snprintf(want, sizeof want, "(variant: %s)", knhk_variant_name(i));
    CHECK_EQ_U64(rc, 0, "variant=%s case=forced version exit (output: %s)", knhk_variant_name(i), out);
    CHECK(strstr(out, want) != NULL, "variant=%s: version says \"%s\"", knhk_variant_name(i), out);
  }
}

void test_dispatch_force_unknown_variant_fails_clearly(void) {
  char out[1024];
  int rc = test_run_cli("KNHK_FORCE_VARIANT=avx1024", "version", out, sizeof out);
  CHECK_EQ_U64(rc, 2, "case=%s exit (output: %s)", "unknown name", out);
  CHECK(strstr(out, "knhk: version: KNHK_FORCE_VARIANT=avx1024 is not a kernel variant: expected one of portable sse2 "
                    "avx2 avx512 neon wasm-simd128") != NULL && strstr(out, "got 'avx1024'") != NULL,
        "message: %s", out);
  rc = test_run_cli("KNHK_FORCE_VARIANT=avx1024", "eval /dev/null", out, sizeof out);
  CHECK_EQ_U64(rc, 2, "case=%s exit (output: %s)", "unknown name, eval", out);
  CHECK(strncmp(out, "knhk: eval: KNHK_FORCE_VARIANT=avx1024", 38) == 0, "message: %s", out);
}

void test_dispatch_force_unsupported_variant_fails_clearly(void) {
  char out[1024];
  /* A variant built in but (pretend) not supported by this CPU: named, with the ones that are. */
  int rc = test_run_cli("KNHK_TESTING_HIDE_VARIANTS=avx512 KNHK_FORCE_VARIANT=avx512", "bench", out, sizeof out);
#if defined(KNHK_HAVE_AVX512)
  CHECK_EQ_U64(rc, 2, "case=%s exit (output: %s)", "avx512 hidden", out);
  const char *list = strstr(out, "(supported: ");
  CHECK(strstr(out, "knhk: bench: KNHK_FORCE_VARIANT=avx512 is not supported on this CPU (supported: ") != NULL &&
            list != NULL && strstr(list, "portable") != NULL && strstr(list, "avx512") == NULL,
        "message: %s", out);
#else
  CHECK_EQ_U64(rc, 2, "case=%s exit (output: %s)", "avx512 not built", out);
  CHECK(strstr(out, "KNHK_FORCE_VARIANT=avx512 is not built into this binary") != NULL, "message: %s", out);
#endif
  /* A variant of another architecture: a known name, never built here. */
  rc = test_run_cli("KNHK_FORCE_VARIANT=neon", "selftest", out, sizeof out);
#if defined(KNHK_HAVE_NEON)
  CHECK_EQ_U64(rc, 1, "case=%s exit (wrong-lane is in the testing build)", "neon forced");
#else
  CHECK_EQ_U64(rc, 2, "case=%s exit (output: %s)", "neon on another arch", out);
  CHECK(strstr(out, "knhk: selftest: KNHK_FORCE_VARIANT=neon is not built into this binary (supported: ") != NULL,
        "message: %s", out);
#endif
}

void test_dispatch_chooses_next_best_when_best_is_missing(void) {
  char out[512];
  /* Hiding variants from the top of the table: the next supported one is chosen, down to portable. */
  const char *hidden = "";
  char env[160];
  for (size_t i = 0; i < knhk_variant_count(); i++) {
    const char *name = knhk_variant_name(i);
    if (knhk_variant_testing_only(i) || !knhk_variant_supported(i)) continue;
    snprintf(env, sizeof env, "KNHK_TESTING_HIDE_VARIANTS='%s'", hidden);
    int rc = test_run_cli(env, "version", out, sizeof out);
    char want[96];
    snprintf(want, sizeof want, "(variant: %s)", name);
    CHECK(rc == 0 && strstr(out, want) != NULL, "hidden '%s': expected %s, got \"%s\" (exit %d)", hidden, want, out, rc);
    static char acc[128];
    size_t used = strlen(acc);
    snprintf(acc + used, sizeof acc - used, "%s%.40s", used ? " " : "", name);
    hidden = acc;
  }
}
