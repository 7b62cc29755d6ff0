/* knhk.c: public entry points of libknhk: names, the admission guard, column allocation, and the
 * calls into the variant chosen once by knhk_dispatch.c. The batch entry admits the run and every
 * hook, then makes one indirect call for the whole batch: no per-operation dispatch (DESIGN §4). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "knhk_clock.h"
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
    [KNHK_E_NULL] = "null pointer: soa, a column, the hook, the batch, the receipts or the result is NULL",
    [KNHK_E_RUN_TOO_LONG] = "run length > 8 lanes",
    [KNHK_E_UNKNOWN_OP] = "unknown op",
    [KNHK_E_K_GT_LEN] = "k > run length",
    [KNHK_E_MISALIGNED] = "column not 64-byte aligned",
    [KNHK_E_RUN_OUT_OF_RANGE] = "run off + len beyond the triples held",
    [KNHK_E_BATCH_TOO_LARGE] = "batch of more than 8 hooks",
    [KNHK_E_NOMEM] = "out of memory",
    [KNHK_E_CLOCK_UNUSABLE] = "tick counter unusable: it did not advance or failed calibration",
    [KNHK_E_VARIANT_UNKNOWN] = "KNHK_FORCE_VARIANT names no kernel variant",
    [KNHK_E_VARIANT_UNSUPPORTED] = "KNHK_FORCE_VARIANT names a kernel variant this build or CPU lacks",
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

int knhk_op_is_hot(uint32_t op) { return op != 0 && op < KNHK_OP_END && op != KNHK_OP_CONSTRUCT8; }

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

/* The run's half of the guard, shared by knhk_admit() and the batch. */
static KNHK_INLINE knhk_status admit_run(const knhk_soa_t *soa, knhk_run_t run) {
  if (soa == NULL || soa->S == NULL || soa->P == NULL || soa->O == NULL) return KNHK_E_NULL;
  if ((((uintptr_t)soa->S | (uintptr_t)soa->P | (uintptr_t)soa->O) & (KNHK_ALIGN - 1)) != 0)
    return KNHK_E_MISALIGNED;
  if (run.len > KNHK_MAX_LANES) return KNHK_E_RUN_TOO_LONG;
  if ((uint64_t)run.off + run.len > soa->count) return KNHK_E_RUN_OUT_OF_RANGE;
  return KNHK_OK;
}

knhk_status knhk_admit(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook) {
  if (hook == NULL) return KNHK_E_NULL;
  knhk_status st = admit_run(soa, run);
  if (st != KNHK_OK) return st;
  if (hook->op == 0 || hook->op >= KNHK_OP_END) return KNHK_E_UNKNOWN_OP;
  if (hook->k > run.len) return KNHK_E_K_GT_LEN;
  return KNHK_OK;
}

uint32_t knhk_eval_hook(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook, knhk_out_t *out) {
  assert(knhk_admit(soa, run, hook) == KNHK_OK);
  return knhk_active_ops->eval_hook(soa, run, hook, out);
}

knhk_status knhk_eval(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook, knhk_out_t *out,
                      knhk_receipt_t *receipt) {
  if (hook == NULL || receipt == NULL) return KNHK_E_NULL;
  knhk_batch_t batch;
  memset(&batch, 0, sizeof batch);
  batch.n = 1;
  knhk_batch_set(&batch, 0, hook);
  knhk_receipt_t receipts[KNHK_BATCH_MAX];
  knhk_status st = knhk_eval_batch(soa, run, &batch, receipts, out, 0);
  if (st == KNHK_OK) *receipt = receipts[0];
  return st;
}

knhk_status knhk_batch_set(knhk_batch_t *batch, uint32_t h, const knhk_hook_t *hook) {
  if (batch == NULL || hook == NULL) return KNHK_E_NULL;
  if (h >= KNHK_BATCH_MAX) return KNHK_E_BATCH_TOO_LARGE;
  batch->op[h] = hook->op;
  batch->p[h] = hook->p;
  batch->s[h] = hook->s;
  batch->o[h] = hook->o;
  batch->k[h] = hook->k;
  return KNHK_OK;
}

