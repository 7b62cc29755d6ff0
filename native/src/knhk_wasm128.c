/* knhk_wasm128.c: the WebAssembly SIMD128 variant, the only file built with -msimd128 (wasm/build.sh,
 * static/wasm/knhk-simd.wasm). An engine without SIMD128 refuses the whole module, so the JS loader
 * checks first (app/lib/wasm/knhk.ts) and loads knhk.wasm, portable only, there. Eight lanes, 4 v128. */
#include <wasm_simd128.h>

#include "knhk_impl.h"

#if !defined(__wasm_simd128__)
#error "knhk_wasm128.c needs -msimd128 (wasm/build.sh gives it to this file only)"
#endif

#define KNHK_SUFFIX(name) name##_wasm128
#define KNHK_VARIANT_NAME "wasm-simd128"
#define KNHK_VARIANT_FLAGS "-msimd128"

typedef struct {
  v128_t v[4]; /* lanes 2j, 2j+1 in v[j] */
} knhk_lanes;

static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len) {
  (void)len; /* full-width loads: the column is readable for 8 lanes (API precondition) */
  knhk_lanes l;
  for (int j = 0; j < 4; j++) l.v[j] = wasm_v128_load(col + 2 * j);
  return l;
}

/* i64x2.bitmask: the sign bit of each all-ones/all-zeros qword, lanes 2j and 2j+1. */
static KNHK_INLINE uint32_t bits8(v128_t m0, v128_t m1, v128_t m2, v128_t m3) {
  return wasm_i64x2_bitmask(m0) | wasm_i64x2_bitmask(m1) << 2 | wasm_i64x2_bitmask(m2) << 4 |
         wasm_i64x2_bitmask(m3) << 6;
}

static KNHK_INLINE uint32_t lanes_eq(knhk_lanes l, uint64_t v) {
  v128_t b = wasm_u64x2_splat(v);
  return bits8(wasm_i64x2_eq(l.v[0], b), wasm_i64x2_eq(l.v[1], b), wasm_i64x2_eq(l.v[2], b),
               wasm_i64x2_eq(l.v[3], b));
}

/* SIMD128 compares 64-bit lanes signed only (i64x2.gt_s, lt_s): flipping the sign bit of both sides
 * makes them unsigned, as for AVX2's vpcmpgtq. */
#define SIGN_BIT 0x8000000000000000ull

static KNHK_INLINE uint32_t lanes_gt(knhk_lanes l, uint64_t v) {
  const v128_t flip = wasm_u64x2_splat(SIGN_BIT);
  v128_t b = wasm_u64x2_splat(v ^ SIGN_BIT);
  return bits8(wasm_i64x2_gt(wasm_v128_xor(l.v[0], flip), b), wasm_i64x2_gt(wasm_v128_xor(l.v[1], flip), b),
               wasm_i64x2_gt(wasm_v128_xor(l.v[2], flip), b), wasm_i64x2_gt(wasm_v128_xor(l.v[3], flip), b));
}

static KNHK_INLINE uint32_t lanes_lt(knhk_lanes l, uint64_t v) {
  const v128_t flip = wasm_u64x2_splat(SIGN_BIT);
  v128_t b = wasm_u64x2_splat(v ^ SIGN_BIT);
  return bits8(wasm_i64x2_lt(wasm_v128_xor(l.v[0], flip), b), wasm_i64x2_lt(wasm_v128_xor(l.v[1], flip), b),
               wasm_i64x2_lt(wasm_v128_xor(l.v[2], flip), b), wasm_i64x2_lt(wasm_v128_xor(l.v[3], flip), b));
}

static KNHK_INLINE uint32_t lanes_nz(knhk_lanes l) { return ~lanes_eq(l, 0) & 0xffu; }

#include "knhk_variant.h"
