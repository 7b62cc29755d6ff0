/* knhk_avx512.c: the AVX-512 variant, the only file built with -mavx512f -mavx512vl -mavx512bw -mavx512dq
 * (CPUID.7.0:EBX bits 16 F, 17 DQ: vpmullq, 30 BW: vpshufb on zmm, 31 VL; tested in knhk_dispatch.c).
 * One zmm holds a whole run; the batch is vertical (bench/README.md has the measured choices). */
#include <immintrin.h>

#include "knhk_impl.h"

#define KNHK_SUFFIX(name) name##_avx512
#define KNHK_VARIANT_NAME "avx512"
#define KNHK_VARIANT_FLAGS "-mavx512f -mavx512vl -mavx512bw -mavx512dq"

/* ---- lane primitives (the per-call and inline paths) ----------------------------------------- */

typedef __m512i knhk_lanes;

/* Masked load: lanes >= len read as 0 and are never touched in memory. */
static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len) {
  return _mm512_maskz_loadu_epi64((__mmask8)knhk_live_mask(len), col);
}

static KNHK_INLINE uint32_t lanes_eq(knhk_lanes l, uint64_t v) {
  return _mm512_cmpeq_epu64_mask(l, _mm512_set1_epi64((long long)v));
}

static KNHK_INLINE uint32_t lanes_gt(knhk_lanes l, uint64_t v) {
  return _mm512_cmpgt_epu64_mask(l, _mm512_set1_epi64((long long)v));
}

static KNHK_INLINE uint32_t lanes_lt(knhk_lanes l, uint64_t v) {
  return _mm512_cmplt_epu64_mask(l, _mm512_set1_epi64((long long)v));
}

static KNHK_INLINE uint32_t lanes_nz(knhk_lanes l) { return _mm512_test_epi64_mask(l, l); }

#define KNHK_HAVE_LANES_COMPRESS 1
static KNHK_INLINE void lanes_compress(uint64_t out[8], knhk_lanes l, uint32_t mask) {
  /* Register-destination compress then a plain store: the memory-destination form is microcoded
   * and slow on AMD Zen 4. */
  _mm512_storeu_si512(out, _mm512_maskz_compress_epi64((__mmask8)mask, l));
}

/* ---- the vertical batch ----------------------------------------------------------------------
 * The 8 hooks of a batch sit in the 8 lanes of a register: one compare tests one run lane against
 * all hooks, and the receipts and hashes of all 8 hooks are computed together. */

