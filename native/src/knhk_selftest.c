/* knhk_selftest.c: every supported variant against portable on the same seeded cases, through each
 * variant's per-call, batch and inline entry points (and the public ones for the variant in use).
 * Used by `knhk selftest` and tests/test_variants.c. Stops at the first mismatch and describes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knhk_impl.h"

#define TRIPLES 64u
#define BLOCK 8u          /* cases per block: one run, eight hooks, one batch */
#define REFILL_BLOCKS 64u /* new column contents every 512 cases */

/* Ids drawn from a small pool so tests hit and miss alike; 0, values >= 2^63 and UINT64_MAX are
 * there because a signed or truncating compare gets exactly those wrong. */
static const uint64_t ID_POOL[8] = {0, 1, 2, 3, 0x8000000000000000ull, 0x8000000000000001ull,
                                    UINT64_MAX - 1, UINT64_MAX};

static uint64_t next_random(uint64_t *state) { /* splitmix64 */
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t random_id(uint64_t *state) {
  uint64_t r = next_random(state);
  return (r & 15u) == 0 ? next_random(state) : ID_POOL[(r >> 4) & 7u];
}

/* New contents for every lane, padding included: lanes past a run, and past the last triple, hold
 * ids that would match, and must not. */
static void refill(knhk_soa_t *soa, uint64_t *state) {
  for (uint32_t i = 0; i < TRIPLES + 7; i++) {
    soa->S[i] = random_id(state);
    soa->O[i] = random_id(state);
    soa->P[i] = 7;
  }
}

/* A constant for a hook: half the time a value from the run's lanes, lanes >= len included. */
static uint64_t pick_constant(const uint64_t *col, knhk_run_t run, uint64_t *state) {
  uint64_t r = next_random(state);
  return (r & 1u) ? col[run.off + (uint32_t)((r >> 1) % 8u)] : random_id(state);
}

static void make_block(const knhk_soa_t *soa, uint32_t op, uint64_t *state, knhk_item_t items[BLOCK],
                       knhk_batch_t *batch, int mixed_ops) {
  uint64_t r = next_random(state);
  knhk_run_t run;
  run.len = (uint32_t)(r % 9u);
  run.off = (uint32_t)((r >> 8) % (TRIPLES - run.len + 1));
  run.pred = ID_POOL[(r >> 20) & 7u];
  memset(batch, 0, sizeof *batch);
  batch->n = BLOCK;
  for (uint32_t h = 0; h < BLOCK; h++) {
    uint64_t q = next_random(state);
    knhk_hook_t hook;
    hook.op = mixed_ops ? 1u + (uint32_t)(q % (KNHK_OP_END - 1u)) : op;
    hook.p = (q >> 8) % 8u == 0 ? random_id(state) : run.pred; /* mostly the run's predicate */
    hook.s = pick_constant(soa->S, run, state);
    hook.o = pick_constant(soa->O, run, state);
    hook.k = (q >> 16) % (run.len + 1u);
    items[h].run = run;
    items[h].hook = hook;
    knhk_batch_set(batch, h, &hook);
  }
}

static int emits(uint32_t op) { return op == KNHK_OP_SELECT_SP || op == KNHK_OP_CONSTRUCT8; }

static void describe_case(char *buf, size_t size, const char *variant, uint32_t op, uint64_t case_no,
                          const knhk_item_t *it, const char *via) {
  snprintf(buf, size,
           "variant %s, op %s, case %llu (run pred=0x%llx off=%u len=%u; hook op=%s p=0x%llx s=0x%llx "
           "o=0x%llx k=%llu), via %s",
           variant, op ? knhk_op_name(op) : "mixed", (unsigned long long)case_no,
           (unsigned long long)it->run.pred, it->run.off, it->run.len, knhk_op_name(it->hook.op),
           (unsigned long long)it->hook.p, (unsigned long long)it->hook.s, (unsigned long long)it->hook.o,
           (unsigned long long)it->hook.k, via);
}

static void fail(knhk_selftest_t *st, const char *variant, uint32_t op, uint64_t case_no, const knhk_item_t *it,
                 const char *via, const char *fmt_expected_got) {
  char where[320];
  describe_case(where, sizeof where, variant, op, case_no, it, via);
  snprintf(st->mismatch, sizeof st->mismatch, "%.320s: %.300s", where, fmt_expected_got);
  st->failed = 1;
}

static int same_out(const knhk_out_t *a, const knhk_out_t *b) { return memcmp(a, b, sizeof *a) == 0; }

static void describe_out(char *buf, size_t size, const knhk_out_t *out) {
  snprintf(buf, size, "S[0]=0x%llx P[0]=0x%llx O[0]=0x%llx O[1]=0x%llx O[7]=0x%llx", (unsigned long long)out->S[0],
           (unsigned long long)out->P[0], (unsigned long long)out->O[0], (unsigned long long)out->O[1],
           (unsigned long long)out->O[7]);
}

/* Checks one block on variant v against the reference results. Returns 0 at a mismatch. */
static int check_block(knhk_selftest_t *st, size_t v, const knhk_variant_ops_t *ops, int is_active,
                       const knhk_soa_t *soa, uint32_t op, uint64_t first_case, const knhk_item_t items[BLOCK],
                       const knhk_batch_t *batch, const uint32_t want[BLOCK], const knhk_out_t want_out[BLOCK],
                       const knhk_receipt_t want_rc[BLOCK]) {
  char eg[400], a[128], b[128];
  /* per call: the variant's own entry, and the public one when this variant is in use */
  for (uint32_t h = 0; h < BLOCK; h++) {
    const knhk_item_t *it = &items[h];
    for (int pub = 0; pub <= is_active; pub++) {
      knhk_out_t out;
      memset(&out, 0, sizeof out);
      uint32_t got = pub ? knhk_eval_hook(soa, it->run, &it->hook, &out) : ops->eval_hook(soa, it->run, &it->hook, &out);
      const char *via = pub ? "knhk_eval_hook (public)" : "eval_hook";
      if (got != want[h]) {
        snprintf(eg, sizeof eg, "expected %u, got %u", want[h], got);
        fail(st, ops->name, op, first_case + h, it, via, eg);
        return 0;
      }
      if (emits(it->hook.op) && !same_out(&out, &want_out[h])) {
        describe_out(a, sizeof a, &want_out[h]);
        describe_out(b, sizeof b, &out);
        snprintf(eg, sizeof eg, "expected emission %s, got %s", a, b);
        fail(st, ops->name, op, first_case + h, it, via, eg);
        return 0;
      }
    }
  }
  /* batch: receipts and emissions */
  for (int pub = 0; pub <= is_active; pub++) {
    knhk_receipt_t rc[KNHK_BATCH_MAX];
    knhk_out_t outs[BLOCK];
    memset(rc, 0xa5, sizeof rc); /* so an unwritten receipt shows */
    memset(outs, 0, sizeof outs);
    knhk_status s = pub ? knhk_eval_batch(soa, items[0].run, batch, rc, outs, 0)
                        : knhk_eval_batch_with(ops, soa, items[0].run, batch, rc, outs, 0);
    const char *via = pub ? "knhk_eval_batch (public)" : "batch";
    if (s != KNHK_OK) {
      snprintf(eg, sizeof eg, "expected status ok, got %s", knhk_status_str(s));
      fail(st, ops->name, op, first_case, &items[0], via, eg);
      return 0;
    }
    for (uint32_t h = 0; h < BLOCK; h++) {
      if (memcmp(&rc[h], &want_rc[h], sizeof rc[h]) != 0) {
        snprintf(eg, sizeof eg,
                 "expected receipt result %u mask 0x%02x op %u lanes %u hash 0x%016llx, got result %u mask "
                 "0x%02x op %u lanes %u hash 0x%016llx",
                 want_rc[h].result, want_rc[h].mask, want_rc[h].op, want_rc[h].lanes,
                 (unsigned long long)want_rc[h].hash, rc[h].result, rc[h].mask, rc[h].op, rc[h].lanes,
                 (unsigned long long)rc[h].hash);
        fail(st, ops->name, op, first_case + h, &items[h], via, eg);
        return 0;
      }
      if (emits(items[h].hook.op) && !same_out(&outs[h], &want_out[h])) {
        describe_out(a, sizeof a, &want_out[h]);
        describe_out(b, sizeof b, &outs[h]);
        snprintf(eg, sizeof eg, "expected emission %s, got %s", a, b);
        fail(st, ops->name, op, first_case + h, &items[h], via, eg);
        return 0;
      }
    }
  }
  /* inline loop: one op per block, so only the per-op blocks */
  if (op != 0) {
    knhk_out_t out;
    for (uint32_t h = 0; h < BLOCK; h++) {
      uint64_t got = ops->loop(op, soa, items, BLOCK - 1, h, 1, &out);
      if (got != want[h]) {
        snprintf(eg, sizeof eg, "expected %u, got %llu", want[h], (unsigned long long)got);
        fail(st, ops->name, op, first_case + h, &items[h], "inline loop", eg);
        return 0;
      }
    }
  }
  st->cases[v][op] += BLOCK;
  return 1;
}

knhk_status knhk_selftest(uint64_t seed, uint32_t cases_per_op, int include_testing, knhk_selftest_t *st) {
  memset(st, 0, sizeof *st);
  st->seed = seed;
  st->cases_per_op = (cases_per_op + BLOCK - 1) / BLOCK * BLOCK;
  knhk_soa_t soa;
  if (knhk_soa_alloc(&soa, TRIPLES) != KNHK_OK) return KNHK_E_NOMEM;

  size_t index[16];
  const char *active = knhk_variant_active();
  for (size_t i = 0; i < knhk_variant_count() && st->variants < 16; i++) {
    const knhk_variant_ops_t *ops = knhk_variant_ops(i);
    if (!knhk_variant_supported(i) || ops == &knhk_ops_portable) continue;
    if (knhk_variant_testing_only(i) && !include_testing) continue;
    index[st->variants] = i;
    st->names[st->variants++] = ops->name;
  }
  const knhk_variant_ops_t *ref = &knhk_ops_portable;
  int ref_is_active = strcmp(active, ref->name) == 0;

  /* op 0 is the mixed-op phase: batches whose hooks have random ops (one group per op inside). */
  for (uint32_t op = 0; op < KNHK_OP_END && !st->failed; op++) {
    uint64_t state = seed ^ (0x632be59bd9b4e019ull * (op + 1));
    uint32_t blocks = op == 0 ? st->cases_per_op / BLOCK / 4 : st->cases_per_op / BLOCK;
    for (uint32_t blk = 0; blk < blocks && !st->failed; blk++) {
      if (blk % REFILL_BLOCKS == 0) refill(&soa, &state);
      knhk_item_t items[BLOCK];
      knhk_batch_t batch;
      make_block(&soa, op, &state, items, &batch, op == 0);
      uint32_t want[BLOCK];
      knhk_out_t want_out[BLOCK];
      knhk_receipt_t want_rc[KNHK_BATCH_MAX];
      for (uint32_t h = 0; h < BLOCK; h++) {
        memset(&want_out[h], 0, sizeof want_out[h]);
        want[h] = ref->eval_hook(&soa, items[h].run, &items[h].hook, &want_out[h]);
      }
      /* The reference's batch must agree with its own per-call results and with the public hash. */
      knhk_out_t ref_outs[BLOCK];
      memset(ref_outs, 0, sizeof ref_outs);
      knhk_status s = knhk_eval_batch_with(ref, &soa, items[0].run, &batch, want_rc, ref_outs, 0);
      for (uint32_t h = 0; h < BLOCK && !st->failed; h++) {
        char eg[200];
        uint64_t hash = knhk_receipt_hash(&soa, items[h].run, &items[h].hook, want[h], want_rc[h].mask);
        if (s != KNHK_OK || want_rc[h].result != want[h] || want_rc[h].hash != hash ||
            (emits(items[h].hook.op) && !same_out(&ref_outs[h], &want_out[h]))) {
          snprintf(eg, sizeof eg, "expected batch result %u hash 0x%016llx, got %u hash 0x%016llx (status %s)",
                   want[h], (unsigned long long)hash, want_rc[h].result, (unsigned long long)want_rc[h].hash,
                   knhk_status_str(s));
          fail(st, ref->name, op, (uint64_t)blk * BLOCK + h, &items[h], "batch vs per call", eg);
        }
      }
      if (st->failed) break;
      uint64_t first_case = (uint64_t)blk * BLOCK;
      for (size_t v = 0; v < st->variants && !st->failed; v++) {
        const knhk_variant_ops_t *ops = knhk_variant_ops(index[v]);
        check_block(st, v, ops, strcmp(active, ops->name) == 0, &soa, op, first_case, items, &batch, want,
                    want_out, want_rc);
      }
      /* The public entry points when portable itself is in use. */
      if (ref_is_active && !st->failed) {
        for (uint32_t h = 0; h < BLOCK && !st->failed; h++) {
          uint32_t got = knhk_eval_hook(&soa, items[h].run, &items[h].hook, NULL);
          if (got != want[h]) {
            char eg[64];
            snprintf(eg, sizeof eg, "expected %u, got %u", want[h], got);
            fail(st, ref->name, op, first_case + h, &items[h], "knhk_eval_hook (public)", eg);
          }
        }
      }
    }
  }
  knhk_soa_free(&soa);
  return KNHK_OK;
}
