/* test_ops.c: every op through every supported variant (per-call, batch and inline entry points)
 * against a spec written here from DESIGN §4, independent of the kernels: named edge cases (len 0
 * and 8, matches only in lanes >= len, predicate mismatch, k at the bound, 0, 2^63, UINT64_MAX,
 * unsigned order) and the portable reference on seeded generated data. */
#include <stdio.h>
#include <string.h>

#include "knhk.h"
#include "knhk_impl.h"
#include "test_main.h"

/* ---- the spec ----------------------------------------------------------------------------------- */

typedef struct {
  uint32_t result;
  uint32_t mask;
  knhk_out_t out; /* SELECT_SP, CONSTRUCT8 */
} spec_t;

static int spec_lane(uint32_t op, uint64_t S, uint64_t O, const knhk_hook_t *h) {
  switch (op) {
    case KNHK_OP_ASK_SP:
    case KNHK_OP_COUNT_SP_GE:
    case KNHK_OP_COUNT_SP_LE:
    case KNHK_OP_COUNT_SP_EQ:
    case KNHK_OP_UNIQUE_SP:
    case KNHK_OP_SELECT_SP:
      return S == h->s;
    case KNHK_OP_ASK_SPO:
    case KNHK_OP_VALIDATE_DATATYPE_SP:
    case KNHK_OP_VALIDATE_DATATYPE_SPO:
      return S == h->s && O == h->o;
    case KNHK_OP_ASK_OP:
    case KNHK_OP_COUNT_OP_GE:
    case KNHK_OP_COUNT_OP_LE:
    case KNHK_OP_COUNT_OP_EQ:
    case KNHK_OP_COMPARE_O_EQ:
      return O == h->o;
    case KNHK_OP_COMPARE_O_GT:
      return O > h->o;
    case KNHK_OP_COMPARE_O_LT:
      return O < h->o;
    case KNHK_OP_COMPARE_O_GE:
      return O >= h->o;
    case KNHK_OP_COMPARE_O_LE:
      return O <= h->o;
    default: /* CONSTRUCT8 */
      return S != 0;
  }
}

static spec_t spec_eval(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *h) {
  spec_t sp;
  memset(&sp, 0, sizeof sp);
  if (h->p != run.pred) return sp; /* every op returns 0, emits nothing */
  uint32_t c = 0;
  for (uint32_t i = 0; i < run.len; i++) {
    uint64_t S = soa->S[run.off + i], O = soa->O[run.off + i];
    if (!spec_lane(h->op, S, O, h)) continue;
    sp.mask |= 1u << i;
    if (h->op == KNHK_OP_SELECT_SP) sp.out.O[c] = O;
    if (h->op == KNHK_OP_CONSTRUCT8) {
      sp.out.S[c] = S;
      sp.out.P[c] = h->p;
      sp.out.O[c] = h->o;
    }
    c++;
  }
  switch (h->op) {
    case KNHK_OP_COUNT_SP_GE:
    case KNHK_OP_COUNT_OP_GE: sp.result = c >= h->k; break;
    case KNHK_OP_COUNT_SP_LE:
    case KNHK_OP_COUNT_OP_LE: sp.result = c <= h->k; break;
    case KNHK_OP_COUNT_SP_EQ:
    case KNHK_OP_COUNT_OP_EQ: sp.result = c == h->k; break;
    case KNHK_OP_UNIQUE_SP: sp.result = c == 1; break;
    case KNHK_OP_SELECT_SP:
    case KNHK_OP_CONSTRUCT8: sp.result = c; break;
    default: sp.result = c != 0; break;
  }
  return sp;
}

static int emits(uint32_t op) { return op == KNHK_OP_SELECT_SP || op == KNHK_OP_CONSTRUCT8; }

/* The fields an op writes must equal the spec's; SELECT_SP leaves S and P untouched. */
static int same_emission(uint32_t op, const knhk_out_t *got, const knhk_out_t *want) {
  if (memcmp(got->O, want->O, sizeof got->O) != 0) return 0;
  if (op == KNHK_OP_CONSTRUCT8)
    return memcmp(got->S, want->S, sizeof got->S) == 0 && memcmp(got->P, want->P, sizeof got->P) == 0;
  return 1;
}

/* ---- checking one case through every variant and entry point -------------------------------------- */

