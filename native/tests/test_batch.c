/* test_batch.c: knhk_eval_batch(), the hot path: receipts (op, lanes, result, mask, ticks, hash),
 * a hash that changes when any input or the result changes, refusals that write nothing, and
 * mixed-op batches, on every supported variant. */
#include <stdio.h>
#include <string.h>

#include "knhk.h"
#include "knhk_impl.h"
#include "test_main.h"

static int make_soa(knhk_soa_t *soa) {
  if (knhk_soa_alloc(soa, 32) != KNHK_OK) {
    test_fail(__FILE__, __LINE__, "knhk_soa_alloc failed");
    return 0;
  }
  for (uint64_t i = 0; i < 32 + 7; i++) {
    soa->S[i] = 0x10 + i % 5;
    soa->P[i] = 7;
    soa->O[i] = 0x20 + i % 3;
  }
  return 1;
}

static void fill_batch(knhk_batch_t *b, uint32_t n) {
  memset(b, 0, sizeof *b);
  b->n = n;
  for (uint32_t h = 0; h < n; h++) {
    knhk_hook_t hook = {1 + (h * 5) % (KNHK_OP_END - 1), h == 6 ? 8 : 7, 0x10 + h % 5, 0x20 + h % 3, h % 4};
    knhk_batch_set(b, h, &hook);
  }
}

static knhk_hook_t hook_at(const knhk_batch_t *b, uint32_t h) {
  knhk_hook_t hook = {b->op[h], b->p[h], b->s[h], b->o[h], b->k[h]};
  return hook;
}

/* Each supported variant, by name, for the loops below. */
#define FOR_EACH_VARIANT(ops)                                                                  \
  for (size_t v_ = 0; v_ < knhk_variant_count(); v_++)                                         \
    for (const knhk_variant_ops_t *ops = knhk_variant_ops(v_);                                 \
         ops != NULL && knhk_variant_supported(v_) && !knhk_variant_testing_only(v_); ops = NULL)

void test_batch_receipts_record_each_hook(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa)) return;
  knhk_run_t run = {7, 3, 6};
  knhk_batch_t b;
  fill_batch(&b, 7); /* a mixed-op batch, one hook with the wrong predicate, slot 7 unused */
  FOR_EACH_VARIANT(ops) {
    knhk_receipt_t rc[KNHK_BATCH_MAX];
    memset(rc, 0xa5, sizeof rc);
    CHECK_EQ_U64(knhk_eval_batch_with(ops, &soa, run, &b, rc, NULL, 0), KNHK_OK, "variant=%s case=%s", ops->name,
                 "mixed-7");
    for (uint32_t h = 0; h < 7; h++) {
      knhk_hook_t hook = hook_at(&b, h);
      knhk_receipt_t one;
      knhk_status st = knhk_eval(&soa, run, &hook, NULL, &one);
      CHECK_EQ_U64(st, KNHK_OK, "variant=%s hook=%u eval", ops->name, h);
      uint32_t want = one.result;
      CHECK_EQ_U64(rc[h].op, hook.op, "variant=%s op=%s hook=%u receipt op", ops->name, knhk_op_name(hook.op), h);
      CHECK_EQ_U64(rc[h].lanes, run.len, "variant=%s op=%s hook=%u receipt lanes", ops->name, knhk_op_name(hook.op), h);
      CHECK_EQ_U64(rc[h].result, want, "variant=%s op=%s hook=%u receipt result", ops->name, knhk_op_name(hook.op), h);
      CHECK_EQ_U64(rc[h].ticks, 0, "variant=%s op=%s hook=%u ticks not asked", ops->name, knhk_op_name(hook.op), h);
      CHECK_EQ_U64(rc[h].hash, knhk_receipt_hash(&soa, run, &hook, rc[h].result, rc[h].mask),
                   "variant=%s op=%s hook=%u receipt hash", ops->name, knhk_op_name(hook.op), h);
      if (hook.p != run.pred) CHECK_EQ_U64(rc[h].mask, 0, "variant=%s hook=%u mask on pred mismatch", ops->name, h);
    }
    knhk_receipt_t zero;
    memset(&zero, 0, sizeof zero);
    CHECK(memcmp(&rc[7], &zero, sizeof zero) == 0, "variant=%s receipt 7 of a 7-hook batch not zeroed", ops->name);
  }
  knhk_soa_free(&soa);
}

