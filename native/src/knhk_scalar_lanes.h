/* knhk_scalar_lanes.h: the scalar lane primitives of knhk_variant.h, one lane at a time, exactly as
 * DESIGN §4 states the ops. The portable reference is built from them; so is the KNHK_TESTING
 * wrong-lane variant, which defines KNHK_SCALAR_LANES(len) to read one lane too many.
 * Include once, from a variant file, before knhk_variant.h. */
#ifndef KNHK_SCALAR_LANES
#define KNHK_SCALAR_LANES(len) (len) /* lanes read: only those below the run's length */
#endif

typedef struct {
  const uint64_t *col;
  uint32_t len;
} knhk_lanes;

static KNHK_INLINE knhk_lanes lanes_load(const uint64_t *col, uint32_t len) {
  knhk_lanes l = {col, KNHK_SCALAR_LANES(len)};
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