/* Checks hook h on run through each supported variant's per-call, batch (as hook 0 and as hook 7
 * of a batch) and inline entry points, and the public knhk_eval(), against the spec. */
static void check_case(const char *name, const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *h) {
  spec_t want = spec_eval(soa, run, h);
  const char *op = knhk_op_name(h->op);
  knhk_receipt_t receipt;
  knhk_out_t out;
  memset(&out, 0, sizeof out);
  CHECK_EQ_U64(knhk_eval(soa, run, h, &out, &receipt), KNHK_OK, "variant=%s op=%s case=%s knhk_eval status",
               knhk_variant_active(), op, name);
  CHECK_EQ_U64(receipt.result, want.result, "variant=%s op=%s case=%s knhk_eval", knhk_variant_active(), op, name);
  CHECK_EQ_U64(receipt.mask, want.mask, "variant=%s op=%s case=%s knhk_eval mask", knhk_variant_active(), op, name);
  if (emits(h->op))
    CHECK(same_emission(h->op, &out, &want.out), "variant=%s op=%s case=%s via=knhk_eval: emission differs",
          knhk_variant_active(), op, name);
  for (size_t v = 0; v < knhk_variant_count(); v++) {
    if (!knhk_variant_supported(v) || knhk_variant_testing_only(v)) continue;
    const knhk_variant_ops_t *ops = knhk_variant_ops(v);
    memset(&out, 0, sizeof out);
    uint32_t got = ops->eval_hook(soa, run, h, &out);
    CHECK_EQ_U64(got, want.result, "variant=%s op=%s case=%s via=eval_hook", ops->name, op, name);
    if (emits(h->op))
      CHECK(same_emission(h->op, &out, &want.out), "variant=%s op=%s case=%s via=eval_hook: emission differs",
            ops->name, op, name);
    knhk_item_t item = {run, *h};
    memset(&out, 0, sizeof out);
    uint64_t sum = ops->loop(h->op, soa, &item, 0, 0, 1, &out);
    CHECK_EQ_U64(sum, want.result, "variant=%s op=%s case=%s via=inline", ops->name, op, name);
    for (uint32_t slot = 0; slot < KNHK_BATCH_MAX; slot += KNHK_BATCH_MAX - 1) {
      knhk_batch_t batch;
      memset(&batch, 0, sizeof batch);
      batch.n = slot + 1;
      knhk_hook_t filler = {KNHK_OP_ASK_OP, run.pred, 0, 0, 0}; /* other hooks must not disturb it */
      for (uint32_t i = 0; i < slot; i++) knhk_batch_set(&batch, i, &filler);
      knhk_batch_set(&batch, slot, h);
      knhk_receipt_t rc[KNHK_BATCH_MAX];
      knhk_out_t outs[KNHK_BATCH_MAX];
      memset(outs, 0, sizeof outs);
      knhk_status st = knhk_eval_batch_with(ops, soa, run, &batch, rc, outs, 0);
      CHECK_EQ_U64(st, KNHK_OK, "variant=%s op=%s case=%s via=batch slot %u status", ops->name, op, name, slot);
      CHECK_EQ_U64(rc[slot].result, want.result, "variant=%s op=%s case=%s via=batch slot %u", ops->name, op, name,
                   slot);
      CHECK_EQ_U64(rc[slot].mask, want.mask, "variant=%s op=%s case=%s via=batch slot %u mask", ops->name, op,
                   name, slot);
      if (emits(h->op))
        CHECK(same_emission(h->op, &outs[slot], &want.out),
              "variant=%s op=%s case=%s via=batch slot %u: emission differs", ops->name, op, name, slot);
    }
  }
}

/* A 24-triple store: S = 0x100 + i, O = 0x200 + i, one predicate, padding included. */
static int make_soa(knhk_soa_t *soa, uint64_t pred) {
  if (knhk_soa_alloc(soa, 24) != KNHK_OK) {
    test_fail(__FILE__, __LINE__, "knhk_soa_alloc failed");
    return 0;
  }
  for (uint64_t i = 0; i < 24 + 7; i++) {
    soa->S[i] = 0x100 + i;
    soa->P[i] = pred;
    soa->O[i] = 0x200 + i;
  }
  return 1;
}

