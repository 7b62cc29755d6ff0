/* ops.c: the kernels `knhk bench` times (op x variant x call mode) and their input pools (see
 * make_hook(): hits, misses, values only in lanes >= len, predicate mismatches), each kernel checked
 * against portable on its whole pool before it is timed. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "knhk_impl.h"

#define ITEMS 256u /* powers of two: the next input is items[i & ITEM_MASK], no division */
#define ITEM_MASK (ITEMS - 1u)
#define BATCHES 64u
#define BATCH_MASK (BATCHES - 1u)
#define RUNS 8u
#define TRIPLES (RUNS * KNHK_MAX_LANES)
#define PRED_BASE 0x5000u

typedef struct {
  knhk_batch_t batch; /* first: 64-byte aligned like the struct */
  knhk_run_t run;
} pool_batch_t;

/* The inputs of one op (L1-resident: 14 KiB of items, 24 KiB of batches). The padding makes the
 * stride between ops' pools 2496 bytes modulo 4 KiB instead of 2048, so the pools of the 19 ops do
 * not all sit at the same two 4 KiB offsets (see the page layout below for why offsets matter). */
typedef struct {
  knhk_item_t items[ITEMS];
  pool_batch_t batches[BATCHES];
  char pad[448];
} op_pool_t;

typedef struct {
  knhk_bench_ops_t *owner;
  uint32_t op;
  const knhk_variant_ops_t *variant;
  int active; /* the variant in use: api and batch go through the public entry points */
} kernel_ctx_t;

/* The columns and the buffers every kernel writes (receipts, emissions) share one 4 KiB page at
 * fixed offsets that do not overlap in the low 12 address bits. Measured on Zen 5: a receipt buffer
 * that 4K-aliases the run's columns makes each batch's loads wait for the previous batch's stores,
 * and the same kernel then times 2-4x slower depending only on where the buffers happened to be
 * allocated. The page layout keeps that artifact out of the figures (bench/README.md). */
enum { PAGE = 4096, COL_S = 0, COL_O = 1024, OUTS = 1664, RECEIPTS = 3264, COL_P = PAGE };
typedef struct {
  knhk_receipt_t *rc;   /* KNHK_BATCH_MAX receipts */
  knhk_out_t *outs;     /* KNHK_BATCH_MAX emissions */
} sink_t;

struct knhk_bench_ops {
  knhk_soa_t soa; /* columns inside arena, not from knhk_soa_alloc() */
  unsigned char *arena;
  sink_t sink;
  op_pool_t *pools; /* [KNHK_OP_END], index 0 unused */
  kernel_ctx_t ctx[KNHK_BENCH_MAX_ENTRIES];
  size_t ctx_count;
  kernel_ctx_t probe; /* the interference probe's kernel */
};

/* Ids with 0, values >= 2^63 and UINT64_MAX among them, repeated so runs hold duplicates. */
static const uint64_t S_IDS[7] = {0x1001, 0x1002, 0, 0x8000000000000003ull, 0x1004, UINT64_MAX, 0x1002};
static const uint64_t O_IDS[7] = {0x2001, 0x8000000000002002ull, 0x2003, 1, UINT64_MAX, 0x2004, 0x2003};

/* The hook of input j of op on run: its kind is j mod 5, a prime, so the kinds do not line up with
 * the power-of-two sample sizes. */
static knhk_hook_t make_hook(const knhk_soa_t *soa, uint32_t op, uint32_t j, knhk_run_t run) {
  uint32_t len = run.len, lane;
  knhk_hook_t h = {op, run.pred, 0, 0, (j / 3) % (len + 1)};
  switch (j % 5) {
    case 0: /* a hit */
      lane = len ? (j / 5) % len : 0;
      break;
    case 1: /* a miss: ids no triple has */
      h.s = 0x7700000000000000ull + j;
      h.o = 0x6600000000000000ull + j;
      return h;
    case 2: /* a value only in the lanes >= len (the next run's, or the padding, when len is 8) */
      lane = len + (j / 5) % (9 - len);
      break;
    case 3: /* a hit, but the wrong predicate */
      lane = len ? (j / 5) % len : 0;
      h.p = run.pred ^ 0x10000u;
      break;
    default: /* a hit in the last lane */
      lane = len ? len - 1 : 0;
      break;
  }
  h.s = soa->S[run.off + lane];
  h.o = soa->O[run.off + lane];
  return h;
}