void test_batch_hash_changes_with_every_input(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa)) return;
  knhk_run_t run = {7, 8, 5};
  knhk_hook_t base = {KNHK_OP_COUNT_SP_GE, 7, 0x11, 0x21, 1};
  uint32_t mask = 0, result = 0;
  knhk_receipt_t one;
  knhk_out_t out;
  knhk_eval(&soa, run, &base, &out, &one);
  result = one.result;
  uint64_t h0 = knhk_receipt_hash(&soa, run, &base, result, mask);
  /* Each input changed alone, by one bit and by a high bit: every step of the hash is a
   * bijection, so none may collide. */
  for (int bit = 0; bit < 64; bit += 63) {
    uint64_t d = 1ull << bit;
    knhk_hook_t h = base;
    h.p ^= d;
    CHECK(knhk_receipt_hash(&soa, run, &h, result, mask) != h0, "hash unchanged when p changes (bit %d)", bit);
    h = base;
    h.s ^= d;
    CHECK(knhk_receipt_hash(&soa, run, &h, result, mask) != h0, "hash unchanged when s changes (bit %d)", bit);
    h = base;
    h.o ^= d;
    CHECK(knhk_receipt_hash(&soa, run, &h, result, mask) != h0, "hash unchanged when o changes (bit %d)", bit);
    knhk_run_t r = run;
    r.pred ^= d;
    CHECK(knhk_receipt_hash(&soa, r, &base, result, mask) != h0, "hash unchanged when run.pred changes (bit %d)", bit);
  }
  knhk_hook_t h = base;
  h.op = KNHK_OP_COUNT_SP_LE;
  CHECK(knhk_receipt_hash(&soa, run, &h, result, mask) != h0, "hash unchanged when op changes");
  h = base;
  h.k = 2;
  CHECK(knhk_receipt_hash(&soa, run, &h, result, mask) != h0, "hash unchanged when k changes");
  knhk_run_t r = run;
  r.off = 9;
  CHECK(knhk_receipt_hash(&soa, r, &base, result, mask) != h0, "hash unchanged when run.off changes");
  r = run;
  r.len = 4;
  CHECK(knhk_receipt_hash(&soa, r, &base, result, mask) != h0, "hash unchanged when run.len changes");
  CHECK(knhk_receipt_hash(&soa, run, &base, result ^ 1, mask) != h0, "hash unchanged when the result changes");
  CHECK(knhk_receipt_hash(&soa, run, &base, result, mask ^ 4) != h0, "hash unchanged when the mask changes");
  /* The lanes' contents enter through the outcome: a change that makes a lane pass changes the
   * receipt (its mask, so its hash); lanes at or beyond len never count. */
  knhk_batch_t one_hook;
  memset(&one_hook, 0, sizeof one_hook);
  one_hook.n = 1;
  knhk_batch_set(&one_hook, 0, &base);
  knhk_receipt_t before[KNHK_BATCH_MAX], after[KNHK_BATCH_MAX];
  knhk_eval_batch(&soa, run, &one_hook, before, NULL, 0);
  uint64_t keep = soa.S[run.off + 0]; /* 0x13: not base.s */
  soa.S[run.off + 0] = base.s; /* lane 0 now passes */
  knhk_eval_batch(&soa, run, &one_hook, after, NULL, 0);
  CHECK(after[0].mask != before[0].mask && after[0].hash != before[0].hash, "a lane that starts to pass left the receipt");
  soa.S[run.off + 0] = keep;
  soa.S[run.off + run.len] = base.s; /* lane len: not in the run */
  knhk_eval_batch(&soa, run, &one_hook, after, NULL, 0);
  CHECK(memcmp(&after[0], &before[0], sizeof after[0]) == 0, "a value at lane len changed the receipt");
  /* And through the batch, on every variant: a changed hook input gives a different receipt. */
  knhk_batch_t b;
  memset(&b, 0, sizeof b);
  b.n = 2;
  knhk_batch_set(&b, 0, &base);
  knhk_batch_set(&b, 1, &base);
  b.s[1] ^= 1ull << 63;
  FOR_EACH_VARIANT(ops) {
    knhk_receipt_t rc[KNHK_BATCH_MAX];
    CHECK_EQ_U64(knhk_eval_batch_with(ops, &soa, run, &b, rc, NULL, 0), KNHK_OK, "variant=%s case=%s", ops->name,
                 "s differs in the top bit");
    CHECK(rc[0].hash != rc[1].hash, "variant=%s: receipts of hooks differing in s share a hash", ops->name);
  }
  knhk_soa_free(&soa);
}

