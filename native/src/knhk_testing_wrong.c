/* knhk_testing_wrong.c: built only with KNHK_TESTING. A deliberately wrong variant, "wrong-lane":
 * the portable primitives with one lane too many (lane len counts as live), the classic off-by-one
 * the variant tests exist to catch. tests/test_variants.c asserts that knhk selftest names it. */
#include "knhk_impl.h"

#if defined(KNHK_TESTING)

#define KNHK_SUFFIX(name) name##_wrong_lane
#define KNHK_VARIANT_NAME "wrong-lane"
#define KNHK_VARIANT_FLAGS ""
#define KNHK_LIVE_MASK(len) knhk_live_mask((len) < 8 ? (len) + 1 : 8)

typedef struct {
  const uint64_t *col;
  uint32_t len;
} knhk_lanes;

static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len) {
  knhk_lanes l = {col, len < 8 ? len + 1 : 8}; /* the bug: reads and counts lane len */
  return l;
}

static KNHK_INLINE uint32_t lanes_eq(knhk_lanes l, uint64_t v) {
  uint32_t m = 0;
  for (uint32_t i = 0; i < l.len; i++) m |= (uint32_t)(l.col[i] == v) << i;
  return m;
}

static KNHK_INLINE uint32_t lanes_gt(knhk_lanes l, uint64_t v) {
  uint32_t m = 0;
  for (uint32_t i = 0; i < l.len; i++) m |= (uint32_t)(l.col[i] > v) << i;
  return m;
}

static KNHK_INLINE uint32_t lanes_lt(knhk_lanes l, uint64_t v) {
  uint32_t m = 0;
  for (uint32_t i = 0; i < l.len; i++) m |= (uint32_t)(l.col[i] < v) << i;
  return m;
}

static KNHK_INLINE uint32_t lanes_nz(knhk_lanes l) {
  uint32_t m = 0;
  for (uint32_t i = 0; i < l.len; i++) m |= (uint32_t)(l.col[i] != 0) << i;
  return m;
}

#include "knhk_variant.h"

#endif /* KNHK_TESTING */