#define KNHK_V8(x) {x, x, x, x, x, x, x, x}
static const uint64_t V_MIX[8] __attribute__((aligned(64))) = KNHK_V8(KNHK_HASH_K_MIX);
static const uint64_t V_OUT[8] __attribute__((aligned(64))) = KNHK_V8(KNHK_HASH_K_OUT);
/* popcount of a nibble, for vpshufb (repeated per 128-bit lane) */
static const uint8_t NIBBLE_POP[32] __attribute__((aligned(32))) = {
    0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
/* interleave hash (first source) and receipt word (second source) into receipts 0..3 and 4..7 */
static const uint64_t RECEIPT_LO[8] __attribute__((aligned(64))) = {0, 8, 1, 9, 2, 10, 3, 11};
static const uint64_t RECEIPT_HI[8] __attribute__((aligned(64))) = {4, 12, 5, 13, 6, 14, 7, 15};

#define VLOAD(a) _mm512_load_si512((const void *)(a))

/* Bits set in each 32-bit lane holding a value 0..255: two nibble lookups. */
static KNHK_INLINE __m256i popcount8_v(__m256i m) {
  const __m256i lut = _mm256_load_si256((const __m256i *)NIBBLE_POP);
  return _mm256_add_epi32(_mm256_shuffle_epi8(lut, _mm256_and_si256(m, _mm256_set1_epi32(0x0f))),
                          _mm256_shuffle_epi8(lut, _mm256_srli_epi32(m, 4)));
}

/* Bit i of hook h's mask: run lane i passes the test against hook h's constant (lane h of v).
 * The compare is on 64-bit ids; the masks themselves are 8-bit, kept in 32-bit lanes of a ymm
 * (half the work of a zmm on every AVX-512 CPU). PRED is the _MM_CMPINT_ predicate of
 * "hook constant PRED lane value". */
#define LANE_BIT_(v, col, i, PRED)                                                                 \
  _mm256_maskz_slli_epi32(_mm512_cmp_epu64_mask(v, _mm512_set1_epi64((long long)(col)[i]), PRED), one, i)
#define LANE_BITS(v, col, PRED)                                                                    \
  _mm256_ternarylogic_epi32(                                                                       \
      _mm256_ternarylogic_epi32(LANE_BIT_(v, col, 0, PRED), LANE_BIT_(v, col, 1, PRED),            \
                                LANE_BIT_(v, col, 2, PRED), 0xfe),                                 \
      _mm256_ternarylogic_epi32(LANE_BIT_(v, col, 3, PRED), LANE_BIT_(v, col, 4, PRED),            \
                                LANE_BIT_(v, col, 5, PRED), 0xfe),                                 \
      _mm256_or_si256(LANE_BIT_(v, col, 6, PRED), LANE_BIT_(v, col, 7, PRED)), 0xfe)

/* The same for "S = s and O = o": the O compare of lane i runs under the mask of its S compare, so
 * both tests cost one set of lane bits. */
#define LANE_BIT_SO_(i)                                                                           \
  _mm256_maskz_slli_epi32(                                                                         \
      _mm512_mask_cmpeq_epu64_mask(_mm512_cmpeq_epu64_mask(vS, _mm512_set1_epi64((long long)S[i])), vO, \
                                   _mm512_set1_epi64((long long)O[i])),                            \
      one, i)
#define LANE_BITS_SO()                                                                             \
  _mm256_ternarylogic_epi32(_mm256_ternarylogic_epi32(LANE_BIT_SO_(0), LANE_BIT_SO_(1), LANE_BIT_SO_(2), 0xfe), \
                            _mm256_ternarylogic_epi32(LANE_BIT_SO_(3), LANE_BIT_SO_(4), LANE_BIT_SO_(5), 0xfe), \
                            _mm256_or_si256(LANE_BIT_SO_(6), LANE_BIT_SO_(7)), 0xfe)

/* Lane masks (M) and results (R) of the hooks in group g, which all have the constant op. */
static KNHK_INLINE void group_avx512(const uint32_t op, __m256i one, __mmask8 g, const uint64_t *S,
                                     const uint64_t *O, __m512i vS, __m512i vO, __m256i k32, __m256i live,
                                     __m256i *M, __m256i *R) {
  __m256i m;
  switch (knhk_op_test(op)) {
    case KNHK_TEST_S_EQ:
      m = LANE_BITS(vS, S, _MM_CMPINT_EQ);
      break;
    case KNHK_TEST_SO_EQ:
      m = LANE_BITS_SO();
      break;
    case KNHK_TEST_O_EQ:
      m = LANE_BITS(vO, O, _MM_CMPINT_EQ);
      break;
    case KNHK_TEST_O_GT: /* O[i] > o  <=>  o < O[i] */
      m = LANE_BITS(vO, O, _MM_CMPINT_LT);
      break;
    case KNHK_TEST_O_LT: /* O[i] < o  <=>  o > O[i] */
      m = LANE_BITS(vO, O, _MM_CMPINT_NLE);
      break;
    case KNHK_TEST_O_GE: /* O[i] >= o  <=>  o <= O[i] */
      m = LANE_BITS(vO, O, _MM_CMPINT_LE);
      break;
    case KNHK_TEST_O_LE: /* O[i] <= o  <=>  o >= O[i] */
      m = LANE_BITS(vO, O, _MM_CMPINT_NLT);
      break;
    default: { /* KNHK_TEST_S_NZ: the same lanes for every hook */
      __m512i lanes = _mm512_loadu_si512((const void *)S);
      m = _mm256_set1_epi32((int)_mm512_test_epi64_mask(lanes, lanes));
      break;
    }
  }
  m = _mm256_and_si256(m, live);
  __m256i r;
  /* Results without mask registers: c and k are 0..8, so the sign of a 32-bit difference decides. */
  switch (op) {
    case KNHK_OP_COUNT_SP_GE:
    case KNHK_OP_COUNT_OP_GE: /* c >= k  <=>  k - c - 1 < 0 */
      r = _mm256_srli_epi32(_mm256_sub_epi32(_mm256_sub_epi32(k32, popcount8_v(m)), one), 31);
      break;
    case KNHK_OP_COUNT_SP_LE:
    case KNHK_OP_COUNT_OP_LE: /* c <= k  <=>  c - k - 1 < 0 */
      r = _mm256_srli_epi32(_mm256_sub_epi32(_mm256_sub_epi32(popcount8_v(m), k32), one), 31);
      break;
    case KNHK_OP_COUNT_SP_EQ:
    case KNHK_OP_COUNT_OP_EQ: /* c == k  <=>  (c ^ k) - 1 < 0 */
      r = _mm256_srli_epi32(_mm256_sub_epi32(_mm256_xor_si256(popcount8_v(m), k32), one), 31);
      break;
    case KNHK_OP_UNIQUE_SP: /* exactly one bit: m != 0 and m & (m - 1) == 0 */
      r = _mm256_and_si256(_mm256_min_epu32(m, one),
                           _mm256_srli_epi32(_mm256_sub_epi32(_mm256_and_si256(m, _mm256_sub_epi32(m, one)), one), 31));
      break;
    case KNHK_OP_SELECT_SP:
    case KNHK_OP_CONSTRUCT8:
      r = popcount8_v(m);
      break;
    default: /* ASK, COMPARE, VALIDATE: some lane, m != 0 */
      r = _mm256_min_epu32(m, one);
      break;
  }
  *M = _mm256_mask_mov_epi32(*M, g, m);
  *R = _mm256_mask_mov_epi32(*R, g, r);
}

/* The emissions of hook h when its op (the constant op, or b->op[h] when op is 0) is SELECT_SP or
 * CONSTRUCT8; masks holds the eight lane masks (with the predicate check), one byte per hook, moved
 * out of the vector unit once for the batch. No stack array (it would make the compiler realign
 * the batch's stack frame on every call); a compress of a broadcast fills the first count entries
 * and zeroes the rest. */
static KNHK_INLINE void emit_hook(const uint32_t op, uint32_t h, const knhk_batch_t *b, __m512i lanesS,
                                  __m512i lanesO, uint64_t masks, knhk_out_t *out) {
  const uint32_t hop = op != 0 ? op : b->op[h];
  if (hop != KNHK_OP_SELECT_SP && hop != KNHK_OP_CONSTRUCT8) return;
  const __mmask8 k = (__mmask8)(masks >> (8 * h));
  if (hop == KNHK_OP_SELECT_SP) {
    _mm512_storeu_si512(out->O, _mm512_maskz_compress_epi64(k, lanesO));
  } else {
    _mm512_storeu_si512(out->S, _mm512_maskz_compress_epi64(k, lanesS));
    _mm512_storeu_si512(out->P, _mm512_maskz_compress_epi64(k, _mm512_set1_epi64((long long)b->p[h])));
    _mm512_storeu_si512(out->O, _mm512_maskz_compress_epi64(k, _mm512_set1_epi64((long long)b->o[h])));
  }
}

static KNHK_INLINE void emit_batch(const uint32_t op, const knhk_batch_t *b, const uint64_t *S, const uint64_t *O,
                                   __mmask8 live8, __mmask8 hooks, __m256i M, knhk_out_t *outs) {
  const __m512i lanesS = _mm512_maskz_loadu_epi64(live8, S), lanesO = _mm512_maskz_loadu_epi64(live8, O);
  const uint64_t masks = (uint64_t)_mm_cvtsi128_si64(_mm256_cvtepi32_epi8(M));
#define KNHK_EMIT_(h) \
  if ((hooks >> (h)) & 1u) emit_hook(op, h, b, lanesS, lanesO, masks, &outs[h]);
  KNHK_EMIT_(0) KNHK_EMIT_(1) KNHK_EMIT_(2) KNHK_EMIT_(3) KNHK_EMIT_(4) KNHK_EMIT_(5) KNHK_EMIT_(6) KNHK_EMIT_(7)
#undef KNHK_EMIT_
}

/* The receipts of a batch once its lane masks M and results R are known: the receipt word, the
 * hash (knhk_hash_hook(), for 8 hooks at once) and two stores of four receipts each. */
static KNHK_INLINE void receipts_avx512(knhk_run_t run, __mmask8 hooks, __m256i vOP32, __m512i vP, __m512i vS,
                                        __m512i vO, __m512i vK, __m256i M, __m256i R, knhk_receipt_t *rc) {
  /* The hook's part of the hash (knhk_hash_hook()): independent of the results, so it is computed
   * while the lanes are compared. */
  __m512i x = _mm512_ternarylogic_epi64(_mm512_set1_epi64((long long)knhk_hash_run(run)), vP,
                                        _mm512_rol_epi64(vS, 21), 0x96);
  x = _mm512_ternarylogic_epi64(x, _mm512_rol_epi64(vO, 42), _mm512_slli_epi64(vK, 32), 0x96);
  x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 32));
  x = _mm512_mullo_epi64(x, VLOAD(V_MIX));
  x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 29));
  /* The receipt word op | len << 8 | result << 16 | mask << 24, and the outcome's part. */
  __m256i word = _mm256_ternarylogic_epi32(vOP32, _mm256_slli_epi32(R, 16), _mm256_slli_epi32(M, 24), 0xfe);
  word = _mm256_maskz_or_epi32(hooks, word, _mm256_set1_epi32((int)(run.len << 8)));
  const __m512i w = _mm512_cvtepu32_epi64(word);
  x = _mm512_maskz_xor_epi64(hooks, x, _mm512_mullo_epi64(w, VLOAD(V_OUT)));
  _mm512_storeu_si512(rc, _mm512_permutex2var_epi64(x, VLOAD(RECEIPT_LO), w));
  _mm512_storeu_si512(rc + 4, _mm512_permutex2var_epi64(x, VLOAD(RECEIPT_HI), w));
}

