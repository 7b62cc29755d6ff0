/* knhk_main.c: the `knhk` CLI shipped in the release tarball: version, selftest, bench, eval (README.md).
 * Errors go to stderr as "knhk: <command>: <what is wrong>: expected <x>, got <y>".
 * Exit codes: 0 ok, 1 failed check, 2 usage or bad input, 3 internal error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "knhk.h"
#include "knhk_impl.h"

#define EXIT_OK 0
#define EXIT_CHECK_FAILED 1
#define EXIT_USAGE 2
#define EXIT_INTERNAL 3

#define EVAL_MAX_TRIPLES 64 /* one small graph: 8 runs of 8 lanes */
#define EVAL_LINE_MAX 1024

#define SELFTEST_SEED 0x6b6e686b5e1f7e57ull /* fixed, so a failure reproduces */

static const char USAGE[] =
    "usage: knhk <command> [options]\n"
    "  knhk version                  print the version and the kernel variant in use\n"
    "  knhk selftest [--cases N] [--seed N]\n"
    "                                check every supported variant against portable\n"
    "  knhk bench [--json] [--op OP] [--variant NAME] [--samples N] [--commit SHA]\n"
    "                                time every op (tick-bench report with --json)\n"
    "  knhk eval FILE                evaluate the hooks of a triples file, one line each\n"
    "environment: KNHK_FORCE_VARIANT=<name> forces a kernel variant\n"
    "exit codes: 0 ok, 1 failed check, 2 usage or bad input, 3 internal error\n";

static int fail(int code, const char *command, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "knhk: %s: ", command);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return code;
}

/* "ASK_SP, ASK_SPO, ..." into out: what an op argument may be. */
static void list_ops(char *out, size_t size) {
  out[0] = '\0';
  for (uint32_t op = 1; op < KNHK_OP_END; op++) {
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s", used ? ", " : "", knhk_op_name(op));
  }
}

/* Unsigned 64-bit, decimal or 0x-hex, nothing else (no sign, no spaces, no octal). */
static int parse_u64(const char *t, uint64_t *out) {
  uint64_t v = 0;
  if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    const char *d = t + 2;
    if (*d == '\0' || strlen(d) > 16) return 0;
    for (; *d; d++) {
      int x = (*d >= '0' && *d <= '9')   ? *d - '0'
              : (*d >= 'a' && *d <= 'f') ? *d - 'a' + 10
              : (*d >= 'A' && *d <= 'F') ? *d - 'A' + 10
                                         : -1;
      if (x < 0) return 0;
      v = (v << 4) | (uint64_t)x;
    }
  } else {
    if (*t == '\0') return 0;
    for (const char *d = t; *d; d++) {
      if (*d < '0' || *d > '9') return 0;
      uint64_t digit = (uint64_t)(*d - '0');
      if (v > (UINT64_MAX - digit) / 10) return 0;
      v = v * 10 + digit;
    }
  }
  *out = v;
  return 1;
}

/* ---- the variant in use ----------------------------------------------------------------------- */

/* Names of the variants this CPU supports, best first: "avx2 sse2 portable". */
static void list_supported(char *out, size_t size) {
  out[0] = '\0';
  for (size_t i = 0; i < knhk_variant_count(); i++) {
    if (!knhk_variant_supported(i)) continue;
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s", used ? " " : "", knhk_variant_name(i));
  }
}

static int variant_built(const char *name) {
  for (size_t i = 0; i < knhk_variant_count(); i++)
    if (strcmp(knhk_variant_name(i), name) == 0) return 1;
  return 0;
}

/* Every command starts here: a refused KNHK_FORCE_VARIANT fails it with exit 2. */
static int check_variant(const char *command) {
  knhk_status st = knhk_variant_status();
  if (st == KNHK_OK) return EXIT_OK;
  const char *forced = knhk_variant_forced();
  char supported[256];
  list_supported(supported, sizeof supported);
  if (st == KNHK_E_VARIANT_UNKNOWN)
    return fail(EXIT_USAGE, command,
                "KNHK_FORCE_VARIANT=%s is not a kernel variant: expected one of portable sse2 avx2 avx512 neon "
                "wasm-simd128 (supported here: %s), got '%s'",
                forced, supported, forced);
  if (variant_built(forced))
    return fail(EXIT_USAGE, command, "KNHK_FORCE_VARIANT=%s is not supported on this CPU (supported: %s)", forced,
                supported);
  return fail(EXIT_USAGE, command, "KNHK_FORCE_VARIANT=%s is not built into this binary (supported: %s)", forced,
              supported);
}

