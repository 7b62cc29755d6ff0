/* knhk_sse2.c: the SSE2 variant (x86-64 baseline), the only file built with -msse2. SSE2 has no
 * 64-bit compare (pcmpeqq is SSE4.1, pcmpgtq SSE4.2): 64-bit results are built from 32-bit ones. */
#include <emmintrin.h>

#include "knhk_impl.h"

#define KNHK_SUFFIX(name) name##_sse2
#define KNHK_VARIANT_NAME "sse2"
#define KNHK_VARIANT_FLAGS "-msse2"

typedef struct {
  __m128i v[4]; /* lanes 2j, 2j+1 in v[j] */
} knhk_lanes;

static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len) {
  (void)len; /* full-width loads: the column is readable for 8 lanes (API precondition) */
  knhk_lanes l;
  for (int j = 0; j < 4; j++) l.v[j] = _mm_loadu_si128((const __m128i *)(col + 2 * j));
  return l;
}

/* Both 32-bit halves equal: and the dword compare with itself swapped within each qword. */
static KNHK_INLINE __m128i eq64(__m128i a, __m128i b) {
  __m128i t = _mm_cmpeq_epi32(a, b);
  return _mm_and_si128(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
}

/* Unsigned a > b per qword, valid in the high dword: flipping each dword's sign bit turns the
 * signed pcmpgtd into an unsigned compare; the low halves decide only when the high halves tie. */
static KNHK_INLINE __m128i gt64u(__m128i a, __m128i b) {
  const __m128i flip = _mm_set1_epi32((int)0x80000000u);
  __m128i gt = _mm_cmpgt_epi32(_mm_xor_si128(a, flip), _mm_xor_si128(b, flip));
  __m128i eq = _mm_cmpeq_epi32(a, b);
  __m128i gt_lo = _mm_shuffle_epi32(gt, _MM_SHUFFLE(2, 2, 0, 0)); /* low result into high dword */
  return _mm_or_si128(gt, _mm_and_si128(eq, gt_lo));
}

/* One bit per qword (its sign bit, which the high dword's result sets), lanes 2j and 2j+1. */
static KNHK_INLINE uint32_t bits2(__m128i m) { return (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(m)); }

static KNHK_INLINE uint32_t lanes_eq(knhk_lanes l, uint64_t v) {
  __m128i b = _mm_set1_epi64x((long long)v);
  return bits2(eq64(l.v[0], b)) | bits2(eq64(l.v[1], b)) << 2 | bits2(eq64(l.v[2], b)) << 4 |
         bits2(eq64(l.v[3], b)) << 6;
}

static KNHK_INLINE uint32_t lanes_gt(knhk_lanes l, uint64_t v) {
  __m128i b = _mm_set1_epi64x((long long)v);
  return bits2(gt64u(l.v[0], b)) | bits2(gt64u(l.v[1], b)) << 2 | bits2(gt64u(l.v[2], b)) << 4 |
         bits2(gt64u(l.v[3], b)) << 6;
}

static KNHK_INLINE uint32_t lanes_lt(knhk_lanes l, uint64_t v) {
  __m128i b = _mm_set1_epi64x((long long)v);
  return bits2(gt64u(b, l.v[0])) | bits2(gt64u(b, l.v[1])) << 2 | bits2(gt64u(b, l.v[2])) << 4 |
         bits2(gt64u(b, l.v[3])) << 6;
}

static KNHK_INLINE uint32_t lanes_nz(knhk_lanes l) { return ~lanes_eq(l, 0) & 0xffu; }

#include "knhk_variant.h"
