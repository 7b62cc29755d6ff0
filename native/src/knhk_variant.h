/* knhk_variant.h: generates a kernel variant (per-call kernel, batch, inline loop, table entry) from
 * its lane primitives. Included at the end of each src/knhk_<isa>.c: compiled with that file's flags. */

/* Adding a variant (e.g. neon): write src/knhk_neon.c that defines, before including this file,
 *
 *   #define KNHK_SUFFIX(name) name##_neon    names the generated functions
 *   #define KNHK_VARIANT_NAME "neon"         its name in reports and KNHK_FORCE_VARIANT
 *   #define KNHK_VARIANT_FLAGS ""            the -m flags the Makefile gives this file (for reports)
 *   typedef ... knhk_lanes;                  8 lanes of one column of a run, as the ISA holds them
 *   static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len);
 *       col points at lane 0 of the run (S + off or O + off); len is the run's length. Lanes at or
 *       beyond len may hold anything (the generated code masks them off), and the column is
 *       readable for 8 lanes (a precondition of the public API), so a full-width load is fine.
 *   static KNHK_INLINE uint32_t lanes_eq(knhk_lanes l, uint64_t v);  bit i set: lane i == v
 *   static KNHK_INLINE uint32_t lanes_gt(knhk_lanes l, uint64_t v);  bit i set: lane i > v, unsigned
 *   static KNHK_INLINE uint32_t lanes_lt(knhk_lanes l, uint64_t v);  bit i set: lane i < v, unsigned
 *   static KNHK_INLINE uint32_t lanes_nz(knhk_lanes l);              bit i set: lane i != 0
 *       (bits 8 and up must be 0; bits of lanes >= len may be anything)
 *
 * and optionally
 *   #define KNHK_HAVE_LANES_COMPRESS + static KNHK_INLINE void lanes_compress(uint64_t out[8],
 *       knhk_lanes l, uint32_t mask): lanes of mask in lane order to out[0..c), 0 to out[c..8)
 *       (default: a scalar loop over the column);
 *   #define KNHK_VARIANT_BATCH <function>: a batch kernel of type knhk_eval_batch_fn defined by the
 *       file, with the whole contract of that type (it starts with knhk_admit_batch_run() and hands
 *       KNHK_BATCH_TICKS to knhk_eval_batch_timed(), like the default: the per-hook batch below);
 *   #define KNHK_LIVE_MASK(len): the live-lane mask (default knhk_live_mask(); the deliberately
 *       wrong test variant overrides it).
 *
 * then add one line to VARIANTS[] in src/knhk_dispatch.c (name, CPUID test, &knhk_ops_<isa>), the
 * extern in src/knhk_impl.h, and the file's switch and -m flags in the Makefile. Every variant is
 * tested against portable (knhk selftest, tests/test_variants.c). */
#ifndef KNHK_SUFFIX
#error "define KNHK_SUFFIX, KNHK_VARIANT_NAME, KNHK_VARIANT_FLAGS and the lane primitives first"
#endif

#include <string.h>

#ifndef KNHK_LIVE_MASK
#define KNHK_LIVE_MASK(len) knhk_live_mask(len)
#endif

/* The mask of the lanes i < len that pass the op's test, before the predicate check. op is a
 * constant at every call site, so the switch folds away. */
static KNHK_INLINE uint32_t KNHK_SUFFIX(test_mask)(const uint32_t op, const uint64_t *S, const uint64_t *O,
                                                   uint32_t len, uint64_t s, uint64_t o) {
  uint32_t m;
  switch (knhk_op_test(op)) {
    case KNHK_TEST_S_EQ:
      m = lanes_eq(lanes_load(S, len), s);
      break;
    case KNHK_TEST_SO_EQ:
      m = lanes_eq(lanes_load(S, len), s) & lanes_eq(lanes_load(O, len), o);
      break;
    case KNHK_TEST_O_EQ:
      m = lanes_eq(lanes_load(O, len), o);
      break;
    case KNHK_TEST_O_GT:
      m = lanes_gt(lanes_load(O, len), o);
      break;
    case KNHK_TEST_O_LT:
      m = lanes_lt(lanes_load(O, len), o);
      break;
    case KNHK_TEST_O_GE:
      m = ~lanes_lt(lanes_load(O, len), o);
      break;
    case KNHK_TEST_O_LE:
      m = ~lanes_gt(lanes_load(O, len), o);
      break;
    default: /* KNHK_TEST_S_NZ */
      m = lanes_nz(lanes_load(S, len));
      break;
  }
  return m & KNHK_LIVE_MASK(len);
}