static void build_pool(const knhk_soa_t *soa, uint32_t op, op_pool_t *pool) {
  for (uint32_t j = 0; j < ITEMS; j++) {
    uint32_t r = (j * 3) % RUNS;
    knhk_run_t run = {PRED_BASE + r, r * KNHK_MAX_LANES, j % 9};
    pool->items[j].run = run;
    pool->items[j].hook = make_hook(soa, op, j, run);
  }
  for (uint32_t b = 0; b < BATCHES; b++) {
    uint32_t r = b % RUNS;
    knhk_run_t run = {PRED_BASE + r, r * KNHK_MAX_LANES, (b * 5 + b / RUNS) % 9};
    pool_batch_t *pb = &pool->batches[b];
    memset(&pb->batch, 0, sizeof pb->batch);
    pb->run = run;
    pb->batch.n = KNHK_BATCH_MAX;
    for (uint32_t h = 0; h < KNHK_BATCH_MAX; h++) {
      knhk_hook_t hook = make_hook(soa, op, b * KNHK_BATCH_MAX + h, run);
      knhk_batch_set(&pb->batch, h, &hook);
    }
  }
}

knhk_status knhk_bench_ops_create(knhk_bench_ops_t **out) {
  *out = NULL;
  knhk_bench_ops_t *ops = calloc(1, sizeof *ops);
  if (ops == NULL) return KNHK_E_NOMEM;
  ops->pools = aligned_alloc(64, KNHK_OP_END * sizeof *ops->pools);
  ops->arena = aligned_alloc(PAGE, 2 * PAGE);
  if (ops->pools == NULL || ops->arena == NULL) {
    knhk_bench_ops_free(ops);
    return KNHK_E_NOMEM;
  }
  _Static_assert((TRIPLES + 7) * sizeof(uint64_t) <= COL_O - COL_S && COL_O + (TRIPLES + 7) * sizeof(uint64_t) <= OUTS &&
                     OUTS + KNHK_BATCH_MAX * sizeof(knhk_out_t) <= RECEIPTS &&
                     RECEIPTS + KNHK_BATCH_MAX * sizeof(knhk_receipt_t) <= PAGE,
                 "bench page layout");
  memset(ops->arena, 0, 2 * PAGE);
  ops->soa.S = (uint64_t *)(ops->arena + COL_S);
  ops->soa.O = (uint64_t *)(ops->arena + COL_O);
  ops->soa.P = (uint64_t *)(ops->arena + COL_P);
  ops->soa.count = TRIPLES;
  ops->sink.outs = (knhk_out_t *)(ops->arena + OUTS);
  ops->sink.rc = (knhk_receipt_t *)(ops->arena + RECEIPTS);
  for (uint32_t i = 0; i < TRIPLES + 7; i++) { /* the padding too: lanes past the last run */
    ops->soa.S[i] = S_IDS[(i * 5 + i / KNHK_MAX_LANES) % 7];
    ops->soa.P[i] = PRED_BASE + (i < TRIPLES ? i / KNHK_MAX_LANES : RUNS);
    ops->soa.O[i] = O_IDS[(i * 3 + 1) % 7];
  }
  for (uint32_t op = 1; op < KNHK_OP_END; op++) build_pool(&ops->soa, op, &ops->pools[op]);
  *out = ops;
  return KNHK_OK;
}

void knhk_bench_ops_free(knhk_bench_ops_t *ops) {
  if (ops == NULL) return;
  free(ops->arena);
  free(ops->pools);
  free(ops);
}

/* ---- sample functions: one per call mode ------------------------------------------------------ */

/* api: one knhk_eval_hook() per operation (the variant in use), or the variant's own per-call entry
 * through its table (the same indirect call knhk_eval_hook() makes). */
static uint64_t sample_api(void *vctx, const knhk_clock_t *clk, uint32_t start, uint32_t calls, uint64_t *sum) {
  kernel_ctx_t *c = vctx;
  const knhk_soa_t *soa = &c->owner->soa;
  const knhk_item_t *items = c->owner->pools[c->op].items;
  knhk_out_t *out = &c->owner->sink.outs[0];
  uint64_t acc = 0, t0, t1;
  if (c->active) {
    t0 = knhk_clock_start();
    for (uint32_t i = 0; i < calls; i++) {
      const knhk_item_t *it = &items[(start + i) & ITEM_MASK];
      acc += knhk_eval_hook(soa, it->run, &it->hook, out);
    }
    t1 = knhk_clock_stop(clk);
  } else {
    knhk_eval_hook_fn eval = c->variant->eval_hook;
    t0 = knhk_clock_start();
    for (uint32_t i = 0; i < calls; i++) {
      const knhk_item_t *it = &items[(start + i) & ITEM_MASK];
      acc += eval(soa, it->run, &it->hook, out);
    }
    t1 = knhk_clock_stop(clk);
  }
  *sum = acc + out->O[0];
  return t1 - t0;
}