/* Every op with the hook's constants taken from lane `lane` of the run (or not, when lane < 0). */
static void check_all_ops(const char *name, const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s,
                          uint64_t o, uint64_t k) {
  for (uint32_t op = 1; op < KNHK_OP_END; op++) {
    knhk_hook_t h = {op, p, s, o, k};
    check_case(name, soa, run, &h);
  }
}

/* ---- named edge cases --------------------------------------------------------------------------- */

void test_ops_len0_never_matches(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa, 7)) return;
  /* S[0] and O[0] are there, but a run of 0 lanes has no lane: every count is 0. */
  check_all_ops("len0-values-at-off", &soa, (knhk_run_t){7, 0, 0}, 7, 0x100, 0x200, 0);
  check_all_ops("len0-zero-ids", &soa, (knhk_run_t){7, 4, 0}, 7, 0, 0, 0);
  knhk_soa_free(&soa);
}

void test_ops_len8_every_lane(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa, 7)) return;
  char name[48];
  for (uint32_t lane = 0; lane < 8; lane++) {
    snprintf(name, sizeof name, "len8-lane%u", lane);
    check_all_ops(name, &soa, (knhk_run_t){7, 0, 8}, 7, 0x100 + lane, 0x200 + lane, lane);
  }
  check_all_ops("len8-k8", &soa, (knhk_run_t){7, 0, 8}, 7, 0x103, 0x203, 8);
  check_all_ops("len8-miss", &soa, (knhk_run_t){7, 0, 8}, 7, 0x1ff, 0x2ff, 1);
  knhk_soa_free(&soa);
}

void test_ops_lanes_beyond_len_never_match(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa, 7)) return;
  /* Values that exist only in lanes 3..7 of the 8-lane window, past the run's end, and in the
   * padding after the last triple: a kernel that loads 8 lanes must still not count them. */
  char name[48];
  for (uint32_t lane = 3; lane < 12; lane++) {
    snprintf(name, sizeof name, "len3-value-in-lane%u", lane);
    check_all_ops(name, &soa, (knhk_run_t){7, 0, 3}, 7, 0x100 + lane, 0x200 + lane, 0);
  }
  /* The last full run: lanes past it are the padding (also S = 0x100 + i, O = 0x200 + i). */
  check_all_ops("len8-at-end-padding-value", &soa, (knhk_run_t){7, 16, 8}, 7, 0x118, 0x218, 0);
  soa.S[24] = 0; /* the first padding lane: CONSTRUCT8 must not see it either way */
  check_all_ops("len7-at-end-zero-after", &soa, (knhk_run_t){7, 17, 7}, 7, 0x118, 0x218, 1);
  knhk_soa_free(&soa);
}

void test_ops_pred_mismatch_returns_0(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa, 7)) return;
  /* Every op, including the COUNT_*_LE / _EQ ops that would be true for a count of 0, gives 0. */
  check_all_ops("pred-mismatch-hit-values", &soa, (knhk_run_t){7, 0, 8}, 8, 0x100, 0x200, 0);
  check_all_ops("pred-mismatch-high-bit", &soa, (knhk_run_t){7, 0, 8}, 7 | (1ull << 63), 0x100, 0x200, 8);
  check_all_ops("pred-match-control", &soa, (knhk_run_t){7, 0, 8}, 7, 0x100, 0x200, 0);
  for (uint32_t op = KNHK_OP_COUNT_SP_LE; op <= KNHK_OP_COUNT_OP_EQ; op++) {
    knhk_receipt_t receipt;
    knhk_hook_t h = {op, 8, 0x1ff, 0x2ff, 0};
    CHECK_EQ_U64(knhk_eval(&soa, (knhk_run_t){7, 0, 8}, &h, NULL, &receipt), KNHK_OK, "op=%s case=%s", knhk_op_name(op),
                 "pred-mismatch-count-0");
    CHECK_EQ_U64(receipt.result, 0, "op=%s case=%s result", knhk_op_name(op), "pred-mismatch-count-0");
  }
  knhk_soa_free(&soa);
}