#if !defined(KNHK_HAVE_LANES_COMPRESS)
/* Scalar compress: reads only the lanes of mask (all < len), so it never reads past the run. */
static KNHK_INLINE void KNHK_SUFFIX(compress)(uint64_t out[8], const uint64_t *col, uint32_t len,
                                             uint32_t mask) {
  (void)len;
  uint32_t j = 0;
  for (uint32_t i = 0; i < 8; i++)
    if ((mask >> i) & 1u) out[j++] = col[i];
  for (; j < 8; j++) out[j] = 0;
}
#else
static KNHK_INLINE void KNHK_SUFFIX(compress)(uint64_t out[8], const uint64_t *col, uint32_t len,
                                             uint32_t mask) {
  lanes_compress(out, lanes_load(col, len), mask);
}
#endif

/* SELECT_SP and CONSTRUCT8 emissions (mask already includes the predicate check). */
static KNHK_INLINE void KNHK_SUFFIX(emit)(const uint32_t op, const uint64_t *S, const uint64_t *O,
                                          uint32_t len, const knhk_hook_t *hook, uint32_t mask,
                                          uint32_t count, knhk_out_t *out) {
  if (op == KNHK_OP_SELECT_SP) {
    KNHK_SUFFIX(compress)(out->O, O, len, mask);
  } else {
    KNHK_SUFFIX(compress)(out->S, S, len, mask);
    for (uint32_t j = 0; j < 8; j++) {
      out->P[j] = j < count ? hook->p : 0;
      out->O[j] = j < count ? hook->o : 0;
    }
  }
}

/* One hook with a constant op: the kernel every entry point inlines. Returns the result and the
 * lane mask (0 when p != run.pred). */
static KNHK_INLINE uint32_t KNHK_SUFFIX(eval_op)(const uint32_t op, const knhk_soa_t *soa, knhk_run_t run,
                                                 uint64_t p, uint64_t s, uint64_t o, uint64_t k,
                                                 uint32_t *mask_out) {
  uint32_t pred_ok = 0u - (uint32_t)(p == run.pred); /* all ones or 0: no branch on data */
  uint32_t mask = KNHK_SUFFIX(test_mask)(op, soa->S + run.off, soa->O + run.off, run.len, s, o) & pred_ok;
  *mask_out = mask;
  return knhk_op_result(op, mask, k) & pred_ok;
}

/* The per-call entry point (call mode "api"): one switch on the op, the kernel inlined per case. */
static uint32_t KNHK_SUFFIX(eval_hook)(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook,
                                       knhk_out_t *out) {
  uint32_t mask, r;
  switch (hook->op) {
#define KNHK_CASE_(OP)                                                                              \
  case OP:                                                                                          \
    r = KNHK_SUFFIX(eval_op)(OP, soa, run, hook->p, hook->s, hook->o, hook->k, &mask);              \
    if ((OP == KNHK_OP_SELECT_SP || OP == KNHK_OP_CONSTRUCT8) && out != NULL)                       \
      KNHK_SUFFIX(emit)(OP, soa->S + run.off, soa->O + run.off, run.len, hook, mask, r, out);       \
    return r;
    KNHK_FOR_EACH_OP(KNHK_CASE_)
#undef KNHK_CASE_
    default:
      assert(!"eval_hook: op not admitted");
      return 0;
  }
}

/* The inline call mode: the kernel of one op inlined into a loop over prebuilt inputs, as a
 * caller compiled for this ISA would write it. out receives the emissions of SELECT_SP and
 * CONSTRUCT8 (a real buffer, so the stores cannot be optimised away). */
static uint64_t KNHK_SUFFIX(loop)(uint32_t op, const knhk_soa_t *soa, const knhk_item_t *items,
                                  uint32_t item_mask, uint32_t start, uint32_t calls, knhk_out_t *out) {
  uint64_t acc = 0;
  uint32_t mask;
  switch (op) {
#define KNHK_LOOP_(OP)                                                                              \
  case OP:                                                                                          \
    for (uint32_t i = 0; i < calls; i++) {                                                          \
      const knhk_item_t *it = &items[(start + i) & item_mask];                                      \
      uint32_t r = KNHK_SUFFIX(eval_op)(OP, soa, it->run, it->hook.p, it->hook.s, it->hook.o,       \
                                        it->hook.k, &mask);                                         \
      if (OP == KNHK_OP_SELECT_SP || OP == KNHK_OP_CONSTRUCT8)                                      \
        KNHK_SUFFIX(emit)(OP, soa->S + it->run.off, soa->O + it->run.off, it->run.len, &it->hook,  \
                          mask, r, out);                                                            \
      acc += r;                                                                                     \
    }                                                                                               \
    break;
    KNHK_FOR_EACH_OP(KNHK_LOOP_)
#undef KNHK_LOOP_
    default:
      break;
  }
  return acc;
}