/* batch: one knhk_eval_batch() per 8 operations, every receipt consumed. */
static uint64_t sample_batch(void *vctx, const knhk_clock_t *clk, uint32_t start, uint32_t calls,
                             uint64_t *sum) {
  kernel_ctx_t *c = vctx;
  const knhk_soa_t *soa = &c->owner->soa;
  const pool_batch_t *batches = c->owner->pools[c->op].batches;
  const knhk_variant_ops_t *variant = c->active ? NULL : c->variant;
  knhk_receipt_t *rc = c->owner->sink.rc;
  knhk_out_t *outs = c->owner->sink.outs;
  uint64_t acc = 0, t0, t1;
  uint32_t st = 0;
#define KNHK_RECEIPTS_ \
  (rc[0].hash + rc[1].hash + rc[2].hash + rc[3].hash + rc[4].hash + rc[5].hash + rc[6].hash + rc[7].hash)
  if (variant == NULL) { /* one loop per entry point, as sample_api(): no test per call */
    t0 = knhk_clock_start();
    for (uint32_t i = 0; i < calls; i++) {
      const pool_batch_t *b = &batches[(start + i) & BATCH_MASK];
      st |= (uint32_t)knhk_eval_batch(soa, b->run, &b->batch, rc, outs, 0);
      acc += KNHK_RECEIPTS_;
    }
    t1 = knhk_clock_stop(clk);
  } else {
    t0 = knhk_clock_start();
    for (uint32_t i = 0; i < calls; i++) {
      const pool_batch_t *b = &batches[(start + i) & BATCH_MASK];
      st |= (uint32_t)knhk_eval_batch_with(variant, soa, b->run, &b->batch, rc, outs, 0);
      acc += KNHK_RECEIPTS_;
    }
    t1 = knhk_clock_stop(clk);
  }
#undef KNHK_RECEIPTS_
  *sum = acc ^ st;
  return t1 - t0;
}

/* inline: the variant's kernel inlined into its own loop (one call per sample). */
static uint64_t sample_inline(void *vctx, const knhk_clock_t *clk, uint32_t start, uint32_t calls,
                              uint64_t *sum) {
  kernel_ctx_t *c = vctx;
  const knhk_item_t *items = c->owner->pools[c->op].items;
  knhk_out_t *out = &c->owner->sink.outs[0];
  uint64_t t0 = knhk_clock_start();
  uint64_t acc = c->variant->loop(c->op, &c->owner->soa, items, ITEM_MASK, start, calls, out);
  uint64_t t1 = knhk_clock_stop(clk);
  *sum = acc + out->O[0];
  return t1 - t0;
}

/* ---- registry --------------------------------------------------------------------------------- */

size_t knhk_bench_ops_list(knhk_bench_ops_t *ops, const knhk_bench_params_t *params, knhk_bench_kernel_t *out,
                           size_t max) {
  static const struct {
    const char *mode;
    uint32_t ops_per_call;
    knhk_bench_sample_fn fn;
  } MODES[] = {{"batch", KNHK_BATCH_MAX, sample_batch}, {"api", 1, sample_api}, {"inline", 1, sample_inline}};
  const char *active = knhk_variant_active();
  size_t n = 0;
  ops->ctx_count = 0;
  for (uint32_t op = 1; op < KNHK_OP_END; op++) {
    if (params->op != 0 && params->op != op) continue;
    for (size_t v = 0; v < knhk_variant_count(); v++) {
      const knhk_variant_ops_t *variant = knhk_variant_ops(v);
      if (!knhk_variant_supported(v) || knhk_variant_testing_only(v) || !knhk_variant_name_known(variant->name))
        continue;
      if (params->variant != NULL && strcmp(params->variant, variant->name) != 0) continue;
      for (size_t m = 0; m < sizeof MODES / sizeof MODES[0]; m++) {
        if (n == max || ops->ctx_count == KNHK_BENCH_MAX_ENTRIES) return n;
        kernel_ctx_t *c = &ops->ctx[ops->ctx_count++];
        memset(c, 0, sizeof *c);
        c->owner = ops;
        c->op = op;
        c->variant = variant;
        c->active = strcmp(active, variant->name) == 0;
        out[n++] = (knhk_bench_kernel_t){op, variant->name, MODES[m].mode, MODES[m].ops_per_call, MODES[m].fn, c};
      }
    }
  }
  return n;
}