/* ---- knhk version ----------------------------------------------------------------------------- */

static int cmd_version(int argc, char **argv) {
  if (argc != 0) return fail(EXIT_USAGE, "version", "unexpected argument: expected none, got '%s'", argv[0]);
  printf("knhk %s (variant: %s)\n", KNHK_VERSION, knhk_variant_active());
  return EXIT_OK;
}

/* Takes the value of "--flag VALUE" or "--flag=VALUE"; NULL when there is none. */
static const char *flag_value(const char *flag, int argc, char **argv, int *i) {
  size_t n = strlen(flag);
  if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (strcmp(argv[*i], flag) != 0) return NULL;
  if (*i + 1 >= argc) return "";
  return argv[++*i];
}

/* ---- knhk selftest ---------------------------------------------------------------------------- */

static int cmd_selftest(int argc, char **argv) {
  uint64_t cases = KNHK_SELFTEST_CASES, seed = SELFTEST_SEED;
  for (int i = 0; i < argc; i++) {
    const char *v;
    if ((v = flag_value("--cases", argc, argv, &i)) != NULL) {
      if (!parse_u64(v, &cases) || cases < 8 || cases > 100000000u)
        return fail(EXIT_USAGE, "selftest", "bad --cases: expected a whole number 8..100000000, got '%s'", v);
    } else if ((v = flag_value("--seed", argc, argv, &i)) != NULL) {
      if (!parse_u64(v, &seed))
        return fail(EXIT_USAGE, "selftest", "bad --seed: expected unsigned 64-bit decimal or 0x-hex, got '%s'", v);
    } else {
      return fail(EXIT_USAGE, "selftest", "unknown option: expected --cases or --seed, got '%s'", argv[i]);
    }
  }
  knhk_selftest_t *st = malloc(sizeof *st);
  if (st == NULL) return fail(EXIT_INTERNAL, "selftest", "%s", knhk_status_str(KNHK_E_NOMEM));
  printf("knhk selftest: variant in use %s; seed 0x%016llx; every supported variant against portable\n",
         knhk_variant_active(), (unsigned long long)seed);
  if (knhk_selftest(seed, (uint32_t)cases, 1, st) != KNHK_OK) {
    free(st);
    return fail(EXIT_INTERNAL, "selftest", "%s", knhk_status_str(KNHK_E_NOMEM));
  }
  if (st->failed) {
    int rc = fail(EXIT_CHECK_FAILED, "selftest", "%s", st->mismatch);
    free(st);
    return rc;
  }
  if (st->variants == 0) printf("no variant besides portable is supported here: nothing to compare\n");
  for (size_t v = 0; v < st->variants; v++) {
    for (uint32_t op = 1; op < KNHK_OP_END; op++)
      printf("%-8s %-21s %9llu cases ok\n", st->names[v], knhk_op_name(op), (unsigned long long)st->cases[v][op]);
    printf("%-8s %-21s %9llu cases ok\n", st->names[v], "(mixed-op batches)", (unsigned long long)st->cases[v][0]);
  }
  printf("selftest passed: %zu variant(s) x %u ops x %u cases per op, each through the per-call, batch and inline "
         "entry points\n",
         st->variants, KNHK_OP_END - 1, st->cases_per_op);
  free(st);
  return EXIT_OK;
}

/* ---- knhk bench ------------------------------------------------------------------------------- */

static int is_sha(const char *s) {
  if (strlen(s) != 40) return 0;
  for (const char *c = s; *c; c++)
    if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || (*c >= 'A' && *c <= 'F'))) return 0;
  return 1;
}

