/* knhk.c: public entry points of libknhk: names, the admission guard, column allocation, and the
 * calls into the active variant. Only the portable variant exists in this release, so the entry
 * points call it directly; no per-operation dispatch (DESIGN §4: it would cost more than the budget). */
#include <stdlib.h>
#include <string.h>

#include "knhk_impl.h"

static const char *const OP_NAMES[KNHK_OP_END] = {
    [KNHK_OP_ASK_SP] = "ASK_SP",
    [KNHK_OP_ASK_SPO] = "ASK_SPO",
    [KNHK_OP_ASK_OP] = "ASK_OP",
    [KNHK_OP_COUNT_SP_GE] = "COUNT_SP_GE",
    [KNHK_OP_COUNT_SP_LE] = "COUNT_SP_LE",
    [KNHK_OP_COUNT_SP_EQ] = "COUNT_SP_EQ",
    [KNHK_OP_COUNT_OP_GE] = "COUNT_OP_GE",
    [KNHK_OP_COUNT_OP_LE] = "COUNT_OP_LE",
    [KNHK_OP_COUNT_OP_EQ] = "COUNT_OP_EQ",
    [KNHK_OP_UNIQUE_SP] = "UNIQUE_SP",
    [KNHK_OP_COMPARE_O_EQ] = "COMPARE_O_EQ",
    [KNHK_OP_COMPARE_O_GT] = "COMPARE_O_GT",
    [KNHK_OP_COMPARE_O_LT] = "COMPARE_O_LT",
    [KNHK_OP_COMPARE_O_GE] = "COMPARE_O_GE",
    [KNHK_OP_COMPARE_O_LE] = "COMPARE_O_LE",
    [KNHK_OP_VALIDATE_DATATYPE_SP] = "VALIDATE_DATATYPE_SP",
    [KNHK_OP_VALIDATE_DATATYPE_SPO] = "VALIDATE_DATATYPE_SPO",
    [KNHK_OP_SELECT_SP] = "SELECT_SP",
    [KNHK_OP_CONSTRUCT8] = "CONSTRUCT8",
};

static const char *const STATUS_STRS[KNHK_STATUS_END] = {
    [KNHK_OK] = "ok",
    [KNHK_E_NULL] = "null pointer: soa, a column, the hook or the result is NULL",
    [KNHK_E_RUN_TOO_LONG] = "run length > 8 lanes",
    [KNHK_E_UNKNOWN_OP] = "unknown op",
    [KNHK_E_OP_NOT_IMPLEMENTED] = "op not implemented yet (this release implements ASK_SP only)",
    [KNHK_E_K_GT_LEN] = "k > run length",
    [KNHK_E_MISALIGNED] = "column not 64-byte aligned",
    [KNHK_E_RUN_OUT_OF_RANGE] = "run off + len beyond the triples held",
    [KNHK_E_NOMEM] = "out of memory",
    [KNHK_E_CLOCK_UNUSABLE] = "tick counter unusable: it did not advance or failed calibration",
};

const char *knhk_status_str(knhk_status status) {
  if ((unsigned)status >= KNHK_STATUS_END) return "unknown status";
  return STATUS_STRS[status];
}

const char *knhk_op_name(uint32_t op) {
  if (op == 0 || op >= KNHK_OP_END) return NULL;
  return OP_NAMES[op];
}

knhk_status knhk_op_parse(const char *name, uint32_t *op) {
  if (name == NULL || op == NULL) return KNHK_E_NULL;
  for (uint32_t i = 1; i < KNHK_OP_END; i++) {
    if (strcmp(name, OP_NAMES[i]) == 0) {
      *op = i;
      return KNHK_OK;
    }
  }
  return KNHK_E_UNKNOWN_OP;
}

int knhk_op_implemented(uint32_t op) { return op == KNHK_OP_ASK_SP; }

const char *knhk_variant_active(void) { return "portable"; }

knhk_status knhk_soa_alloc(knhk_soa_t *soa, size_t count) {
  if (soa == NULL) return KNHK_E_NULL;
  memset(soa, 0, sizeof *soa);
  /* count + 7 lanes rounded up to 8: an 8-lane load at any run inside [0, count) stays in bounds,
   * and the byte size is a multiple of 64 as aligned_alloc() requires. */
  size_t lanes = (count + 7 + (KNHK_MAX_LANES - 1)) / KNHK_MAX_LANES * KNHK_MAX_LANES;
  if (lanes < count || lanes > SIZE_MAX / sizeof(uint64_t)) return KNHK_E_NOMEM;
  size_t bytes = lanes * sizeof(uint64_t);
  uint64_t *cols[3];
  for (int c = 0; c < 3; c++) {
    cols[c] = aligned_alloc(KNHK_ALIGN, bytes);
    if (cols[c] == NULL) {
      for (int d = 0; d < c; d++) free(cols[d]);
      return KNHK_E_NOMEM;
    }
    memset(cols[c], 0, bytes);
  }
  soa->S = cols[0];
  soa->P = cols[1];
  soa->O = cols[2];
  soa->count = count;
  return KNHK_OK;
}

void knhk_soa_free(knhk_soa_t *soa) {
  if (soa == NULL) return;
  free(soa->S);
  free(soa->P);
  free(soa->O);
  memset(soa, 0, sizeof *soa);
}

knhk_status knhk_admit(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook) {
  if (soa == NULL || hook == NULL || soa->S == NULL || soa->P == NULL || soa->O == NULL)
    return KNHK_E_NULL;
  if ((((uintptr_t)soa->S | (uintptr_t)soa->P | (uintptr_t)soa->O) & (KNHK_ALIGN - 1)) != 0)
    return KNHK_E_MISALIGNED;
  if (run.len > KNHK_MAX_LANES) return KNHK_E_RUN_TOO_LONG;
  if ((uint64_t)run.off + run.len > soa->count) return KNHK_E_RUN_OUT_OF_RANGE;
  if (hook->op == 0 || hook->op >= KNHK_OP_END) return KNHK_E_UNKNOWN_OP;
  if (!knhk_op_implemented(hook->op)) return KNHK_E_OP_NOT_IMPLEMENTED;
  if (hook->k > run.len) return KNHK_E_K_GT_LEN;
  return KNHK_OK;
}

uint32_t knhk_ask_sp(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s) {
  assert(knhk_admit(soa, run, &(knhk_hook_t){KNHK_OP_ASK_SP, p, s, 0, 0}) == KNHK_OK);
  return ask_sp_portable_inline(soa->S, run, p, s);
}

uint32_t knhk_eval_hook(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook) {
  assert(knhk_admit(soa, run, hook) == KNHK_OK);
  return knhk_eval_hook_portable(soa, run, hook);
}

knhk_status knhk_eval(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook,
                      uint32_t *result) {
  if (result == NULL) return KNHK_E_NULL;
  knhk_status st = knhk_admit(soa, run, hook);
  if (st != KNHK_OK) return st;
  *result = knhk_eval_hook_portable(soa, run, hook);
  return KNHK_OK;
}
