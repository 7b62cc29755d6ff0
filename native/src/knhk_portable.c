/* knhk_portable.c: the portable variant, plain C11 built without -m flags: the baseline for every
 * CPU and the reference every other variant is tested against. Its primitives read only the lanes
 * below len, one at a time, exactly as DESIGN §4 states the ops. */
#include "knhk_impl.h"

#define KNHK_SUFFIX(name) name##_portable
#define KNHK_VARIANT_NAME "portable"
#define KNHK_VARIANT_FLAGS ""

typedef struct {
  const uint64_t *col;
  uint32_t len;
} knhk_lanes;

static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len) {
  knhk_lanes l = {col, len};
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
