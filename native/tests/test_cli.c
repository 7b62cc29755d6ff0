/* test_cli.c: the knhk CLI (its KNHK_TESTING build) on real files: `eval` prints every op in the
 * documented format and refuses bad input with exit 2 and nothing on stdout; `bench --json` writes
 * a report; usage errors exit 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knhk.h"
#include "test_main.h"

/* Writes text to a temporary file and runs `knhk eval` on it; the path goes into path. */
static int eval_text(const char *text, char *out, size_t size) {
  char path[] = "/tmp/knhk-test-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  size_t len = strlen(text);
  ssize_t written = write(fd, text, len);
  close(fd);
  char args[64];
  snprintf(args, sizeof args, "eval %s", path);
  int rc = written == (ssize_t)len ? test_run_cli("KNHK_TESTING_HIDE_VARIANTS=wrong-lane", args, out, size) : -1;
  unlink(path);
  return rc;
}

void test_cli_eval_prints_every_op(void) {
  const char *text =
      "# lanes: S = 5 0 5 9, O = 50 51 52 53 (predicate 7)\n"
      "triple 5 7 50\ntriple 0 7 51\ntriple 5 7 52\ntriple 9 7 53\n"
      "run 7 0 4\n"
      "hook ASK_SP 7 5 0 0\nhook ASK_SPO 7 5 52 0\nhook ASK_OP 7 0 54 0\n"
      "hook COUNT_SP_GE 7 5 0 2\nhook COUNT_SP_LE 7 5 0 1\nhook COUNT_SP_EQ 7 5 0 2\n"
      "hook COUNT_OP_GE 7 0 51 1\nhook COUNT_OP_LE 7 0 51 0\nhook COUNT_OP_EQ 7 0 51 1\n"
      "hook UNIQUE_SP 7 9 0 0\nhook COMPARE_O_EQ 7 0 53 0\nhook COMPARE_O_GT 7 0 53 0\n"
      "hook COMPARE_O_LT 7 0 50 0\nhook COMPARE_O_GE 7 0 53 0\nhook COMPARE_O_LE 7 0 49 0\n"
      "hook VALIDATE_DATATYPE_SP 7 9 53 0\nhook VALIDATE_DATATYPE_SPO 7 9 52 0\n"
      "hook SELECT_SP 7 5 0 0\nhook CONSTRUCT8 7 0 99 0\nhook SELECT_SP 8 5 0 0\n";
  const char *want =
      "ASK_SP 1\nASK_SPO 1\nASK_OP 0\nCOUNT_SP_GE 1\nCOUNT_SP_LE 0\nCOUNT_SP_EQ 1\nCOUNT_OP_GE 1\n"
      "COUNT_OP_LE 0\nCOUNT_OP_EQ 1\nUNIQUE_SP 1\nCOMPARE_O_EQ 1\nCOMPARE_O_GT 0\nCOMPARE_O_LT 0\n"
      "COMPARE_O_GE 1\nCOMPARE_O_LE 0\nVALIDATE_DATATYPE_SP 1\nVALIDATE_DATATYPE_SPO 0\n"
      "SELECT_SP 2 50 52\nCONSTRUCT8 3 0x0d\nSELECT_SP 0\n";
  char out[2048];
  int rc = eval_text(text, out, sizeof out);
  CHECK_EQ_U64(rc, 0, "case=%s exit (output: %s)", "every op", out);
  CHECK_EQ_STR(out, want, "eval output");
}

void test_cli_eval_refuses_bad_input(void) {
  const struct {
    const char *name, *text, *message;
  } CASES[] = {
      {"run longer than 8", "triple 1 7 0\nrun 7 0 12\n", "knhk: eval: line 2: run length must be 0..8, got 12"},
      {"unknown op", "triple 1 7 0\nrun 7 0 1\nhook ASK 7 1 0 0\n", "knhk: eval: line 3: unknown op: expected one of ASK_SP"},
      {"k above len", "triple 1 7 0\nrun 7 0 1\nhook COUNT_SP_GE 7 1 0 2\n",
       "knhk: eval: line 3: k must be <= the run length 1 (run on line 2), got 2"},
      {"bad number", "triple 1 7 0x1g\n", "knhk: eval: line 1: bad number: expected unsigned 64-bit decimal or 0x-hex, got '0x1g'"},
  };
  for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
    char out[1024];
    int rc = eval_text(CASES[c].text, out, sizeof out);
    CHECK_EQ_U64(rc, 2, "case=%s exit (output: %s)", CASES[c].name, out);
    CHECK(strncmp(out, CASES[c].message, strlen(CASES[c].message)) == 0, "case=%s message \"%s\"", CASES[c].name, out);
  }
}

void test_cli_usage_errors_exit_2(void) {
  char out[1024];
  CHECK_EQ_U64(test_run_cli(NULL, "frobnicate", out, sizeof out), 2, "case=%s", "unknown command");
  CHECK(strstr(out, "knhk: usage: unknown command: expected version, selftest, bench or eval, got 'frobnicate'") != NULL,
        "message: %s", out);
  CHECK_EQ_U64(test_run_cli(NULL, "bench --samples 10", out, sizeof out), 2, "case=%s", "bench samples");
  CHECK(strstr(out, "knhk: bench: bad --samples: expected a whole number 1000..10000000, got '10'") != NULL,
        "message: %s", out);
  CHECK_EQ_U64(test_run_cli(NULL, "bench --variant wrong-lane", out, sizeof out), 2, "case=%s", "bench test variant");
  CHECK(strstr(out, "knhk: bench: bad --variant: expected one this CPU supports") != NULL, "message: %s", out);
  CHECK_EQ_U64(test_run_cli(NULL, "selftest --cases 3", out, sizeof out), 2, "case=%s", "selftest cases");
  CHECK_EQ_U64(test_run_cli(NULL, "version extra", out, sizeof out), 2, "case=%s", "version argument");
}

void test_cli_bench_json_writes_a_report(void) {
  char *out = malloc(65536);
  if (out == NULL) return;
  int rc = test_run_cli(NULL, "bench --json --op SELECT_SP --variant portable --samples 1000", out, 65536);
  CHECK_EQ_U64(rc, 0, "case=%s exit (output: %.300s)", "bench --json", out);
  CHECK(strstr(out, "\"schema\": \"knhk.tick-bench/v1\"") != NULL && strstr(out, "\"call_mode\": \"batch\"") != NULL,
        "not a tick-bench report:\n%.500s", out);
  size_t entries = 0;
  for (const char *p = out; (p = strstr(p, "\"op\": \"SELECT_SP\"")) != NULL; p++) entries++;
  CHECK_EQ_U64(entries, 3, "case=%s entries (batch, api, inline)", "SELECT_SP portable");
  free(out);
}
