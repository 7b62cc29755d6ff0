/* knhk_impl.h: internal to libknhk, its bench, CLI and tests: macros, the op semantics and receipt hash
 * every variant shares, the variant interface. Functions defined here are static inline: one included into
 * an ISA file is compiled with that file's flags only. */
#ifndef KNHK_IMPL_H
#define KNHK_IMPL_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "knhk.h"

#if defined(__GNUC__) || defined(__clang__)
#define KNHK_INLINE inline __attribute__((always_inline))
#define KNHK_LIKELY(x) __builtin_expect(!!(x), 1)
#define KNHK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define KNHK_INLINE inline
#define KNHK_LIKELY(x) (x)
#define KNHK_UNLIKELY(x) (x)
#endif

#if defined(__x86_64__) || defined(_M_X64)
#define KNHK_ARCH_X86_64 1
#elif defined(__aarch64__) || defined(_M_ARM64)
#define KNHK_ARCH_ARM64 1
#elif defined(__wasm__)
#define KNHK_ARCH_WASM 1
#endif

/* Which variants this build has: the arch allows it and no KNHK_NO_<ISA> switch removed it. The
 * Makefile compiles src/knhk_<isa>.c under the same conditions. */
#if defined(KNHK_ARCH_X86_64) && !defined(KNHK_NO_SSE2)
#define KNHK_HAVE_SSE2 1
#endif
#if defined(KNHK_ARCH_X86_64) && !defined(KNHK_NO_AVX2)
#define KNHK_HAVE_AVX2 1
#endif
#if defined(KNHK_ARCH_X86_64) && !defined(KNHK_NO_AVX512)
#define KNHK_HAVE_AVX512 1
#endif
#if defined(KNHK_ARCH_ARM64) && !defined(KNHK_NO_NEON)
#define KNHK_HAVE_NEON 1
#endif
/* Not __wasm_simd128__: only knhk_wasm128.c is built with -msimd128, yet knhk_dispatch.c must see the
 * variant too. wasm/build.sh passes -DKNHK_NO_WASM128 to the build without SIMD (knhk.wasm). */
#if defined(KNHK_ARCH_WASM) && !defined(KNHK_NO_WASM128)
#define KNHK_HAVE_WASM128 1
#endif

/* ---- op semantics shared by every variant ---------------------------------------------------- */

/** Lanes 0..len-1 as a bit mask (len <= 8). */
static KNHK_INLINE uint32_t knhk_live_mask(uint32_t len) { return (1u << len) - 1u; }

/** Bits set in an 8-bit mask. SWAR, so the portable build needs no POPCNT instruction. */
static KNHK_INLINE uint32_t knhk_popcount8(uint32_t m) {
#if defined(__POPCNT__) || defined(__ARM_NEON) || defined(__wasm__)
  return (uint32_t)__builtin_popcount(m);
#else
  m = m - ((m >> 1) & 0x55u);
  m = (m & 0x33u) + ((m >> 2) & 0x33u);
  return (m + (m >> 4)) & 0x0fu;
#endif
}

/* Every op, for switch statements that inline one constant-op kernel per case. */
#define KNHK_FOR_EACH_OP(X)                                                                       \
  X(KNHK_OP_ASK_SP) X(KNHK_OP_ASK_SPO) X(KNHK_OP_ASK_OP) X(KNHK_OP_COUNT_SP_GE)                   \
  X(KNHK_OP_COUNT_SP_LE) X(KNHK_OP_COUNT_SP_EQ) X(KNHK_OP_COUNT_OP_GE) X(KNHK_OP_COUNT_OP_LE)      \
  X(KNHK_OP_COUNT_OP_EQ) X(KNHK_OP_UNIQUE_SP) X(KNHK_OP_COMPARE_O_EQ) X(KNHK_OP_COMPARE_O_GT)      \
  X(KNHK_OP_COMPARE_O_LT) X(KNHK_OP_COMPARE_O_GE) X(KNHK_OP_COMPARE_O_LE)                          \
  X(KNHK_OP_VALIDATE_DATATYPE_SP) X(KNHK_OP_VALIDATE_DATATYPE_SPO) X(KNHK_OP_SELECT_SP)            \
  X(KNHK_OP_CONSTRUCT8)

/** Which lane test an op counts. GE and LE are written as the complements of LT and GT. */
typedef enum {
  KNHK_TEST_S_EQ,  /* S = s */
  KNHK_TEST_SO_EQ, /* S = s and O = o */
  KNHK_TEST_O_EQ,  /* O = o */
  KNHK_TEST_O_GT,  /* O > o */
  KNHK_TEST_O_LT,  /* O < o */
  KNHK_TEST_O_GE,  /* O >= o */
  KNHK_TEST_O_LE,  /* O <= o */
  KNHK_TEST_S_NZ   /* S != 0 */
} knhk_test;

