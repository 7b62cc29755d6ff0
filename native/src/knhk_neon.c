/* knhk_neon.c: the NEON (AdvSIMD) variant for arm64. Built without -m flags: AdvSIMD is part of the
 * ARMv8-A baseline, so no runtime check is needed (knhk_dispatch.c). Eight lanes are four q registers
 * of two uint64_t; arm64 has 64-bit compares (cmeq, cmhi) that are unsigned where x86 has none. */
#include <arm_neon.h>

#include "knhk_impl.h"

#if !defined(__aarch64__) && !defined(_M_ARM64)
#error "knhk_neon.c is the arm64 variant: the Makefile builds it only when $(CC) targets aarch64"
#endif

#define KNHK_SUFFIX(name) name##_neon
#define KNHK_VARIANT_NAME "neon"
#define KNHK_VARIANT_FLAGS ""

typedef struct {
  uint64x2_t v[4]; /* lanes 2j, 2j+1 in v[j] */
} knhk_lanes;

static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len) {
  (void)len; /* full-width loads: the column is readable for 8 lanes (API precondition) */
  knhk_lanes l;
  for (int j = 0; j < 4; j++) l.v[j] = vld1q_u64(col + 2 * j);
  return l;
}

/* Four all-ones/all-zeros qword pairs to an 8-bit mask, bit i = lane i: narrow 64 -> 32 -> 16 -> 8
 * bits per lane (xtn keeps the low half, which is all ones or zero like the whole lane), keep one
 * distinct bit per byte, and add the bytes across the vector (addv, arm64 only). */
static KNHK_INLINE uint32_t bits8(uint64x2_t m0, uint64x2_t m1, uint64x2_t m2, uint64x2_t m3) {
  static const uint8_t LANE_BIT[8] = {1, 2, 4, 8, 16, 32, 64, 128};
  uint32x4_t lo = vcombine_u32(vmovn_u64(m0), vmovn_u64(m1));
  uint32x4_t hi = vcombine_u32(vmovn_u64(m2), vmovn_u64(m3));
  uint8x8_t bytes = vmovn_u16(vcombine_u16(vmovn_u32(lo), vmovn_u32(hi)));
  return vaddv_u8(vand_u8(bytes, vld1_u8(LANE_BIT)));
}

static KNHK_INLINE uint32_t lanes_eq(knhk_lanes l, uint64_t v) {
  uint64x2_t b = vdupq_n_u64(v);
  return bits8(vceqq_u64(l.v[0], b), vceqq_u64(l.v[1], b), vceqq_u64(l.v[2], b), vceqq_u64(l.v[3], b));
}

/* cmhi/cmhs (vcgtq_u64, vcltq_u64 on uint64x2_t) compare unsigned: no sign-bit flip as on x86. */
static KNHK_INLINE uint32_t lanes_gt(knhk_lanes l, uint64_t v) {
  uint64x2_t b = vdupq_n_u64(v);
  return bits8(vcgtq_u64(l.v[0], b), vcgtq_u64(l.v[1], b), vcgtq_u64(l.v[2], b), vcgtq_u64(l.v[3], b));
}

static KNHK_INLINE uint32_t lanes_lt(knhk_lanes l, uint64_t v) {
  uint64x2_t b = vdupq_n_u64(v);
  return bits8(vcltq_u64(l.v[0], b), vcltq_u64(l.v[1], b), vcltq_u64(l.v[2], b), vcltq_u64(l.v[3], b));
}

/* cmtst: all ones where (x & x) != 0, i.e. the lane is not 0. */
static KNHK_INLINE uint32_t lanes_nz(knhk_lanes l) {
  return bits8(vtstq_u64(l.v[0], l.v[0]), vtstq_u64(l.v[1], l.v[1]), vtstq_u64(l.v[2], l.v[2]),
               vtstq_u64(l.v[3], l.v[3]));
}

#include "knhk_variant.h"