static int cmd_bench(int argc, char **argv) {
  knhk_bench_params_t params = {0, NULL, KNHK_BENCH_DEFAULT_SAMPLES, KNHK_BENCH_WARMUP_SAMPLES,
                                KNHK_BENCH_CALIBRATION_MS, NULL};
  int json = 0;
  char sha[41] = "";
  char list[512];
  for (int i = 0; i < argc; i++) {
    const char *v;
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if ((v = flag_value("--op", argc, argv, &i)) != NULL) {
      if (knhk_op_parse(v, &params.op) != KNHK_OK) {
        list_ops(list, sizeof list);
        return fail(EXIT_USAGE, "bench", "unknown --op: expected one of %s, got '%s'", list, v);
      }
    } else if ((v = flag_value("--variant", argc, argv, &i)) != NULL) {
      size_t idx = 0;
      while (idx < knhk_variant_count() && strcmp(knhk_variant_name(idx), v) != 0) idx++;
      list_supported(list, sizeof list);
      if (idx == knhk_variant_count() || !knhk_variant_supported(idx) || knhk_variant_testing_only(idx))
        return fail(EXIT_USAGE, "bench", "bad --variant: expected one this CPU supports (%s), got '%s'", list, v);
      params.variant = knhk_variant_name(idx);
    } else if ((v = flag_value("--samples", argc, argv, &i)) != NULL) {
      uint64_t n;
      if (!parse_u64(v, &n) || n < KNHK_BENCH_MIN_SAMPLES || n > KNHK_BENCH_MAX_SAMPLES)
        return fail(EXIT_USAGE, "bench", "bad --samples: expected a whole number %u..%u, got '%s'",
                    KNHK_BENCH_MIN_SAMPLES, KNHK_BENCH_MAX_SAMPLES, v);
      params.samples = (uint32_t)n;
    } else if ((v = flag_value("--commit", argc, argv, &i)) != NULL) {
      if (!is_sha(v))
        return fail(EXIT_USAGE, "bench", "bad --commit: expected a full commit SHA (40 hex digits), got '%s'", v);
      for (int c = 0; c < 40; c++) sha[c] = (char)(v[c] >= 'A' && v[c] <= 'F' ? v[c] - 'A' + 'a' : v[c]);
      sha[40] = '\0';
      params.commit_sha = sha;
    } else {
      return fail(EXIT_USAGE, "bench",
                  "unknown option: expected --json, --op, --variant, --samples or --commit, got '%s'", argv[i]);
    }
  }
  knhk_bench_report_t *report = malloc(sizeof *report);
  if (report == NULL) return fail(EXIT_INTERNAL, "bench", "%s", knhk_status_str(KNHK_E_NOMEM));
  char err[320] = "";
  int rc = knhk_bench_run(&params, report, err, sizeof err);
  if (rc != 0) {
    free(report);
    return fail(EXIT_INTERNAL, "bench", "%s", err);
  }
  if (json) knhk_bench_write_json(stdout, report);
  else knhk_bench_write_table(stdout, report);
  free(report);
  /* 0 whenever a report was produced: its verdicts are evidence for Gate 3, which judges them. */
  return EXIT_OK;
}

/* ---- knhk eval -------------------------------------------------------------------------------- */

typedef struct {
  knhk_run_t run;
  int run_line;
  knhk_hook_t hook;
  int line;
  knhk_receipt_t receipt;
  knhk_out_t out; /* SELECT_SP, CONSTRUCT8 */
} eval_hook_t;

typedef struct {
  uint64_t s[EVAL_MAX_TRIPLES], p[EVAL_MAX_TRIPLES], o[EVAL_MAX_TRIPLES];
  size_t triples;
  eval_hook_t *hooks;
  size_t hook_count, hook_cap;
} eval_file_t;

#define EVAL_FAIL(line, ...) (fprintf(stderr, "knhk: eval: line %d: ", (line)), fprintf(stderr, __VA_ARGS__), \
                              fputc('\n', stderr), EXIT_USAGE)

static int parse_numbers(int line, char **tok, int count, uint64_t *out) {
  for (int i = 0; i < count; i++)
    if (!parse_u64(tok[i], &out[i]))
      return EVAL_FAIL(line, "bad number: expected unsigned 64-bit decimal or 0x-hex, got '%s'", tok[i]);
  return EXIT_OK;
}

