/* knhk_portable.c: the portable variant, plain C11 built without -m flags: the baseline for every
 * CPU and the reference every other variant is tested against. Its primitives read only the lanes
 * below len, one at a time, exactly as DESIGN §4 states the ops. */
#include "knhk_impl.h"

#define KNHK_SUFFIX(name) name##_portable
#define KNHK_VARIANT_NAME "portable"
#define KNHK_VARIANT_FLAGS ""

#include "knhk_scalar_lanes.h"
#include "knhk_variant.h"