void test_ops_count_thresholds_at_bounds(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa, 7)) return;
  for (uint64_t i = 0; i < 8; i++) { /* 5 lanes of S = 0x42 and O = 0x43, three others */
    soa.S[i] = i < 5 ? 0x42 : 0x100 + i;
    soa.O[i] = i < 5 ? 0x43 : 0x200 + i;
  }
  char name[48];
  for (uint64_t k = 0; k <= 8; k++) { /* c = 5: GE true up to k = 5, LE from 5, EQ at 5 */
    snprintf(name, sizeof name, "c5-k%llu", (unsigned long long)k);
    check_all_ops(name, &soa, (knhk_run_t){7, 0, 8}, 7, 0x42, 0x43, k);
  }
  snprintf(name, sizeof name, "c5-len5-k5");
  check_all_ops(name, &soa, (knhk_run_t){7, 0, 5}, 7, 0x42, 0x43, 5);
  soa.S[1] = 0x99; /* exactly one lane left for UNIQUE_SP */
  for (uint64_t i = 2; i < 8; i++) soa.S[i] = 0x98;
  check_all_ops("unique-one-lane", &soa, (knhk_run_t){7, 0, 8}, 7, 0x99, 0x43, 1);
  check_all_ops("unique-six-lanes", &soa, (knhk_run_t){7, 0, 8}, 7, 0x98, 0x43, 6);
  knhk_soa_free(&soa);
}

void test_ops_extreme_ids_compare_unsigned(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa, UINT64_MAX)) return;
  const uint64_t ids[8] = {0, 1, (1ull << 63) - 1, 1ull << 63, (1ull << 63) + 1, UINT64_MAX - 1, UINT64_MAX, 0x100};
  for (int i = 0; i < 8; i++) {
    soa.S[i] = ids[i];
    soa.O[i] = ids[7 - i];
  }
  char name[48];
  for (int i = 0; i < 8; i++) { /* each id as s and o: hits, and every unsigned order relation */
    snprintf(name, sizeof name, "id%d=0x%llx", i, (unsigned long long)ids[i]);
    check_all_ops(name, &soa, (knhk_run_t){UINT64_MAX, 0, 8}, UINT64_MAX, ids[i], ids[i], 1);
  }
  /* Same low 63 bits as stored ids, other top bit: a signed or truncating compare differs here. */
  check_all_ops("top-bit-flipped", &soa, (knhk_run_t){UINT64_MAX, 0, 8}, UINT64_MAX, 0x8000000000000100ull,
                0x7fffffffffffff00ull, 0);
  check_all_ops("pred-UINT64_MAX-1", &soa, (knhk_run_t){UINT64_MAX, 0, 8}, UINT64_MAX - 1, 0, 0, 0);
  knhk_soa_free(&soa);
}

void test_ops_select_and_construct_emit_in_lane_order(void) {
  knhk_soa_t soa;
  if (!make_soa(&soa, 7)) return;
  uint64_t S[8] = {5, 0, 5, 9, 0, 5, 9, 5}, O[8] = {50, 51, 52, 53, 54, 55, 56, 57};
  for (int i = 0; i < 8; i++) {
    soa.S[i] = S[i];
    soa.O[i] = O[i];
  }
  soa.S[8] = 5; /* lane 8 of a len-8 run is outside it */
  knhk_out_t out;
  memset(&out, 0xee, sizeof out);
  knhk_receipt_t rc;
  knhk_hook_t sel = {KNHK_OP_SELECT_SP, 7, 5, 0, 0};
  CHECK_EQ_U64(knhk_eval(&soa, (knhk_run_t){7, 0, 8}, &sel, &out, &rc), KNHK_OK, "op=%s case=%s", "SELECT_SP", "s=5");
  CHECK_EQ_U64(rc.result, 4, "op=%s case=%s count", "SELECT_SP", "s=5");
  CHECK(out.O[0] == 50 && out.O[1] == 52 && out.O[2] == 55 && out.O[3] == 57 && out.O[4] == 0 && out.O[7] == 0,
        "SELECT_SP: O = %llu %llu %llu %llu %llu, want 50 52 55 57 0", (unsigned long long)out.O[0],
        (unsigned long long)out.O[1], (unsigned long long)out.O[2], (unsigned long long)out.O[3],
        (unsigned long long)out.O[4]);
  CHECK_EQ_U64(rc.mask, 0xa5, "op=%s case=%s mask", "SELECT_SP", "s=5");
  CHECK(out.S[0] == 0xeeeeeeeeeeeeeeeeull && out.P[7] == 0xeeeeeeeeeeeeeeeeull, "SELECT_SP wrote S or P");
  knhk_hook_t con = {KNHK_OP_CONSTRUCT8, 7, 0, 0x77, 0};
  CHECK_EQ_U64(knhk_eval(&soa, (knhk_run_t){7, 0, 8}, &con, &out, &rc), KNHK_OK, "op=%s case=%s", "CONSTRUCT8", "S!=0");
  CHECK_EQ_U64(rc.result, 6, "op=%s case=%s count", "CONSTRUCT8", "S!=0");
  CHECK_EQ_U64(rc.mask, 0xed, "op=%s case=%s mask", "CONSTRUCT8", "S!=0");
  CHECK(out.S[0] == 5 && out.S[1] == 5 && out.S[2] == 9 && out.S[5] == 5 && out.S[6] == 0 && out.P[5] == 7 &&
            out.P[6] == 0 && out.O[0] == 0x77 && out.O[6] == 0,
        "CONSTRUCT8: S = %llu %llu %llu .. %llu %llu, P[5]=%llu O[0]=%llu", (unsigned long long)out.S[0],
        (unsigned long long)out.S[1], (unsigned long long)out.S[2], (unsigned long long)out.S[5],
        (unsigned long long)out.S[6], (unsigned long long)out.P[5], (unsigned long long)out.O[0]);
  check_case("select-lane-order", &soa, (knhk_run_t){7, 0, 8}, &sel);
  check_case("construct-lane-order", &soa, (knhk_run_t){7, 0, 8}, &con);
  check_case("construct-len3", &soa, (knhk_run_t){7, 0, 3}, &con);
  knhk_soa_free(&soa);
}