/* ---- ticks (KNHK_BATCH_TICKS) ----------------------------------------------------------------- */

enum { CLOCK_NONE, CLOCK_BUSY, CLOCK_READY, CLOCK_FAILED };
static knhk_clock_t ticks_clock;
static atomic_int ticks_state = CLOCK_NONE;

knhk_status knhk_ticks_init(void) {
  for (;;) {
    int state = atomic_load_explicit(&ticks_state, memory_order_acquire);
    if (state == CLOCK_READY) return KNHK_OK;
    if (state == CLOCK_FAILED) return KNHK_E_CLOCK_UNUSABLE;
    int expected = CLOCK_NONE;
    if (state == CLOCK_NONE &&
        atomic_compare_exchange_strong_explicit(&ticks_state, &expected, CLOCK_BUSY, memory_order_acq_rel,
                                                memory_order_acquire)) {
      knhk_status st = knhk_clock_calibrate(&ticks_clock, 10.0);
      atomic_store_explicit(&ticks_state, st == KNHK_OK ? CLOCK_READY : CLOCK_FAILED, memory_order_release);
      return st == KNHK_OK ? KNHK_OK : KNHK_E_CLOCK_UNUSABLE;
    }
    /* Another thread is calibrating (about 10 ms once): wait for its result. */
  }
}

/* ---- the batch (the hot path) ----------------------------------------------------------------- */

knhk_status knhk_eval_batch_timed(const knhk_variant_ops_t *ops, const knhk_soa_t *soa, knhk_run_t run,
                                  const knhk_batch_t *batch, knhk_receipt_t *receipts, knhk_out_t *outs) {
  knhk_status st = knhk_ticks_init();
  if (st != KNHK_OK) return st;
  uint64_t t0 = knhk_clock_start();
  st = ops->eval_batch(soa, run, batch, receipts, outs, 0);
  uint64_t t1 = knhk_clock_stop(&ticks_clock);
  if (st != KNHK_OK) return st;
  double ns = knhk_clock_ns(&ticks_clock, t1 - t0) - ticks_clock.read_overhead_ns;
  double per_hook = batch->n > 0 && ns > 0 ? ns / KNHK_TICK_NS / batch->n : 0.0;
  uint32_t ticks = per_hook >= 4294967295.0 ? UINT32_MAX : (uint32_t)(per_hook + 0.5);
  for (uint32_t h = 0; h < batch->n; h++) receipts[h].ticks = ticks;
  return KNHK_OK;
}

knhk_status knhk_eval_batch_with(const knhk_variant_ops_t *ops, const knhk_soa_t *soa, knhk_run_t run,
                                 const knhk_batch_t *batch, knhk_receipt_t *receipts, knhk_out_t *outs,
                                 uint32_t flags) {
  if (knhk_active_status != KNHK_OK) return knhk_active_status;
  return ops->eval_batch(soa, run, batch, receipts, outs, flags);
}

/* The hot path: one indirect jump into the variant chosen at load time, which does the admission
 * (knhk_admit_batch_run() and every hook) and the work. A refused KNHK_FORCE_VARIANT left a table
 * here whose eval_batch returns the refusal. */
knhk_status knhk_eval_batch(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *batch,
                            knhk_receipt_t *receipts, knhk_out_t *outs, uint32_t flags) {
  return knhk_active_ops->eval_batch(soa, run, batch, receipts, outs, flags);
}

uint64_t knhk_receipt_hash(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook, uint32_t result,
                           uint32_t mask) {
  assert(knhk_admit(soa, run, hook) == KNHK_OK);
  (void)soa;
  return knhk_hash_hook(knhk_hash_run(run), hook->p, hook->s, hook->o, hook->k,
                        knhk_hash_word(hook->op, run.len, result, mask));
}