/** The lane test of a valid op. */
static KNHK_INLINE knhk_test knhk_op_test(uint32_t op) {
  switch (op) {
    case KNHK_OP_ASK_SPO:
    case KNHK_OP_VALIDATE_DATATYPE_SP:
    case KNHK_OP_VALIDATE_DATATYPE_SPO:
      return KNHK_TEST_SO_EQ;
    case KNHK_OP_ASK_OP:
    case KNHK_OP_COUNT_OP_GE:
    case KNHK_OP_COUNT_OP_LE:
    case KNHK_OP_COUNT_OP_EQ:
    case KNHK_OP_COMPARE_O_EQ:
      return KNHK_TEST_O_EQ;
    case KNHK_OP_COMPARE_O_GT:
      return KNHK_TEST_O_GT;
    case KNHK_OP_COMPARE_O_LT:
      return KNHK_TEST_O_LT;
    case KNHK_OP_COMPARE_O_GE:
      return KNHK_TEST_O_GE;
    case KNHK_OP_COMPARE_O_LE:
      return KNHK_TEST_O_LE;
    case KNHK_OP_CONSTRUCT8:
      return KNHK_TEST_S_NZ;
    default: /* ASK_SP, COUNT_SP_*, UNIQUE_SP, SELECT_SP */
      return KNHK_TEST_S_EQ;
  }
}

/** An op's result from the mask of its satisfied live lanes (pred mismatch already gave mask 0). */
static KNHK_INLINE uint32_t knhk_op_result(uint32_t op, uint32_t mask, uint64_t k) {
  uint32_t c = knhk_popcount8(mask);
  switch (op) {
    case KNHK_OP_COUNT_SP_GE:
    case KNHK_OP_COUNT_OP_GE:
      return c >= k;
    case KNHK_OP_COUNT_SP_LE:
    case KNHK_OP_COUNT_OP_LE:
      return c <= k;
    case KNHK_OP_COUNT_SP_EQ:
    case KNHK_OP_COUNT_OP_EQ:
      return c == k;
    case KNHK_OP_UNIQUE_SP:
      return c == 1;
    case KNHK_OP_SELECT_SP:
    case KNHK_OP_CONSTRUCT8:
      return c;
    default: /* the ASK, COMPARE and VALIDATE ops */
      return c != 0;
  }
}

/* ---- the receipt hash (knhk_receipt_hash(); every variant must give the same bits) ------------
 *   word = op | len << 8 | result << 16 | mask << 24       (the receipt's bytes 8..11)
 *   x    = pred*K_PRED + (off | len << 32)*K_SPAN  ^  p ^ rotl(s, 21) ^ rotl(o, 42) ^ k << 32
 *   hash = mix(x) ^ word*K_OUT,  mix(x) = xorshift(32), multiply by K_MIX, xorshift(29)
 * It covers the hook (op, p, s, o, k; k <= 8 once admitted), the run it was evaluated on (pred, off,
 * len) and the outcome (result, and the mask of the lanes that passed): what the receipt attests.
 * The lanes' contents enter through that mask; hashing them too cost a fifth of the batch
 * (bench/README.md). The hook's part is mixed while the kernel runs and the outcome joins with one
 * multiply at the end, off the critical path of the batch. Xor with the other terms, multiplying by
 * an odd constant and each xorshift are bijections, so changing any one input changes the hash. Not
 * a cryptographic digest. The constants are odd 64-bit values (golden ratio, splitmix64, murmur3). */
#define KNHK_HASH_K_PRED 0x9e3779b97f4a7c15ull
#define KNHK_HASH_K_SPAN 0xbf58476d1ce4e5b9ull
#define KNHK_HASH_K_MIX 0xff51afd7ed558ccdull /* murmur3 fmix64's multipliers */
#define KNHK_HASH_K_OUT 0xc4ceb9fe1a85ec53ull

static KNHK_INLINE uint64_t knhk_rotl64(uint64_t x, unsigned r) { return (x << r) | (x >> (64u - r)); }

/** The run's part: the same for every hook of a batch. */
static KNHK_INLINE uint64_t knhk_hash_run(knhk_run_t run) {
  return run.pred * KNHK_HASH_K_PRED + ((uint64_t)run.off | (uint64_t)run.len << 32) * KNHK_HASH_K_SPAN;
}

