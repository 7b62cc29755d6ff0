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

/* ---- compress: the lanes of a mask in lane order, zeros after ------------------------------------
 * vpcompressq (_mm512_maskz_compress_epi64) does this in one instruction, but on Zen 5 it is two
 * uops and wants the mask in a k register (a general-purpose to mask move per hook); a permute by
 * an index vector from a 2 KiB table, with index 8 picking from a zero vector, measured faster:
 * SELECT_SP's batch at 9.1 ticks per op with vpcompressq, 7.9 with the table (bench/README.md).
 * SEL_IDX[m] holds, in byte j, the lane of the j-th set bit of m, or 8 for j >= popcount(m). */
#define SEL_BIT_(m, i) (((m) >> (i)) & 1u)
#define SEL_POP_(m) (SEL_BIT_(m, 0) + SEL_BIT_(m, 1) + SEL_BIT_(m, 2) + SEL_BIT_(m, 3) + SEL_BIT_(m, 4) + \
                     SEL_BIT_(m, 5) + SEL_BIT_(m, 6) + SEL_BIT_(m, 7))
#define SEL_LANE_(m, i) (SEL_BIT_(m, i) ? (uint64_t)(i) << (8u * SEL_POP_((m) & ((1u << (i)) - 1u))) : 0u)
#define SEL_FILL_(m) (SEL_POP_(m) == 8u ? 0u : 0x0808080808080808ull << (8u * (SEL_POP_(m) & 7u)))
#define SEL_(m)                                                                                        \
  (SEL_LANE_(m, 0) | SEL_LANE_(m, 1) | SEL_LANE_(m, 2) | SEL_LANE_(m, 3) | SEL_LANE_(m, 4) |          \
   SEL_LANE_(m, 5) | SEL_LANE_(m, 6) | SEL_LANE_(m, 7) | SEL_FILL_(m))
#define SEL4_(m) SEL_(m), SEL_((m) + 1u), SEL_((m) + 2u), SEL_((m) + 3u)
#define SEL16_(m) SEL4_(m), SEL4_((m) + 4u), SEL4_((m) + 8u), SEL4_((m) + 12u)
#define SEL64_(m) SEL16_(m), SEL16_((m) + 16u), SEL16_((m) + 32u), SEL16_((m) + 48u)
static const uint64_t SEL_IDX[256] __attribute__((aligned(64))) = {SEL64_(0u), SEL64_(64u), SEL64_(128u),
                                                                    SEL64_(192u)};
_Static_assert(SEL_(0u) == 0x0808080808080808ull && SEL_(0xffu) == 0x0706050403020100ull &&
                   SEL_(0x82u) == 0x0808080808080701ull,
               "SEL_IDX");

/* The lanes of mask (bits 0..7) in lane order, then zeros. */
static KNHK_INLINE __m512i select_lanes(__m512i l, uint32_t mask) {
  const __m512i idx = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)&SEL_IDX[mask & 0xffu]));
  return _mm512_permutex2var_epi64(l, idx, _mm512_setzero_si512());
}

