/* knhk_avx2.c: the AVX2 variant, the only file built with -mavx2 -mpopcnt. Needs CPUID.7.0:EBX[5]
 * (AVX2) and CPUID.1:ECX[23] (POPCNT), checked in knhk_dispatch.c. Eight lanes are two ymm. */
#include <immintrin.h>

#include "knhk_impl.h"

#define KNHK_SUFFIX(name) name##_avx2
#define KNHK_VARIANT_NAME "avx2"
#define KNHK_VARIANT_FLAGS "-mavx2 -mpopcnt"

typedef struct {
  __m256i lo, hi; /* lanes 0..3, 4..7 */
} knhk_lanes;

static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len) {
  (void)len; /* full-width loads: the column is readable for 8 lanes (API precondition) */
  knhk_lanes l = {_mm256_loadu_si256((const __m256i *)col), _mm256_loadu_si256((const __m256i *)(col + 4))};
  return l;
}

static KNHK_INLINE uint32_t bits4(__m256i m) { return (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(m)); }

static KNHK_INLINE uint32_t lanes_eq(knhk_lanes l, uint64_t v) {
  __m256i b = _mm256_set1_epi64x((long long)v);
  return bits4(_mm256_cmpeq_epi64(l.lo, b)) | bits4(_mm256_cmpeq_epi64(l.hi, b)) << 4;
}

/* vpcmpgtq is signed: flipping the sign bit of both sides makes it an unsigned compare. */
static KNHK_INLINE uint32_t lanes_gt(knhk_lanes l, uint64_t v) {
  const __m256i flip = _mm256_set1_epi64x((long long)0x8000000000000000ull);
  __m256i b = _mm256_xor_si256(_mm256_set1_epi64x((long long)v), flip);
  return bits4(_mm256_cmpgt_epi64(_mm256_xor_si256(l.lo, flip), b)) |
         bits4(_mm256_cmpgt_epi64(_mm256_xor_si256(l.hi, flip), b)) << 4;
}

static KNHK_INLINE uint32_t lanes_lt(knhk_lanes l, uint64_t v) {
  const __m256i flip = _mm256_set1_epi64x((long long)0x8000000000000000ull);
  __m256i b = _mm256_xor_si256(_mm256_set1_epi64x((long long)v), flip);
  return bits4(_mm256_cmpgt_epi64(b, _mm256_xor_si256(l.lo, flip))) |
         bits4(_mm256_cmpgt_epi64(b, _mm256_xor_si256(l.hi, flip))) << 4;
}

static KNHK_INLINE uint32_t lanes_nz(knhk_lanes l) { return ~lanes_eq(l, 0) & 0xffu; }

#include "knhk_variant.h"