/* Reads the whole file first (triples may follow the runs that use them), then checks runs. */
static int eval_parse(FILE *f, eval_file_t *ef) {
  char buf[EVAL_LINE_MAX];
  int line = 0, have_run = 0, run_line = 0;
  knhk_run_t run = {0, 0, 0};
  while (fgets(buf, sizeof buf, f) != NULL) {
    line++;
    if (strchr(buf, '\n') == NULL && !feof(f))
      return EVAL_FAIL(line, "line too long: expected at most %d characters, got more", EVAL_LINE_MAX - 2);
    char *hash = strchr(buf, '#');
    if (hash != NULL) *hash = '\0';
    char *tok[8];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
      if (n == 8) return EVAL_FAIL(line, "too many fields: expected at most 6, got more than 8");
      tok[n++] = t;
    }
    if (n == 0) continue;
    uint64_t v[5];
    int rc;
    if (strcmp(tok[0], "triple") == 0) {
      if (n != 4) return EVAL_FAIL(line, "triple takes 3 numbers: expected 'triple <s> <p> <o>', got %d", n - 1);
      if ((rc = parse_numbers(line, tok + 1, 3, v)) != EXIT_OK) return rc;
      if (ef->triples == EVAL_MAX_TRIPLES)
        return EVAL_FAIL(line, "too many triples: expected at most %d, got %d", EVAL_MAX_TRIPLES,
                         EVAL_MAX_TRIPLES + 1);
      ef->s[ef->triples] = v[0];
      ef->p[ef->triples] = v[1];
      ef->o[ef->triples] = v[2];
      ef->triples++;
    } else if (strcmp(tok[0], "run") == 0) {
      if (n != 4) return EVAL_FAIL(line, "run takes 3 numbers: expected 'run <pred> <off> <len>', got %d", n - 1);
      if ((rc = parse_numbers(line, tok + 1, 3, v)) != EXIT_OK) return rc;
      if (v[2] > KNHK_MAX_LANES)
        return EVAL_FAIL(line, "run length must be 0..%u, got %s", KNHK_MAX_LANES, tok[3]);
      if (v[1] > UINT32_MAX) return EVAL_FAIL(line, "run offset must be 0..%u, got %s", UINT32_MAX, tok[2]);
      run = (knhk_run_t){v[0], (uint32_t)v[1], (uint32_t)v[2]};
      have_run = 1;
      run_line = line;
    } else if (strcmp(tok[0], "hook") == 0) {
      if (n != 6)
        return EVAL_FAIL(line, "hook takes an op and 4 numbers: expected 'hook <OP> <p> <s> <o> <k>', got %d fields",
                         n - 1);
      uint32_t op;
      if (knhk_op_parse(tok[1], &op) != KNHK_OK) {
        char ops[512];
        list_ops(ops, sizeof ops);
        return EVAL_FAIL(line, "unknown op: expected one of %s, got '%s'", ops, tok[1]);
      }
      if ((rc = parse_numbers(line, tok + 2, 4, v)) != EXIT_OK) return rc;
      if (!have_run) return EVAL_FAIL(line, "hook before any run: expected a 'run <pred> <off> <len>' line first, got none");
      if (ef->hook_count == ef->hook_cap) {
        size_t cap = ef->hook_cap ? ef->hook_cap * 2 : 16;
        eval_hook_t *grown = realloc(ef->hooks, cap * sizeof *grown);
        if (grown == NULL) return fail(EXIT_INTERNAL, "eval", "%s", knhk_status_str(KNHK_E_NOMEM));
        ef->hooks = grown;
        ef->hook_cap = cap;
      }
      eval_hook_t *h = &ef->hooks[ef->hook_count++];
      memset(h, 0, sizeof *h);
      h->run = run;
      h->run_line = run_line;
      h->hook = (knhk_hook_t){op, v[0], v[1], v[2], v[3]};
      h->line = line;
    } else {
      return EVAL_FAIL(line, "unknown keyword: expected triple, run or hook, got '%s'", tok[0]);
    }
  }
  if (ferror(f)) return fail(EXIT_USAGE, "eval", "cannot read the file: expected a readable text file, got a read error (%s)",
                             strerror(errno));
  return EXIT_OK;
}