/* The batch: admission of the run and of every hook, then a batch of one op (the common case) runs
 * straight through that op's kernel, and a mixed batch evaluates one group of hooks per distinct
 * op; then one pass computes every receipt. Masks, results and receipt words are 8-bit values kept
 * in 32-bit lanes of a ymm; only the 64-bit ids and the hash need a zmm. */
static knhk_status eval_batch_avx512(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *b,
                                     knhk_receipt_t *rc, knhk_out_t *outs, uint32_t flags) {
  knhk_status st = knhk_admit_batch_run(soa, run, b, rc);
  if (KNHK_UNLIKELY(st != KNHK_OK)) return st;
  if (KNHK_UNLIKELY(flags & KNHK_BATCH_TICKS)) return knhk_eval_batch_timed(&knhk_ops_avx512, soa, run, b, rc, outs);
  const uint64_t *S = soa->S + run.off, *O = soa->O + run.off;
  const __mmask8 hooks = (__mmask8)knhk_live_mask(b->n);
  const __m256i vOP32 = _mm256_load_si256((const __m256i *)b->op);
  const __m512i vP = VLOAD(b->p), vS = VLOAD(b->s), vO = VLOAD(b->o), vK = VLOAD(b->k);
  /* Admission: op in 1..END-1 (one unsigned compare of op - 1) and k <= len, all hooks at once; k is
   * narrowed with unsigned saturation, so a k of 2^32 or more stays above any len. */
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i k32 = _mm512_cvtusepi64_epi32(vK);
  __mmask8 bad_op = _mm256_mask_cmpge_epu32_mask(hooks, _mm256_sub_epi32(vOP32, one), _mm256_set1_epi32(KNHK_OP_END - 1));
  __mmask8 bad_k = _mm256_mask_cmpgt_epu32_mask(hooks, k32, _mm256_set1_epi32((int)run.len));
  if (KNHK_UNLIKELY(!_kortestz_mask8_u8(bad_op, bad_k))) {
    uint32_t first = (uint32_t)__builtin_ctz((uint32_t)(bad_op | bad_k));
    return (bad_op >> first) & 1u ? KNHK_E_UNKNOWN_OP : KNHK_E_K_GT_LEN;
  }
  const __mmask8 live8 = (__mmask8)knhk_live_mask(run.len);
  const __m256i live = _mm256_set1_epi32(live8);
  const __mmask8 pred_ok = _mm512_mask_cmpeq_epu64_mask(hooks, vP, _mm512_set1_epi64((long long)run.pred));

  /* Hooks with the same op form a group, evaluated together: a batch of one op is one group. */
  __m256i M = _mm256_setzero_si256(), R = _mm256_setzero_si256();
  __mmask8 todo = hooks;
  int emit_any = 0;
  uint32_t first = 0; /* the first hook not evaluated yet: hook 0, then the lowest bit of todo */
  while (todo) {
    uint32_t op = b->op[first];
    /* broadcast from memory, not from the register holding op: no general-purpose to vector move
     * on the way to g */
    __mmask8 g = _mm256_mask_cmpeq_epu32_mask(
        todo, vOP32, _mm256_castps_si256(_mm256_broadcast_ss((const float *)&b->op[first])));
    todo &= (__mmask8)~g;
    first = (uint32_t)__builtin_ctz(todo | 0x100u);
    emit_any |= op == KNHK_OP_SELECT_SP || op == KNHK_OP_CONSTRUCT8;
    g &= pred_ok; /* a predicate mismatch leaves mask and result 0 */
    switch (op) {
#define KNHK_GROUP_(OP)                                                  \
  case OP:                                                               \
    group_avx512(OP, one, g, S, O, vS, vO, k32, live, &M, &R);           \
    break;
      KNHK_FOR_EACH_OP(KNHK_GROUP_)
#undef KNHK_GROUP_
      default:
        break;
    }
  }
  receipts_avx512(run, hooks, vOP32, vP, vS, vO, vK, M, R, rc);
  if (outs != NULL && emit_any) emit_batch(0, b, S, O, live8, hooks, M, outs);
  return KNHK_OK;
}

/* The receipt layout the interleave above writes: {hash, word} with the word's bytes op, lanes,
 * result, mask, then ticks (little-endian x86-64). */
_Static_assert(sizeof(knhk_receipt_t) == 16 && offsetof(knhk_receipt_t, op) == 8 &&
                   offsetof(knhk_receipt_t, lanes) == 9 && offsetof(knhk_receipt_t, result) == 10 &&
                   offsetof(knhk_receipt_t, mask) == 11 && offsetof(knhk_receipt_t, ticks) == 12,
               "knhk_receipt_t layout");

#define KNHK_VARIANT_BATCH eval_batch_avx512
#include "knhk_variant.h"
