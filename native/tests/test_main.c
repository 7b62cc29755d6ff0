/* test_main.c: runs every test case of TEST_CASES (test_main.h) and prints TAP: "1..N", then
 * "ok i - name" or "not ok i - name" followed by its "# " diagnostics; exits 1 if any failed. */
#include "test_main.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

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

#ifndef KNHK_TEST_CLI
#error "build with -DKNHK_TEST_CLI=<path of the KNHK_TESTING knhk CLI> (the Makefile does)"
#endif

int test_run_cli(const char *env, const char *args, char *out, size_t size) {
  char cmd[1024];
  /* The sanitizer options are inherited: a leak or UB in the CLI fails its exit status. */
  snprintf(cmd, sizeof cmd, "env %s %s %s 2>&1", env ? env : "", KNHK_TEST_CLI, args);
  FILE *p = popen(cmd, "r");
  if (p == NULL) return -1;
  size_t n = out && size ? fread(out, 1, size - 1, p) : 0;
  if (out && size) out[n] = '\0';
  char sink[4096];
  while (fread(sink, 1, sizeof sink, p) > 0) {
  }
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