void test_batch_refusals_write_nothing(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa)) return;
  knhk_batch_t good;
  fill_batch(&good, 8);
  knhk_run_t run = {7, 0, 8};
  const struct {
    const char *name;
    knhk_run_t run;
    uint32_t hook, op;
    uint64_t k;
    uint32_t n;
    knhk_status want;
  } CASES[] = {
      {"run-len-9", {7, 0, 9}, 0, 0, 0, 8, KNHK_E_RUN_TOO_LONG},
      {"run-beyond-count", {7, 30, 3}, 0, 0, 0, 8, KNHK_E_RUN_OUT_OF_RANGE},
      {"n-9", {7, 0, 8}, 0, 0, 0, 9, KNHK_E_BATCH_TOO_LARGE},
      {"op-0-at-hook-3", {7, 0, 8}, 3, 0, 0, 8, KNHK_E_UNKNOWN_OP},
      {"op-end-at-hook-7", {7, 0, 8}, 7, KNHK_OP_END, 0, 8, KNHK_E_UNKNOWN_OP},
      {"k-9-at-hook-5", {7, 0, 8}, 5, KNHK_OP_COUNT_SP_GE, 9, 8, KNHK_E_K_GT_LEN},
      {"k-2^32-at-hook-0", {7, 0, 8}, 0, KNHK_OP_ASK_SP, 1ull << 32, 8, KNHK_E_K_GT_LEN},
      {"k-3-len-2-at-hook-1", {7, 0, 2}, 1, KNHK_OP_COUNT_OP_EQ, 3, 8, KNHK_E_K_GT_LEN},
  };
  FOR_EACH_VARIANT(ops) {
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
      knhk_batch_t b = good;
      b.n = CASES[c].n;
      for (uint32_t h = 0; h < 8; h++) b.k[h] = 0;
      if (CASES[c].op != 0 || strstr(CASES[c].name, "op-0") != NULL) b.op[CASES[c].hook] = CASES[c].op;
      if (CASES[c].k != 0) b.k[CASES[c].hook] = CASES[c].k;
      knhk_receipt_t rc[KNHK_BATCH_MAX], untouched[KNHK_BATCH_MAX];
      knhk_out_t outs[KNHK_BATCH_MAX], outs_untouched[KNHK_BATCH_MAX];
      memset(rc, 0x5a, sizeof rc);
      memcpy(untouched, rc, sizeof rc);
      memset(outs, 0x5a, sizeof outs);
      memcpy(outs_untouched, outs, sizeof outs);
      knhk_status st = knhk_eval_batch_with(ops, &soa, CASES[c].run, &b, rc, outs, 0);
      CHECK_EQ_U64(st, CASES[c].want, "variant=%s case=%s status (%s)", ops->name, CASES[c].name, knhk_status_str(st));
      CHECK(memcmp(rc, untouched, sizeof rc) == 0 && memcmp(outs, outs_untouched, sizeof outs) == 0,
            "variant=%s case=%s: a refused batch wrote receipts or emissions", ops->name, CASES[c].name);
    }
    /* An unknown op before a bad k reports the lower hook first, whatever the reason. */
    knhk_batch_t b = good;
    for (uint32_t h = 0; h < 8; h++) b.k[h] = 0;
    b.k[2] = 9;
    b.op[4] = 999;
    knhk_receipt_t rc[KNHK_BATCH_MAX];
    CHECK_EQ_U64(knhk_eval_batch_with(ops, &soa, run, &b, rc, NULL, 0), KNHK_E_K_GT_LEN, "variant=%s case=%s",
                 ops->name, "k at hook 2 before op at hook 4");
    b.k[2] = 0;
    b.op[1] = 0;
    b.k[1] = 9;
    CHECK_EQ_U64(knhk_eval_batch_with(ops, &soa, run, &b, rc, NULL, 0), KNHK_E_UNKNOWN_OP, "variant=%s case=%s",
                 ops->name, "op and k both bad at hook 1");
  }
  knhk_receipt_t rc[KNHK_BATCH_MAX];
  knhk_soa_t misaligned = soa;
  misaligned.O = soa.O + 1;
  CHECK_EQ_U64(knhk_eval_batch(&misaligned, run, &good, rc, NULL, 0), KNHK_E_MISALIGNED, "case=%s", "O + 8 bytes");
  CHECK_EQ_U64(knhk_eval_batch(NULL, run, &good, rc, NULL, 0), KNHK_E_NULL, "case=%s", "soa NULL");
  CHECK_EQ_U64(knhk_eval_batch(&soa, run, NULL, rc, NULL, 0), KNHK_E_NULL, "case=%s", "batch NULL");
  CHECK_EQ_U64(knhk_eval_batch(&soa, run, &good, NULL, NULL, 0), KNHK_E_NULL, "case=%s", "receipts NULL");
  knhk_soa_free(&soa);
}