int knhk_bench_ops_verify(knhk_bench_ops_t *ops, const knhk_bench_kernel_t *k, char *err, size_t err_size) {
  kernel_ctx_t *c = k->ctx;
  const knhk_soa_t *soa = &ops->soa;
  const op_pool_t *pool = &ops->pools[k->op];
  const knhk_variant_ops_t *ref = &knhk_ops_portable;
  knhk_out_t out;
  if (strcmp(k->call_mode, "batch") != 0) {
    for (uint32_t j = 0; j < ITEMS; j++) {
      const knhk_item_t *it = &pool->items[j];
      knhk_status st = knhk_admit(soa, it->run, &it->hook);
      uint32_t want = st == KNHK_OK ? ref->eval_hook(soa, it->run, &it->hook, &out) : 0;
      uint32_t got = 0;
      if (st == KNHK_OK) {
        if (strcmp(k->call_mode, "inline") == 0) got = (uint32_t)c->variant->loop(k->op, soa, pool->items, ITEM_MASK, j, 1, &out);
        else got = c->active ? knhk_eval_hook(soa, it->run, &it->hook, &out) : c->variant->eval_hook(soa, it->run, &it->hook, &out);
      }
      if (st != KNHK_OK || got != want) {
        snprintf(err, err_size, "%s %s %s differs from portable on pool input %u (admission: %s): expected %u, got %u",
                 knhk_op_name(k->op), k->variant, k->call_mode, j, knhk_status_str(st), want, got);
        return 3;
      }
    }
    return 0;
  }
  for (uint32_t b = 0; b < BATCHES; b++) {
    const pool_batch_t *pb = &pool->batches[b];
    knhk_receipt_t want[KNHK_BATCH_MAX], got[KNHK_BATCH_MAX];
    knhk_status s1 = knhk_eval_batch_with(ref, soa, pb->run, &pb->batch, want, NULL, 0);
    knhk_status s2 = c->active ? knhk_eval_batch(soa, pb->run, &pb->batch, got, NULL, 0)
                               : knhk_eval_batch_with(c->variant, soa, pb->run, &pb->batch, got, NULL, 0);
    if (s1 != KNHK_OK || s2 != KNHK_OK || memcmp(want, got, sizeof want) != 0) {
      uint32_t h = 0;
      while (h + 1 < KNHK_BATCH_MAX && memcmp(&want[h], &got[h], sizeof want[h]) == 0) h++;
      snprintf(err, err_size,
               "%s %s batch differs from portable on pool batch %u hook %u (status %s / %s): expected result %u "
               "hash %016llx, got result %u hash %016llx",
               knhk_op_name(k->op), k->variant, b, h, knhk_status_str(s1), knhk_status_str(s2), want[h].result,
               (unsigned long long)want[h].hash, got[h].result, (unsigned long long)got[h].hash);
      return 3;
    }
  }
  return 0;
}

/* The probe: ASK_SP's batch through knhk_eval_batch() (the variant in use), on its own pool. The
 * same kind of code as the kernels judged (vector compares, loads and stores, the receipts), so a
 * neighbour that slows them slows it alike; plain arithmetic loops did not notice the slow spells
 * this VM has (bench/README.md). */
void knhk_bench_ops_probe(knhk_bench_ops_t *ops, knhk_bench_probe_t *probe, char *name, size_t name_size) {
  kernel_ctx_t *c = &ops->probe;
  memset(c, 0, sizeof *c);
  c->owner = ops;
  c->op = KNHK_OP_ASK_SP;
  c->active = 1;
  memset(probe, 0, sizeof *probe);
  probe->fn = sample_batch;
  probe->ctx = c;
  probe->ops_per_call = KNHK_BATCH_MAX;
  snprintf(name, name_size, "%s %s batch", knhk_op_name(KNHK_OP_ASK_SP), knhk_variant_active());
}