#if !defined(KNHK_VARIANT_BATCH)
/* The generic batch: admission of the run and of every hook, then hook after hook with the
 * per-call kernel and its receipt, under one dispatch on the op when every hook has hook 0's. */
static knhk_status KNHK_SUFFIX(eval_batch)(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *b,
                                           knhk_receipt_t *rc, knhk_out_t *outs, uint32_t flags) {
  knhk_status st = knhk_admit_batch_run(soa, run, b, rc);
  if (KNHK_UNLIKELY(st != KNHK_OK)) return st;
  if (KNHK_UNLIKELY(flags & KNHK_BATCH_TICKS))
    return knhk_eval_batch_timed(&KNHK_SUFFIX(knhk_ops), soa, run, b, rc, outs);
  uint32_t bad_op = 0, bad_k = 0; /* one bit per refused hook and reason, no branch per hook */
  uint32_t mixed = 0;             /* non-zero when some hook's op is not hook 0's */
  for (uint32_t h = 0; h < b->n; h++) {
    bad_op |= (uint32_t)(b->op[h] - 1u >= KNHK_OP_END - 1u) << h;
    bad_k |= (uint32_t)(b->k[h] > run.len) << h;
    mixed |= b->op[h] ^ b->op[0];
  }
  if (KNHK_UNLIKELY((bad_op | bad_k) != 0)) {
    uint32_t first = (uint32_t)__builtin_ctz(bad_op | bad_k);
    return (bad_op >> first) & 1u ? KNHK_E_UNKNOWN_OP : KNHK_E_K_GT_LEN;
  }
  const uint64_t run_part = knhk_hash_run(run);
  /* Hook h with op OP: its kernel, its emissions, its receipt. */
#define KNHK_HOOK_(OP, h)                                                                           \
  do {                                                                                              \
    uint32_t mask_ = 0;                                                                             \
    const knhk_hook_t hook_ = {OP, b->p[h], b->s[h], b->o[h], b->k[h]};                             \
    const uint32_t r_ = KNHK_SUFFIX(eval_op)(OP, soa, run, hook_.p, hook_.s, hook_.o, hook_.k, &mask_); \
    if ((OP == KNHK_OP_SELECT_SP || OP == KNHK_OP_CONSTRUCT8) && outs != NULL)                      \
      KNHK_SUFFIX(emit)(OP, soa->S + run.off, soa->O + run.off, run.len, &hook_, mask_, r_, &outs[h]); \
    rc[h].hash = knhk_hash_hook(run_part, hook_.p, hook_.s, hook_.o, hook_.k,                       \
                                knhk_hash_word(OP, run.len, r_, mask_));                            \
    rc[h].op = (uint8_t)(OP);                                                                       \
    rc[h].lanes = (uint8_t)run.len;                                                                 \
    rc[h].result = (uint8_t)r_;                                                                     \
    rc[h].mask = (uint8_t)mask_;                                                                    \
    rc[h].ticks = 0;                                                                                \
  } while (0)
  /* Every hook with hook 0's op (the common case): one dispatch for the batch, and a loop the
   * compiler sees whole; else one dispatch per hook. */
  uint32_t h = 0;
  if (b->n != 0 && mixed == 0) {
    switch (b->op[0]) {
#define KNHK_UNIFORM_(OP)                                                                           \
  case OP:                                                                                          \
    for (; h < b->n; h++) KNHK_HOOK_(OP, h);                                                        \
    break;
      KNHK_FOR_EACH_OP(KNHK_UNIFORM_)
#undef KNHK_UNIFORM_
      default:
        assert(!"eval_batch: op not admitted");
        break;
    }
  } else {
    for (; h < b->n; h++) {
      switch (b->op[h]) {
#define KNHK_MIXED_(OP)                                                                             \
  case OP:                                                                                          \
    KNHK_HOOK_(OP, h);                                                                              \
    break;
        KNHK_FOR_EACH_OP(KNHK_MIXED_)
#undef KNHK_MIXED_
        default:
          assert(!"eval_batch: op not admitted");
          break;
      }
    }
  }
#undef KNHK_HOOK_
  if (h < KNHK_BATCH_MAX) memset(&rc[h], 0, (KNHK_BATCH_MAX - h) * sizeof *rc);
  return KNHK_OK;
}
#define KNHK_VARIANT_BATCH KNHK_SUFFIX(eval_batch)
#endif

const knhk_variant_ops_t KNHK_SUFFIX(knhk_ops) = {
    KNHK_VARIANT_NAME, KNHK_VARIANT_FLAGS, KNHK_SUFFIX(eval_hook), KNHK_VARIANT_BATCH,
    KNHK_SUFFIX(loop)};