/** The receipt word (bytes op, lanes, result, mask of knhk_receipt_t). */
static KNHK_INLINE uint32_t knhk_hash_word(uint32_t op, uint32_t len, uint32_t result, uint32_t mask) {
  return op | len << 8 | result << 16 | mask << 24;
}

static KNHK_INLINE uint64_t knhk_hash_hook(uint64_t run_part, uint64_t p, uint64_t s, uint64_t o, uint64_t k,
                                           uint32_t word) {
  uint64_t x = run_part ^ p ^ knhk_rotl64(s, 21) ^ knhk_rotl64(o, 42) ^ k << 32;
  x ^= x >> 32;
  x *= KNHK_HASH_K_MIX;
  x ^= x >> 29;
  return x ^ (uint64_t)word * KNHK_HASH_K_OUT;
}

/* ---- the variant interface ---------------------------------------------------------------------
 * A variant is one file src/knhk_<isa>.c, compiled with that ISA's -m flags only, that defines the
 * lane primitives listed in src/knhk_variant.h and includes it; the include generates the three
 * entry points below from them and the table entry `const knhk_variant_ops_t knhk_ops_<isa>`. Then
 * one line in VARIANTS[] (src/knhk_dispatch.c, with its CPUID test) and one Makefile switch. */

/** One (run, hook) input of a timing or test loop. */
typedef struct {
  knhk_run_t run;
  knhk_hook_t hook;
} knhk_item_t;

/** Evaluates one hook. @pre admitted. Returns the result; fills out when non-NULL (SELECT/CONSTRUCT). */
typedef uint32_t (*knhk_eval_hook_fn)(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook,
                                      knhk_out_t *out);
/** knhk_eval_batch() for this variant, the whole of it: knhk_eval_batch() is one indirect jump
 *  here. Admits the run and batch (knhk_admit_batch_run()), hands KNHK_BATCH_TICKS to
 *  knhk_eval_batch_timed(), admits every hook h < batch->n (unknown op, then k > len, lowest h
 *  first), and only then evaluates and writes. */
typedef knhk_status (*knhk_eval_batch_fn)(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *batch,
                                          knhk_receipt_t *receipts, knhk_out_t *outs, uint32_t flags);
/** The "inline" call mode: evaluates op on items[(start + i) & item_mask] for i < calls with the
 *  kernel inlined into the loop; returns the sum of the results; SELECT_SP and CONSTRUCT8 emit into
 *  out. @pre every item admitted for op (its hook.op is ignored: op is used). */
typedef uint64_t (*knhk_loop_fn)(uint32_t op, const knhk_soa_t *soa, const knhk_item_t *items,
                                 uint32_t item_mask, uint32_t start, uint32_t calls, knhk_out_t *out);

typedef struct {
  const char *name;              /* as in reports and KNHK_FORCE_VARIANT: "avx512" */
  const char *isa_flags;         /* the -m flags its file is built with ("" for none) */
  knhk_eval_hook_fn eval_hook;
  knhk_eval_batch_fn eval_batch;
  knhk_loop_fn loop;
} knhk_variant_ops_t;

extern const knhk_variant_ops_t knhk_ops_portable;
#if defined(KNHK_HAVE_SSE2)
extern const knhk_variant_ops_t knhk_ops_sse2;
#endif
#if defined(KNHK_HAVE_AVX2)
extern const knhk_variant_ops_t knhk_ops_avx2;
#endif
#if defined(KNHK_HAVE_AVX512)
extern const knhk_variant_ops_t knhk_ops_avx512;
#endif
#if defined(KNHK_HAVE_NEON)
extern const knhk_variant_ops_t knhk_ops_neon;
#endif
#if defined(KNHK_HAVE_WASM128)
extern const knhk_variant_ops_t knhk_ops_wasm128;
#endif
#if defined(KNHK_TESTING)
/* A deliberately wrong variant (lane len counts as live: one lane off), so tests can prove that
 * knhk selftest catches a variant that disagrees with portable. Never chosen, never benchmarked. */
extern const knhk_variant_ops_t knhk_ops_wrong_lane;
#endif

/* knhk_dispatch.c */

/** The ops of variant index (< knhk_variant_count()). */
const knhk_variant_ops_t *knhk_variant_ops(size_t index);

/** The ops the public entry points use, and knhk_variant_status(): set once at load time. When
 *  KNHK_FORCE_VARIANT was refused they are portable's, except that eval_batch returns the refusal. */
extern const knhk_variant_ops_t *knhk_active_ops;
extern knhk_status knhk_active_status;

