/* knhk_main.c: the `knhk` CLI shipped in the release tarball: version, bench, eval (README.md).
 * Errors go to stderr as "knhk: <command>: <what is wrong>: expected <x>, got <y>".
 * Exit codes: 0 ok, 1 failed check, 2 usage or bad input, 3 internal error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "knhk.h"

#define EXIT_OK 0
#define EXIT_USAGE 2
#define EXIT_INTERNAL 3

#define EVAL_MAX_TRIPLES 64 /* one small graph: 8 runs of 8 lanes */
#define EVAL_LINE_MAX 1024

static const char USAGE[] =
    "usage: knhk <command> [options]\n"
    "  knhk version                  print the version and the kernel variant in use\n"
    "  knhk bench [--json] [--op OP] [--samples N] [--commit SHA]\n"
    "                                time the hot operations (tick-bench report with --json)\n"
    "  knhk eval FILE                evaluate the hooks of a triples file, one '<OP> <result>' "
    "line each\n"
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

/* "ASK_SP" or "ASK_SP, ASK_SPO, ..." into out: what an op argument may be. */
static void list_ops(char *out, size_t size, int implemented_only) {
  out[0] = '\0';
  for (uint32_t op = 1; op < KNHK_OP_END; op++) {
    if (implemented_only && !knhk_op_implemented(op)) continue;
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

/* ---- knhk version ----------------------------------------------------------------------------- */

static int cmd_version(int argc, char **argv) {
  (void)argv;
  if (argc != 0) return fail(EXIT_USAGE, "version", "unexpected argument: expected none, got '%s'", argv[0]);
  printf("knhk %s (variant: %s)\n", KNHK_VERSION, knhk_variant_active());
  return EXIT_OK;
}

/* ---- knhk bench ------------------------------------------------------------------------------- */

/* Takes the value of "--flag VALUE" or "--flag=VALUE"; NULL when there is none. */
static const char *flag_value(const char *flag, int argc, char **argv, int *i) {
  size_t n = strlen(flag);
  if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (strcmp(argv[*i], flag) != 0) return NULL;
  if (*i + 1 >= argc) return "";
  return argv[++*i];
}

static int is_sha(const char *s) {
  if (strlen(s) != 40) return 0;
  for (const char *c = s; *c; c++)
    if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || (*c >= 'A' && *c <= 'F'))) return 0;
  return 1;
}

static int cmd_bench(int argc, char **argv) {
  knhk_bench_params_t params = {0, 1000, KNHK_BENCH_WARMUP_SAMPLES, KNHK_BENCH_CALIBRATION_MS, NULL};
  int json = 0;
  char sha[41] = "";
  char ops[512];
  for (int i = 0; i < argc; i++) {
    const char *v;
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if ((v = flag_value("--op", argc, argv, &i)) != NULL) {
      list_ops(ops, sizeof ops, 1);
      if (knhk_op_parse(v, &params.op) != KNHK_OK)
        return fail(EXIT_USAGE, "bench", "unknown --op: expected one of %s, got '%s'", ops, v);
      if (!knhk_op_implemented(params.op))
        return fail(EXIT_USAGE, "bench", "--op %s is not implemented yet: expected one of %s, got %s",
                    v, ops, v);
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
      return fail(EXIT_USAGE, "bench", "unknown option: expected --json, --op, --samples or --commit, got '%s'",
                  argv[i]);
    }
  }
  knhk_bench_report_t *report = malloc(sizeof *report);
  if (report == NULL) return fail(EXIT_INTERNAL, "bench", "%s", knhk_status_str(KNHK_E_NOMEM));
  char err[256] = "";
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
  uint32_t result;
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
        list_ops(ops, sizeof ops, 0);
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
      ef->hooks[ef->hook_count++] = (eval_hook_t){run, run_line, {op, v[0], v[1], v[2], v[3]}, line, 0};
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
  const char *name = knhk_op_name(h->hook.op);
  char ops[512];
  switch (st) {
    case KNHK_E_RUN_OUT_OF_RANGE:
      return EVAL_FAIL(h->run_line, "run off + len must be <= %zu (the triples in the file), got %u + %u = %llu",
                       triples, h->run.off, h->run.len, (unsigned long long)h->run.off + h->run.len);
    case KNHK_E_OP_NOT_IMPLEMENTED:
      list_ops(ops, sizeof ops, 1);
      return EVAL_FAIL(h->line, "%s is not implemented yet: expected one of %s, got %s", name, ops, name);
    case KNHK_E_K_GT_LEN:
      return EVAL_FAIL(h->line, "k must be <= the run length %u (run on line %d), got %llu", h->run.len,
                       h->run_line, (unsigned long long)h->hook.k);
    default:
      return EVAL_FAIL(h->line, "hook refused by the admission guard: expected an admissible hook, got: %s",
                       knhk_status_str(st));
  }
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
      knhk_status st = knhk_eval(&soa, h->run, &h->hook, &h->result);
      if (st != KNHK_OK) rc = eval_refusal(h, ef->triples, st);
    }
  }
  if (rc == EXIT_OK)
    for (size_t i = 0; i < ef->hook_count; i++)
      printf("%s %u\n", knhk_op_name(ef->hooks[i].hook.op), ef->hooks[i].result);
  knhk_soa_free(&soa);
  free(ef->hooks);
  free(ef);
  return rc;
}

/* ---- main ------------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(USAGE, stderr);
    return fail(EXIT_USAGE, "usage", "missing command: expected version, bench or eval, got nothing");
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    fputs(USAGE, stdout);
    return EXIT_OK;
  }
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) return cmd_version(argc - 2, argv + 2);
  if (strcmp(cmd, "bench") == 0) return cmd_bench(argc - 2, argv + 2);
  if (strcmp(cmd, "eval") == 0) return cmd_eval(argc - 2, argv + 2);
  return fail(EXIT_USAGE, "usage", "unknown command: expected version, bench or eval, got '%s'", cmd);
}
