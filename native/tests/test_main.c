/* test_main.c: runs every test case of TEST_CASES (test_main.h) and prints TAP: "1..N", then
 * "ok i - name" or "not ok i - name" followed by its "# " diagnostics; exits 1 if any failed. */
#include "test_main.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char diag[8192];
static size_t diag_len;
static int failed_checks;

void test_fail(const char *file, int line, const char *fmt, ...) {
  failed_checks++;
  if (diag_len >= sizeof diag - 1) return;
  int n = snprintf(diag + diag_len, sizeof diag - diag_len, "# %s:%d: ", file, line);
  if (n > 0) diag_len = diag_len + (size_t)n < sizeof diag ? diag_len + (size_t)n : sizeof diag - 1;
  va_list ap;
  va_start(ap, fmt);
  n = vsnprintf(diag + diag_len, sizeof diag - diag_len, fmt, ap);
  va_end(ap);
  if (n > 0) diag_len = diag_len + (size_t)n < sizeof diag ? diag_len + (size_t)n : sizeof diag - 1;
  if (diag_len < sizeof diag - 1) diag[diag_len++] = '\n';
  diag[diag_len] = '\0';
}

static const struct {
  const char *name;
  void (*fn)(void);
} TESTS[] = {
#define TEST_ENTRY(name) {#name, name},
    TEST_CASES(TEST_ENTRY)
#undef TEST_ENTRY
};

int main(void) {
  size_t count = sizeof TESTS / sizeof TESTS[0];
  size_t passed = 0;
  printf("1..%zu\n", count);
  for (size_t i = 0; i < count; i++) {
    diag_len = 0;
    diag[0] = '\0';
    failed_checks = 0;
    TESTS[i].fn();
    printf("%s %zu - %s\n", failed_checks ? "not ok" : "ok", i + 1, TESTS[i].name);
    fputs(diag, stdout);
    if (!failed_checks) passed++;
    fflush(stdout);
  }
  printf("# %zu passed, %zu failed\n", passed, count - passed);
  return passed == count ? 0 : 1;
}