void test_batch_empty_and_ticks(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa)) return;
  knhk_batch_t b;
  fill_batch(&b, 0);
  knhk_receipt_t rc[KNHK_BATCH_MAX], zero[KNHK_BATCH_MAX];
  memset(rc, 0x77, sizeof rc);
  memset(zero, 0, sizeof zero);
  CHECK_EQ_U64(knhk_eval_batch(&soa, (knhk_run_t){7, 0, 8}, &b, rc, NULL, 0), KNHK_OK, "case=%s", "n=0");
  CHECK(memcmp(rc, zero, sizeof rc) == 0, "n=0: receipts not all zeroed");
  /* Ticks when asked: the batch is timed with the calibrated counter, and the figure is the
   * batch's time / n, so every receipt has the same one. Not asked: 0. */
  fill_batch(&b, 8);
  CHECK_EQ_U64(knhk_ticks_init(), KNHK_OK, "case=%s", "ticks init");
  uint32_t seen_nonzero = 0;
  for (int rep = 0; rep < 50; rep++) {
    CHECK_EQ_U64(knhk_eval_batch(&soa, (knhk_run_t){7, 0, 8}, &b, rc, NULL, KNHK_BATCH_TICKS), KNHK_OK,
                 "case=%s", "ticks asked");
    for (uint32_t h = 1; h < 8; h++) CHECK_EQ_U64(rc[h].ticks, rc[0].ticks, "case=ticks hook=%u %s", h, "same figure");
    seen_nonzero |= rc[0].ticks;
  }
  CHECK(seen_nonzero != 0, "50 timed batches all reported 0 ticks");
  knhk_soa_free(&soa);
}

void test_batch_emissions_match_per_call(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa)) return;
  knhk_run_t run = {7, 2, 8};
  knhk_batch_t b;
  memset(&b, 0, sizeof b);
  b.n = 8;
  for (uint32_t h = 0; h < 8; h++) {
    knhk_hook_t hook = {h % 2 ? KNHK_OP_SELECT_SP : KNHK_OP_CONSTRUCT8, h == 5 ? 6 : 7, 0x10 + h % 5, 0x99 + h, 0};
    if (h == 4) hook.op = KNHK_OP_ASK_SP; /* not emitting: its out stays untouched */
    knhk_batch_set(&b, h, &hook);
  }
  FOR_EACH_VARIANT(ops) {
    knhk_out_t outs[KNHK_BATCH_MAX];
    memset(outs, 0x33, sizeof outs);
    knhk_receipt_t rc[KNHK_BATCH_MAX];
    CHECK_EQ_U64(knhk_eval_batch_with(ops, &soa, run, &b, rc, outs, 0), KNHK_OK, "variant=%s case=%s", ops->name,
                 "emissions");
    for (uint32_t h = 0; h < 8; h++) {
      knhk_hook_t hook = hook_at(&b, h);
      knhk_out_t want;
      memset(&want, 0x33, sizeof want);
      knhk_receipt_t one;
      knhk_eval(&soa, run, &hook, &want, &one);
      CHECK(memcmp(&outs[h], &want, sizeof want) == 0, "variant=%s op=%s hook=%u: batch emission differs from knhk_eval",
            ops->name, knhk_op_name(hook.op), h);
      CHECK(memcmp(&rc[h], &one, sizeof one) == 0, "variant=%s op=%s hook=%u: batch receipt differs from knhk_eval's",
            ops->name, knhk_op_name(hook.op), h);
    }
  }
  knhk_soa_free(&soa);
}

