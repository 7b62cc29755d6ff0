/* knhk_dispatch.c: the variant table, CPU feature detection, the one-time choice when the library
 * is loaded, and KNHK_FORCE_VARIANT. Built without -m flags: it runs before any variant is known to
 * be safe on this CPU. The choice is made once, never per operation (DESIGN §4). */
#include <stdlib.h>
#include <string.h>

#include "knhk_impl.h"

typedef struct {
  const knhk_variant_ops_t *ops;
  int (*cpu_supports)(void); /* NULL: every CPU of this arch */
  int testing_only;
} variant_t;

#if defined(KNHK_ARCH_X86_64) && (defined(__GNUC__) || defined(__clang__))
/* __builtin_cpu_supports() reads CPUID once (the libgcc/compiler-rt constructor) and, for the AVX
 * and AVX-512 features, also requires the OS to save those registers (XCR0 via XGETBV). */
#if defined(KNHK_HAVE_AVX512)
static int cpu_avx512(void) {
  /* CPUID.(EAX=7,ECX=0):EBX bit 16 AVX512F, 17 AVX512DQ, 30 AVX512BW, 31 AVX512VL */
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}
#endif
#if defined(KNHK_HAVE_AVX2)
static int cpu_avx2(void) {
  /* CPUID.(EAX=7,ECX=0):EBX bit 5 AVX2; CPUID.1:ECX bit 23 POPCNT */
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}
#endif
#if defined(KNHK_HAVE_SSE2)
static int cpu_sse2(void) {
  /* CPUID.1:EDX bit 26; architectural on x86-64, asked anyway so the table reads uniformly */
  return __builtin_cpu_supports("sse2");
}
#endif
#endif

/* Best first: the first supported non-test entry is chosen. portable is always present. */
static const variant_t VARIANTS[] = {
#if defined(KNHK_HAVE_AVX512)
    {&knhk_ops_avx512, cpu_avx512, 0},
#endif
#if defined(KNHK_HAVE_AVX2)
    {&knhk_ops_avx2, cpu_avx2, 0},
#endif
#if defined(KNHK_HAVE_SSE2)
    {&knhk_ops_sse2, cpu_sse2, 0},
#endif
#if defined(KNHK_ARCH_ARM64) && defined(KNHK_HAVE_NEON)
    /* No runtime check: AdvSIMD (ID_AA64PFR0_EL1 bits 23:20 = 0b0000, HWCAP_ASIMD) is part of the
     * ARMv8-A baseline the arm64 ABI assumes (floating-point arguments travel in its registers). */
    {&knhk_ops_neon, NULL, 0},
#endif
#if defined(KNHK_ARCH_WASM) && defined(KNHK_HAVE_WASM128)
    /* No runtime check: an engine without SIMD128 refuses to compile the whole module, so code that
     * runs has it (app/lib/wasm/knhk.ts tests WebAssembly.validate() first and loads knhk.wasm). */
    {&knhk_ops_wasm128, NULL, 0},
#endif
    {&knhk_ops_portable, NULL, 0},
#if defined(KNHK_TESTING)
    {&knhk_ops_wrong_lane, NULL, 1},
#endif
};
#define VARIANT_COUNT (sizeof VARIANTS / sizeof VARIANTS[0])

/* Every name a report may carry, whether or not this build has it. */
static const char *const KNOWN_NAMES[] = {"portable", "sse2", "avx2", "avx512", "neon", "wasm-simd128"};

static int supported[VARIANT_COUNT];
static size_t active = 0;
static char forced[64];
static int forced_set = 0;
const knhk_variant_ops_t *knhk_active_ops = &knhk_ops_portable;
knhk_status knhk_active_status = KNHK_OK;

#if defined(KNHK_TESTING)
/* KNHK_TESTING_HIDE_VARIANTS="avx512 avx2": pretend this CPU lacks them, so tests can exercise the
 * choice of the next best variant and the "not supported on this CPU" refusal on any machine. */
