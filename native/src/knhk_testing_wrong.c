/* knhk_testing_wrong.c: built only with KNHK_TESTING. A deliberately wrong variant, "wrong-lane":
 * the portable primitives with one lane too many (lane len counts as live), the classic off-by-one
 * the variant tests exist to catch. tests/test_variants.c asserts that knhk selftest names it. */
#include "knhk_impl.h"

#if defined(KNHK_TESTING)

#define KNHK_SUFFIX(name) name##_wrong_lane
#define KNHK_VARIANT_NAME "wrong-lane"
#define KNHK_VARIANT_FLAGS ""
#define KNHK_LIVE_MASK(len) knhk_live_mask((len) < 8 ? (len) + 1 : 8)

/* The bug: reads and counts lane len as if it were live. */
#define KNHK_SCALAR_LANES(len) ((len) < 8 ? (len) + 1 : 8)
#include "knhk_scalar_lanes.h"

#include "knhk_variant.h"

#endif /* KNHK_TESTING */