#define KNHK_HAVE_LANES_COMPRESS 1
static KNHK_INLINE void lanes_compress(uint64_t out[8], knhk_lanes l, uint32_t mask) {
  _mm512_storeu_si512(out, select_lanes(l, mask));
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

/* The same for "S = s and O = o", with one compare per lane instead of two: hook h matches lane i
 * when (s_h ^ S[i]) | (o_h ^ O[i]) is 0 (one xor, one ternary logic, one test). Measured against two
 * chained compares (the O compare under the mask of the S compare): ASK_SPO's batch 4.7 ticks per op
 * instead of 5.9 (bench/README.md). */
static KNHK_INLINE __mmask8 so_match(__m512i vS, __m512i vO, uint64_t s, uint64_t o) {
  const __m512i t = _mm512_ternarylogic_epi64(_mm512_xor_si512(vS, _mm512_set1_epi64((long long)s)), vO,
                                              _mm512_set1_epi64((long long)o), 0xf6); /* a | (b ^ c) */
  return _mm512_testn_epi64_mask(t, t);
}
#define LANE_BIT_SO_(i) _mm256_maskz_slli_epi32(so_match(vS, vO, S[i], O[i]), one, i)
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

/* The emissions of hook h of a mixed batch when its op is SELECT_SP or CONSTRUCT8; masks holds the
 * eight lane masks (with the predicate check), one byte per hook, moved out of the vector unit once
 * for the batch. No stack array (it would make the compiler realign the stack frame on every
 * call); a selection of all-ones lanes gives the first count entries of P and O. */
static KNHK_INLINE void emit_hook(uint32_t h, const knhk_batch_t *b, __m512i lanesS, __m512i lanesO, uint64_t masks,
                                  knhk_out_t *out) {
  const uint32_t hop = b->op[h];
  if (hop != KNHK_OP_SELECT_SP && hop != KNHK_OP_CONSTRUCT8) return;
  const uint32_t k = (uint32_t)(masks >> (8 * h)) & 0xffu;
  if (hop == KNHK_OP_SELECT_SP) {
    _mm512_storeu_si512(out->O, select_lanes(lanesO, k));
  } else {
    const __m512i first = select_lanes(_mm512_set1_epi64(-1), k); /* all ones in lanes < count */
    _mm512_storeu_si512(out->S, select_lanes(lanesS, k));
    _mm512_storeu_si512(out->P, _mm512_and_si512(first, _mm512_set1_epi64((long long)b->p[h])));
    _mm512_storeu_si512(out->O, _mm512_and_si512(first, _mm512_set1_epi64((long long)b->o[h])));
  }
}

static KNHK_INLINE void emit_batch(const knhk_batch_t *b, const uint64_t *S, const uint64_t *O, __mmask8 live8,
                                   __mmask8 hooks, __m256i M, knhk_out_t *outs) {
  const __m512i lanesS = _mm512_maskz_loadu_epi64(live8, S), lanesO = _mm512_maskz_loadu_epi64(live8, O);
  const uint64_t masks = (uint64_t)_mm_cvtsi128_si64(_mm256_cvtepi32_epi8(M));
#define KNHK_EMIT_(h) \
  if ((hooks >> (h)) & 1u) emit_hook(h, b, lanesS, lanesO, masks, &outs[h]);
  KNHK_EMIT_(0) KNHK_EMIT_(1) KNHK_EMIT_(2) KNHK_EMIT_(3) KNHK_EMIT_(4) KNHK_EMIT_(5) KNHK_EMIT_(6) KNHK_EMIT_(7)
#undef KNHK_EMIT_
}

/* The emissions of a batch whose hooks all have op (SELECT_SP or CONSTRUCT8), with no per-hook op
 * test. masks: the eight lane masks (predicate check included), one byte per hook.
 * SELECT_SP: one selection of the run's O lanes and one 64-byte store per hook, with no test per
 * hook when the batch is full.
 * CONSTRUCT8: every hook whose predicate matches has the same mask (the live lanes with S != 0) and
 * p == run.pred, so S and P are compressed once for the batch; only O (hook.o in the first count
 * lanes) differs per hook; a hook whose predicate does not match emits zeros (count 0). */
static KNHK_INLINE void emit_uniform(const uint32_t op, const knhk_batch_t *b, const uint64_t *S, const uint64_t *O,
                                     uint64_t pred, __mmask8 live8, __mmask8 hooks, __mmask8 pred_ok, __m256i M,
                                     knhk_out_t *outs) {
  if (op == KNHK_OP_SELECT_SP) {
    const __m512i lanesO = _mm512_maskz_loadu_epi64(live8, O);
    const uint64_t masks = (uint64_t)_mm_cvtsi128_si64(_mm256_cvtepi32_epi8(M));
#define KNHK_STORE_(h) _mm512_storeu_si512(outs[h].O, select_lanes(lanesO, (uint32_t)(masks >> (8 * (h)))));
#define KNHK_EMIT_(h) \
  if ((hooks >> (h)) & 1u) KNHK_STORE_(h)
    if (hooks == 0xff) { /* a full batch: no test per hook */
      KNHK_STORE_(0) KNHK_STORE_(1) KNHK_STORE_(2) KNHK_STORE_(3)
      KNHK_STORE_(4) KNHK_STORE_(5) KNHK_STORE_(6) KNHK_STORE_(7)
    } else {
      KNHK_EMIT_(0) KNHK_EMIT_(1) KNHK_EMIT_(2) KNHK_EMIT_(3) KNHK_EMIT_(4) KNHK_EMIT_(5) KNHK_EMIT_(6) KNHK_EMIT_(7)
    }
#undef KNHK_EMIT_
#undef KNHK_STORE_
  } else {
    const __m512i lanesS = _mm512_maskz_loadu_epi64(live8, S);
    /* the mask is already in a k register here: vpcompressq, twice for the batch */
    const __mmask8 m = _mm512_test_epi64_mask(lanesS, lanesS);
    const __m512i cS = _mm512_maskz_compress_epi64(m, lanesS);
    const __m512i first = _mm512_maskz_compress_epi64(m, _mm512_set1_epi64(-1)); /* all ones in lanes < count */
    const __m512i cP = _mm512_and_si512(first, _mm512_set1_epi64((long long)pred));
#define KNHK_EMIT_(h)                                                                                  \
  if ((hooks >> (h)) & 1u) {                                                                         \
    const __mmask8 on = (__mmask8)(0u - ((pred_ok >> (h)) & 1u));                                    \
    _mm512_storeu_si512(outs[h].S, _mm512_maskz_mov_epi64(on, cS));                                  \
    _mm512_storeu_si512(outs[h].P, _mm512_maskz_mov_epi64(on, cP));                                  \
    _mm512_storeu_si512(outs[h].O, _mm512_maskz_and_epi64(on, first, _mm512_set1_epi64((long long)b->o[h]))); \
  }
    KNHK_EMIT_(0) KNHK_EMIT_(1) KNHK_EMIT_(2) KNHK_EMIT_(3) KNHK_EMIT_(4) KNHK_EMIT_(5) KNHK_EMIT_(6) KNHK_EMIT_(7)
#undef KNHK_EMIT_
  }
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

#define KNHK_NOINLINE __attribute__((noinline))
/* noipa (GCC): keep the function's own calling convention; clang has no such attribute */
#if defined(__clang__)
#define KNHK_NOIPA KNHK_NOINLINE
#else
#define KNHK_NOIPA __attribute__((noipa))
#endif

/* A mixed batch (or n == 0): admission of every hook, then one group of hooks per distinct op, then
 * one pass computes every receipt. noipa: its callers tail-call it with their own arguments, all in
 * registers (GCC would otherwise specialise it to arguments passed on the stack). */
static KNHK_NOIPA knhk_status mixed_avx512(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *b,
                                           knhk_receipt_t *rc, knhk_out_t *outs) {
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
  if (outs != NULL && emit_any) emit_batch(b, S, O, live8, hooks, M, outs);
  return KNHK_OK;
}

/* A batch whose hook 0 has op (n >= 1, op valid): when every hook has op (the common case),
 * admission of k, then that op's kernel, the receipts and the emissions straight through, with no
 * group loop and no per-hook op test; any other batch goes on to mixed_avx512(). One small function
 * per op, tail-called by eval_batch_avx512(): few values live at once, so no stack frame to realign
 * and no register to save. */
static KNHK_INLINE knhk_status uniform_avx512(const uint32_t op, const knhk_soa_t *soa, knhk_run_t run,
                                              const knhk_batch_t *b, knhk_receipt_t *rc, knhk_out_t *outs) {
  const __mmask8 hooks = (__mmask8)knhk_live_mask(b->n);
  if (KNHK_UNLIKELY(_mm256_mask_cmpneq_epu32_mask(hooks, _mm256_load_si256((const __m256i *)b->op),
                                                  _mm256_set1_epi32((int)op)) != 0))
    return mixed_avx512(soa, run, b, rc, outs);
  const uint64_t *S = soa->S + run.off, *O = soa->O + run.off;
  const __m512i vP = VLOAD(b->p), vS = VLOAD(b->s), vO = VLOAD(b->o), vK = VLOAD(b->k);
  const __m256i one = _mm256_set1_epi32(1);
  /* k <= len for every hook; k is narrowed with unsigned saturation, so a k of 2^32 or more stays
   * above any len. (The ops were admitted by the caller: all equal to hook 0's, which is valid.) */
  const __m256i k32 = _mm512_cvtusepi64_epi32(vK);
  if (KNHK_UNLIKELY(_mm256_mask_cmpgt_epu32_mask(hooks, k32, _mm256_set1_epi32((int)run.len)) != 0))
    return KNHK_E_K_GT_LEN;
  const __mmask8 live8 = (__mmask8)knhk_live_mask(run.len);
  const __mmask8 pred_ok = _mm512_mask_cmpeq_epu64_mask(hooks, vP, _mm512_set1_epi64((long long)run.pred));
  __m256i M = _mm256_setzero_si256(), R = _mm256_setzero_si256();
  group_avx512(op, one, pred_ok, S, O, vS, vO, k32, _mm256_set1_epi32(live8), &M, &R);
  receipts_avx512(run, hooks, _mm256_set1_epi32((int)op), vP, vS, vO, vK, M, R, rc);
  if ((op == KNHK_OP_SELECT_SP || op == KNHK_OP_CONSTRUCT8) && outs != NULL)
    emit_uniform(op, b, S, O, run.pred, live8, hooks, pred_ok, M, outs);
  return KNHK_OK;
}

typedef knhk_status (*uniform_fn)(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *b, knhk_receipt_t *rc,
                                  knhk_out_t *outs);
#define KNHK_UNIFORM_FN_(OP)                                                                           \
  static KNHK_NOINLINE knhk_status uniform_##OP(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *b, \
                                                knhk_receipt_t *rc, knhk_out_t *outs) {                  \
    return uniform_avx512(OP, soa, run, b, rc, outs);                                                \
  }
KNHK_FOR_EACH_OP(KNHK_UNIFORM_FN_)
#undef KNHK_UNIFORM_FN_
static const uniform_fn UNIFORM[KNHK_OP_END] = {
#define KNHK_UNIFORM_ENTRY_(OP) [OP] = uniform_##OP,
    KNHK_FOR_EACH_OP(KNHK_UNIFORM_ENTRY_)
#undef KNHK_UNIFORM_ENTRY_
};

/* KNHK_BATCH_TICKS: out of line, so that the hot entry below passes no argument on the stack. */
static KNHK_NOINLINE __attribute__((cold)) knhk_status timed_avx512(const knhk_soa_t *soa, knhk_run_t run,
                                                                      const knhk_batch_t *b, knhk_receipt_t *rc,
                                                                      knhk_out_t *outs) {
  return knhk_eval_batch_timed(&knhk_ops_avx512, soa, run, b, rc, outs);
}

/* The batch: admission of the run and the batch; then, by one indirect tail call, the function of
 * hook 0's op when it is valid (it takes the batch when every hook has that op, the common case),
 * else the mixed one, which admits every hook's op (and handles n == 0). Masks, results and receipt
 * words are 8-bit values kept in 32-bit lanes of a ymm; only the 64-bit ids and the hash need a zmm. */
static knhk_status eval_batch_avx512(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *b,
                                     knhk_receipt_t *rc, knhk_out_t *outs, uint32_t flags) {
  /* knhk_admit_batch_run()'s checks, written as compare-and-branch: each check is one fused uop
   * and few values stay live (the or-ed form of the shared helper compiles here to ~30 more uops and
   * six register saves; measured 5% of the batch). A refusal is classified by the same
   * knhk_admit_batch_slow(), so the statuses and their order are the helper's. */
  if (KNHK_UNLIKELY(soa == NULL || b == NULL || rc == NULL)) return knhk_admit_batch_slow(soa, run, b, rc);
  const uintptr_t S = (uintptr_t)soa->S, P = (uintptr_t)soa->P, O = (uintptr_t)soa->O;
  if (KNHK_UNLIKELY(S == 0 || P == 0 || O == 0 || ((S | P | O) & (KNHK_ALIGN - 1)) != 0 || run.len > KNHK_MAX_LANES ||
                    (uint64_t)run.off + run.len > soa->count || b->n > KNHK_BATCH_MAX))
    return knhk_admit_batch_slow(soa, run, b, rc);
  if (KNHK_UNLIKELY(flags & KNHK_BATCH_TICKS)) return timed_avx512(soa, run, b, rc, outs);
  const uint32_t op0 = b->op[0];
  if (KNHK_LIKELY(b->n != 0 && op0 - 1u < KNHK_OP_END - 1u)) return UNIFORM[op0](soa, run, b, rc, outs);
  return mixed_avx512(soa, run, b, rc, outs);
}

/* The receipt layout the interleave above writes: {hash, word} with the word's bytes op, lanes,
 * result, mask, then ticks (little-endian x86-64). */
_Static_assert(sizeof(knhk_receipt_t) == 16 && offsetof(knhk_receipt_t, op) == 8 &&
                   offsetof(knhk_receipt_t, lanes) == 9 && offsetof(knhk_receipt_t, result) == 10 &&
                   offsetof(knhk_receipt_t, mask) == 11 && offsetof(knhk_receipt_t, ticks) == 12,
               "knhk_receipt_t layout");

#define KNHK_VARIANT_BATCH eval_batch_avx512
#include "knhk_variant.h"