/* Batches whose hooks all have one op (the avx512 batch takes a per-op path for them), of every
 * size 0..8, on runs of every length: receipts and emissions equal portable's; receipts [n, 8) are
 * zeroed and outs [n, 8) untouched; then the same batch with its last hook's op changed (a mixed
 * batch) and with its last hook's k over the run length (refused, nothing written). */
void test_batch_uniform_batches_of_every_size_match_portable(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa)) return;
  const knhk_variant_ops_t *ref = &knhk_ops_portable;
  for (uint32_t op = 1; op < KNHK_OP_END; op++)
    for (uint32_t len = 0; len <= KNHK_MAX_LANES; len++)
      for (uint32_t n = 0; n <= KNHK_BATCH_MAX; n++) {
        knhk_run_t run = {7, 5 + len, len};
        knhk_batch_t b;
        memset(&b, 0, sizeof b);
        b.n = n;
        for (uint32_t h = 0; h < n; h++) { /* hits, misses, a wrong predicate, values past len */
          uint32_t lane = (h * 3 + len) % 9;
          knhk_hook_t hook = {op, h % 4 == 3 ? 8 : 7, soa.S[run.off + lane], soa.O[run.off + lane],
                              (h + n) % (len + 1)};
          if (h % 5 == 1) hook.s = hook.o = 0x77;
          knhk_batch_set(&b, h, &hook);
        }
        for (int variant_case = 0; variant_case < 3; variant_case++) {
          knhk_batch_t c = b;
          if (variant_case == 1 && n > 0) c.op[n - 1] = op == KNHK_OP_ASK_SP ? KNHK_OP_SELECT_SP : KNHK_OP_ASK_SP;
          if (variant_case == 2 && n > 0) c.k[n - 1] = len + 1;
          knhk_receipt_t want[KNHK_BATCH_MAX];
          knhk_out_t want_outs[KNHK_BATCH_MAX];
          memset(want, 0x5a, sizeof want);
          memset(want_outs, 0x33, sizeof want_outs);
          knhk_status want_st = knhk_eval_batch_with(ref, &soa, run, &c, want, want_outs, 0);
          FOR_EACH_VARIANT(ops) {
            knhk_receipt_t rc[KNHK_BATCH_MAX];
            knhk_out_t outs[KNHK_BATCH_MAX];
            memset(rc, 0x5a, sizeof rc);
            memset(outs, 0x33, sizeof outs);
            knhk_status st = knhk_eval_batch_with(ops, &soa, run, &c, rc, outs, 0);
            CHECK_EQ_U64(st, want_st, "variant=%s op=%s len=%u n=%u case=%d status", ops->name, knhk_op_name(op), len,
                         n, variant_case);
            CHECK(memcmp(rc, want, sizeof rc) == 0,
                  "variant=%s op=%s len=%u n=%u case=%d: receipts differ from portable", ops->name, knhk_op_name(op),
                  len, n, variant_case);
            CHECK(memcmp(outs, want_outs, sizeof outs) == 0,
                  "variant=%s op=%s len=%u n=%u case=%d: emissions differ from portable", ops->name, knhk_op_name(op),
                  len, n, variant_case);
          }
        }
      }
  knhk_soa_free(&soa);
}