/* Turns an admission refusal into a message naming the line and the value at fault. */
static int eval_refusal(const eval_hook_t *h, size_t triples, knhk_status st) {
  switch (st) {
    case KNHK_E_RUN_OUT_OF_RANGE:
      return EVAL_FAIL(h->run_line, "run off + len must be <= %zu (the triples in the file), got %u + %u = %llu",
                       triples, h->run.off, h->run.len, (unsigned long long)h->run.off + h->run.len);
    case KNHK_E_K_GT_LEN:
      return EVAL_FAIL(h->line, "k must be <= the run length %u (run on line %d), got %llu", h->run.len,
                       h->run_line, (unsigned long long)h->hook.k);
    default:
      return EVAL_FAIL(h->line, "hook refused by the admission guard: expected an admissible hook, got: %s",
                       knhk_status_str(st));
  }
}

/* "<OP> <result>"; SELECT_SP adds the selected objects, CONSTRUCT8 the lane mask in hex. */
static void print_result(const eval_hook_t *h) {
  printf("%s %u", knhk_op_name(h->hook.op), h->receipt.result);
  if (h->hook.op == KNHK_OP_SELECT_SP)
    for (uint32_t j = 0; j < h->receipt.result; j++) printf(" %llu", (unsigned long long)h->out.O[j]);
  else if (h->hook.op == KNHK_OP_CONSTRUCT8)
    printf(" 0x%02x", h->receipt.mask);
  putchar('\n');
}

static int cmd_eval(int argc, char **argv) {
  if (argc != 1)
    return fail(EXIT_USAGE, "eval", "wrong arguments: expected one triples FILE, got %d arguments", argc);
  FILE *f = fopen(argv[0], "r");
  if (f == NULL)
    return fail(EXIT_USAGE, "eval", "cannot open the file: expected a readable triples file, got '%s' (%s)", argv[0],
                strerror(errno));
  eval_file_t *ef = calloc(1, sizeof *ef);
  if (ef == NULL) {
    fclose(f);
    return fail(EXIT_INTERNAL, "eval", "%s", knhk_status_str(KNHK_E_NOMEM));
  }
  int rc = eval_parse(f, ef);
  fclose(f);
  knhk_soa_t soa = {0};
  if (rc == EXIT_OK && knhk_soa_alloc(&soa, ef->triples) != KNHK_OK)
    rc = fail(EXIT_INTERNAL, "eval", "%s", knhk_status_str(KNHK_E_NOMEM));
  if (rc == EXIT_OK) {
    memcpy(soa.S, ef->s, ef->triples * sizeof(uint64_t));
    memcpy(soa.P, ef->p, ef->triples * sizeof(uint64_t));
    memcpy(soa.O, ef->o, ef->triples * sizeof(uint64_t));
    /* All hooks are evaluated before any is printed: a bad hook leaves no partial output. */
    for (size_t i = 0; i < ef->hook_count && rc == EXIT_OK; i++) {
      eval_hook_t *h = &ef->hooks[i];
      knhk_status st = knhk_eval(&soa, h->run, &h->hook, &h->out, &h->receipt);
      if (st != KNHK_OK) rc = eval_refusal(h, ef->triples, st);
    }
  }
  if (rc == EXIT_OK)
    for (size_t i = 0; i < ef->hook_count; i++) print_result(&ef->hooks[i]);
  knhk_soa_free(&soa);
  free(ef->hooks);
  free(ef);
  return rc;
}

/* ---- main ------------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(USAGE, stderr);
    return fail(EXIT_USAGE, "usage", "missing command: expected version, selftest, bench or eval, got nothing");
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    fputs(USAGE, stdout);
    return EXIT_OK;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } COMMANDS[] = {{"version", cmd_version}, {"--version", cmd_version}, {"selftest", cmd_selftest},
                  {"bench", cmd_bench},     {"eval", cmd_eval}};
  for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
    if (strcmp(cmd, COMMANDS[i].name) != 0) continue;
    const char *name = cmd[0] == '-' ? "version" : cmd;
    int rc = check_variant(name);
    return rc != EXIT_OK ? rc : COMMANDS[i].run(argc - 2, argv + 2);
  }
  return fail(EXIT_USAGE, "usage", "unknown command: expected version, selftest, bench or eval, got '%s'", cmd);
}