/* ---- the reference on generated data ------------------------------------------------------------ */

static uint64_t next_random(uint64_t *state) { /* xorshift64: seeded, reproducible */
  uint64_t x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

void test_ops_portable_matches_spec_on_generated_data(void) {
  enum { TRIPLES = 64, CASES = 100000 };
  knhk_soa_t soa;
  if (knhk_soa_alloc(&soa, TRIPLES) != KNHK_OK) {
    test_fail(__FILE__, __LINE__, "knhk_soa_alloc failed");
    return;
  }
  /* Ids from a set of 7 (a prime) so runs repeat values and hits are common, with 0 and ids >= 2^63. */
  static const uint64_t IDS[7] = {0, 1, 2, 1ull << 63, (1ull << 63) + 1, UINT64_MAX, 3};
  uint64_t state = 0x9e3779b97f4a7c15u;
  for (uint32_t op = 1; op < KNHK_OP_END; op++) {
    size_t hits = 0, mismatches = 0;
    for (uint32_t c = 0; c < CASES && mismatches < 5; c++) {
      if (c % 4096 == 0)
        for (uint32_t i = 0; i < TRIPLES + 7; i++) {
          soa.S[i] = IDS[next_random(&state) % 7];
          soa.O[i] = IDS[next_random(&state) % 7];
        }
      uint64_t r = next_random(&state);
      knhk_run_t run = {42, 0, (uint32_t)(r % 9)};
      run.off = (uint32_t)((r >> 8) % (TRIPLES - run.len + 1));
      knhk_hook_t h = {op, (r >> 20) % 8 == 0 ? 41 : 42, IDS[(r >> 24) % 7], IDS[(r >> 32) % 7], (r >> 40) % (run.len + 1)};
      spec_t want = spec_eval(&soa, run, &h);
      knhk_out_t out;
      memset(&out, 0, sizeof out);
      uint32_t got = knhk_ops_portable.eval_hook(&soa, run, &h, &out);
      hits += want.result != 0;
      if (got != want.result || (emits(op) && !same_emission(op, &out, &want.out))) {
        mismatches++;
        test_fail(__FILE__, __LINE__,
                  "variant=portable op=%s case=generated-%u (off=%u len=%u p=%llu s=0x%llx o=0x%llx k=%llu) "
                  "expected=%u got=%u",
                  knhk_op_name(op), c, run.off, run.len, (unsigned long long)h.p, (unsigned long long)h.s,
                  (unsigned long long)h.o, (unsigned long long)h.k, want.result, got);
      }
    }
    /* The data must exercise both outcomes, or agreement proves little. */
    CHECK(hits > CASES / 20 && hits < CASES * 19 / 20, "op=%s generated data too one-sided: %zu non-zero of %d",
          knhk_op_name(op), hits, (int)CASES);
  }
  knhk_soa_free(&soa);
}