/** 1 for test-only variants (knhk_ops_wrong_lane): not benchmarked, not in reports. */
int knhk_variant_testing_only(size_t index);

/** Whether index is a variant name reports may carry ("portable sse2 avx2 avx512 neon wasm-simd128"). */
int knhk_variant_name_known(const char *name);

/* knhk.c: knhk_eval_batch() with an explicit variant, for the bench and the selftest (the public
 * entry point is the same call through knhk_active_ops). */
knhk_status knhk_eval_batch_with(const knhk_variant_ops_t *ops, const knhk_soa_t *soa, knhk_run_t run,
                                 const knhk_batch_t *batch, knhk_receipt_t *receipts, knhk_out_t *outs,
                                 uint32_t flags);

/* knhk.c: the KNHK_BATCH_TICKS path: times ops->eval_batch(..., 0) with the calibrated counter and
 * writes ticks / n into the receipts. Out of line: the untimed hot path never pays for it. */
knhk_status knhk_eval_batch_timed(const knhk_variant_ops_t *ops, const knhk_soa_t *soa, knhk_run_t run,
                                  const knhk_batch_t *batch, knhk_receipt_t *receipts, knhk_out_t *outs);

/** The run's and the batch's half of the batch guard, in knhk_admit()'s order: NULL (soa, a
 *  column, batch, receipts), misaligned columns, len > 8, run beyond count, then n > 8. Two
 *  branches on the hot path (each check is a branch the CPU must also retire): all checks are
 *  or-ed first, and only a refused batch finds out which one failed. */
static inline knhk_status knhk_admit_batch_slow(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *batch,
                                                const knhk_receipt_t *receipts) {
  if (soa == NULL || batch == NULL || receipts == NULL || soa->S == NULL || soa->P == NULL || soa->O == NULL)
    return KNHK_E_NULL;
  if ((((uintptr_t)soa->S | (uintptr_t)soa->P | (uintptr_t)soa->O) & (KNHK_ALIGN - 1)) != 0) return KNHK_E_MISALIGNED;
  if (run.len > KNHK_MAX_LANES) return KNHK_E_RUN_TOO_LONG;
  if ((uint64_t)run.off + run.len > soa->count) return KNHK_E_RUN_OUT_OF_RANGE;
  if (batch->n > KNHK_BATCH_MAX) return KNHK_E_BATCH_TOO_LARGE;
  return KNHK_OK;
}

static KNHK_INLINE knhk_status knhk_admit_batch_run(const knhk_soa_t *soa, knhk_run_t run,
                                                    const knhk_batch_t *batch, const knhk_receipt_t *receipts) {
  if (KNHK_UNLIKELY((soa == NULL) | (batch == NULL) | (receipts == NULL)))
    return knhk_admit_batch_slow(soa, run, batch, receipts);
  uintptr_t S = (uintptr_t)soa->S, P = (uintptr_t)soa->P, O = (uintptr_t)soa->O;
  int bad = (S == 0) | (P == 0) | (O == 0) | (((S | P | O) & (KNHK_ALIGN - 1)) != 0) | (run.len > KNHK_MAX_LANES) |
            ((uint64_t)run.off + run.len > soa->count) | (batch->n > KNHK_BATCH_MAX);
  if (KNHK_UNLIKELY(bad)) return knhk_admit_batch_slow(soa, run, batch, receipts);
  return KNHK_OK;
}

/* knhk_selftest.c ------------------------------------------------------------------------------ */

#define KNHK_SELFTEST_CASES 100000u /* per op and variant: the acceptance floor */

/** One selftest run: every supported variant against portable on the same seeded cases, through
 *  each variant's per-call, batch and inline entry points (and the public ones for the active
 *  variant). Stops at the first mismatch. */
typedef struct {
  uint64_t seed;
  uint32_t cases_per_op;         /* cases per op and variant */
  size_t variants;               /* variants compared (supported, not portable) */
  const char *names[16];         /* their names */
  uint64_t cases[16][KNHK_OP_END]; /* cases checked per variant and op; [v][0]: mixed-op batches */
  int failed;                    /* 1 at a mismatch */
  char mismatch[640];            /* "variant avx2, op ASK_SP, case 17 (...), via batch: expected ..., got ..." */
} knhk_selftest_t;

/** Runs the selftest on every supported variant (and the test-only ones when include_testing).
 *  @return KNHK_OK (see st->failed) or KNHK_E_NOMEM. */
knhk_status knhk_selftest(uint64_t seed, uint32_t cases_per_op, int include_testing, knhk_selftest_t *st);

#endif /* KNHK_IMPL_H */