static int hidden_for_testing(const char *name) {
  const char *list = getenv("KNHK_TESTING_HIDE_VARIANTS");
  size_t n = strlen(name);
  for (const char *p = list; p != NULL && *p;) {
    p += strspn(p, " ,");
    size_t w = strcspn(p, " ,");
    if (w == n && strncmp(p, name, n) == 0) return 1;
    p += w;
  }
  return 0;
}
#endif

/* When KNHK_FORCE_VARIANT is refused: portable's kernels (memory-safe for the per-call entry, whose
 * @pre excludes this state) and a batch entry that returns the refusal. */
static knhk_variant_ops_t refused_ops;
static knhk_status refuse_batch(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *batch,
                                knhk_receipt_t *receipts, knhk_out_t *outs, uint32_t flags) {
  (void)soa, (void)run, (void)batch, (void)receipts, (void)outs, (void)flags;
  return knhk_active_status;
}

static void choose_variant(void) {
  for (size_t i = 0; i < VARIANT_COUNT; i++) {
    supported[i] = VARIANTS[i].cpu_supports == NULL || VARIANTS[i].cpu_supports();
#if defined(KNHK_TESTING)
    if (hidden_for_testing(VARIANTS[i].ops->name)) supported[i] = 0;
#endif
  }
  size_t portable = 0;
  for (size_t i = 0; i < VARIANT_COUNT; i++)
    if (VARIANTS[i].ops == &knhk_ops_portable) portable = i;
  active = portable;
  for (size_t i = 0; i < VARIANT_COUNT; i++) {
    if (supported[i] && !VARIANTS[i].testing_only) {
      active = i;
      break;
    }
  }
  const char *env = getenv("KNHK_FORCE_VARIANT");
  if (env != NULL && env[0] != '\0') {
    size_t n = strlen(env);
    if (n >= sizeof forced) n = sizeof forced - 1;
    memcpy(forced, env, n);
    forced[n] = '\0';
    forced_set = 1;
    size_t i = 0;
    while (i < VARIANT_COUNT && strcmp(VARIANTS[i].ops->name, env) != 0) i++;
    if (i < VARIANT_COUNT && supported[i]) {
      active = i;
    } else {
      /* Refused: the entry points that return a status say so; the others keep a safe variant. */
      knhk_active_status = i < VARIANT_COUNT || knhk_variant_name_known(env) ? KNHK_E_VARIANT_UNSUPPORTED
                                                                 : KNHK_E_VARIANT_UNKNOWN;
      active = portable;
    }
  }
  knhk_active_ops = VARIANTS[active].ops;
  if (knhk_active_status != KNHK_OK) {
    refused_ops = knhk_ops_portable;
    refused_ops.eval_batch = refuse_batch;
    knhk_active_ops = &refused_ops;
  }
}

#if defined(__GNUC__) || defined(__clang__)
/* Runs when the library is loaded (before main), so the hot path never checks whether it ran. */
__attribute__((constructor)) static void knhk_dispatch_init(void) { choose_variant(); }
#else
#error "knhk_dispatch.c needs a constructor attribute (GCC, Clang or emcc)"
#endif

size_t knhk_variant_count(void) { return VARIANT_COUNT; }

const char *knhk_variant_name(size_t index) { return index < VARIANT_COUNT ? VARIANTS[index].ops->name : NULL; }

int knhk_variant_supported(size_t index) { return index < VARIANT_COUNT && supported[index]; }

const char *knhk_variant_active(void) { return VARIANTS[active].ops->name; }

knhk_status knhk_variant_status(void) { return knhk_active_status; }

const char *knhk_variant_forced(void) { return forced_set ? forced : NULL; }

const knhk_variant_ops_t *knhk_variant_ops(size_t index) { return index < VARIANT_COUNT ? VARIANTS[index].ops : NULL; }

int knhk_variant_testing_only(size_t index) { return index < VARIANT_COUNT && VARIANTS[index].testing_only; }

int knhk_variant_name_known(const char *name) {
  for (size_t i = 0; i < sizeof KNOWN_NAMES / sizeof KNOWN_NAMES[0]; i++)
    if (name != NULL && strcmp(name, KNOWN_NAMES[i]) == 0) return 1;
  return 0;
}
