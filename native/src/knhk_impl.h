/* knhk_impl.h: internal to libknhk and its bench/tests: KNHK_INLINE, arch macros, the reference
 * kernels as static inline functions (so the bench's "inline" call mode and the portable variant
 * compile the same code), and the prototypes of every variant's entry points. */
#ifndef KNHK_IMPL_H
#define KNHK_IMPL_H

#include <assert.h>

#include "knhk.h"

#if defined(__GNUC__) || defined(__clang__)
#define KNHK_INLINE inline __attribute__((always_inline))
#else
#define KNHK_INLINE inline
#endif

#if defined(__x86_64__) || defined(_M_X64)
#define KNHK_ARCH_X86_64 1
#elif defined(__aarch64__) || defined(_M_ARM64)
#define KNHK_ARCH_ARM64 1
#elif defined(__wasm__)
#define KNHK_ARCH_WASM 1
#endif

/* ---- portable reference kernels: the spec every variant must match -------------------------- */

/* ASK_SP, reference. Reads only lanes i < len (never the padding), compares unsigned 64-bit, and
 * accumulates without branching on data so hits and misses cost the same. */
static KNHK_INLINE uint32_t ask_sp_portable_inline(const uint64_t *S, knhk_run_t run, uint64_t p,
                                                   uint64_t s) {
  assert(run.len <= KNHK_MAX_LANES);
  if (p != run.pred) return 0;
  const uint64_t *lane = S + run.off;
  uint32_t hit = 0;
  for (uint32_t i = 0; i < run.len; i++) hit |= (uint32_t)(lane[i] == s);
  return hit;
}

/* ---- variant entry points (knhk_<op>_<variant>): one set per file knhk_<variant>.c ----------- */

uint32_t knhk_ask_sp_portable(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s);
uint32_t knhk_eval_hook_portable(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook);

#endif /* KNHK_IMPL_H */
