/* knhk_wasm.c: the thin C binding the WebAssembly builds export to JavaScript (app/lib/wasm/knhk.ts).
 * 64-bit values never cross the JS boundary as arguments: emscripten 3.1.6 without WASM_BIGINT would
 * split them, so ids travel through linear memory (columns, an args block and a result block). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "knhk.h"
#include "knhk_impl.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
#define KNHK_WASM_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define KNHK_WASM_EXPORT
#endif

/* Indices into the args block: {pred, p, s, o, k}. */
enum { ARG_PRED, ARG_P, ARG_S, ARG_O, ARG_K, ARG_COUNT };
/* Indices into the result block: the receipt's hash and lane mask, then 8 emitted ids. */
enum { RES_HASH, RES_MASK, RES_EMITTED, RES_COUNT = RES_EMITTED + KNHK_MAX_LANES };

#define SELFTEST_SEED 0x6b6e686b5e1f7e57ull /* the CLI's `knhk selftest` seed, so results compare */

/** The library version, a static NUL-terminated string ("0.1.0"). */
KNHK_WASM_EXPORT const char *knhk_wasm_version(void) { return KNHK_VERSION; }

/** The kernel variant chosen when the module started: the first of knhk_wasm_variant_name()
 *  ("wasm-simd128" in knhk-simd.wasm, "portable" in knhk.wasm). */
KNHK_WASM_EXPORT const char *knhk_wasm_variant(void) { return knhk_variant_active(); }

/** How many kernel variants this module holds (indices for knhk_wasm_variant_name and _eval). */
KNHK_WASM_EXPORT uint32_t knhk_wasm_variant_count(void) { return (uint32_t)knhk_variant_count(); }

/** Name of variant index ("wasm-simd128", "portable"), or NULL (0) past the end. */
KNHK_WASM_EXPORT const char *knhk_wasm_variant_name(uint32_t index) { return knhk_variant_name(index); }

/** One past the last op number; ops are 1..knhk_wasm_op_end() - 1. */
KNHK_WASM_EXPORT uint32_t knhk_wasm_op_end(void) { return KNHK_OP_END; }

/** Name of op ("ASK_SP"), or NULL (0) when op is not an op. */
KNHK_WASM_EXPORT const char *knhk_wasm_op_name(uint32_t op) { return knhk_op_name(op); }

/** Readable line for a status code. */
KNHK_WASM_EXPORT const char *knhk_wasm_status_str(uint32_t status) {
  return knhk_status_str((knhk_status)status);
}

/** A 64-byte-aligned block of at least bytes bytes (columns must be, see knhk_admit()); free()
 *  it with _free. @return 0 when out of memory. */
KNHK_WASM_EXPORT void *knhk_wasm_alloc(uint32_t bytes) {
  size_t rounded = ((size_t)bytes + (KNHK_ALIGN - 1)) / KNHK_ALIGN * KNHK_ALIGN;
  return aligned_alloc(KNHK_ALIGN, rounded ? rounded : KNHK_ALIGN);
}

/** Admits and evaluates hook {op, p, s, o, k} on run {pred, off, len} over count triples with the
 *  kernel variant of index variant, through its batch entry (as knhk_eval() does for the chosen one).
 *  @param S,P,O    64-byte-aligned columns of count ids each, readable for count + 7 lanes
 *  @param args     uint64_t[5]: pred, p, s, o, k
 *  @param variant  < knhk_wasm_variant_count()
 *  @param res      uint64_t[10], written on success: the receipt's hash, its lane mask, then the 8
 *                  ids emitted (SELECT_SP: the objects, CONSTRUCT8: the subjects; 0 past the count)
 *  @return the op's result (>= 0), or -status when the hook is refused (knhk_admit()'s reasons) or
 *          variant is not an index (KNHK_E_VARIANT_UNKNOWN). */
KNHK_WASM_EXPORT int32_t knhk_wasm_eval(uint64_t *S, uint64_t *P, uint64_t *O, uint32_t count,
                                        const uint64_t *args, uint32_t op, uint32_t off, uint32_t len,
                                        uint32_t variant, uint64_t *res) {
  const knhk_variant_ops_t *ops = knhk_variant_ops(variant);
  if (ops == NULL || !knhk_variant_supported(variant) || knhk_variant_testing_only(variant))
    return -(int32_t)KNHK_E_VARIANT_UNKNOWN;
  if (args == NULL || res == NULL) return -(int32_t)KNHK_E_NULL;
  knhk_soa_t soa = {S, P, O, count};
  knhk_run_t run = {args[ARG_PRED], off, len};
  knhk_hook_t hook = {op, args[ARG_P], args[ARG_S], args[ARG_O], args[ARG_K]};
  knhk_batch_t batch;
  memset(&batch, 0, sizeof batch);
  batch.n = 1;
  knhk_batch_set(&batch, 0, &hook);
  knhk_receipt_t receipts[KNHK_BATCH_MAX];
  knhk_out_t out;
  memset(&out, 0, sizeof out);
  knhk_status st = knhk_eval_batch_with(ops, &soa, run, &batch, receipts, &out, 0);
  if (st != KNHK_OK) return -(int32_t)st;
  res[RES_HASH] = receipts[0].hash;
  res[RES_MASK] = receipts[0].mask;
  const uint64_t *emitted = op == KNHK_OP_SELECT_SP ? out.O : op == KNHK_OP_CONSTRUCT8 ? out.S : NULL;
  for (uint32_t i = 0; i < KNHK_MAX_LANES; i++) res[RES_EMITTED + i] = emitted ? emitted[i] : 0;
  return (int32_t)receipts[0].result;
}

static char selftest_text[sizeof(((knhk_selftest_t *)0)->mismatch)];

/** `knhk selftest` inside the module: every variant against portable on cases_per_op seeded cases
 *  per op (the CLI's seed), through each variant's per-call, batch and inline entry points.
 *  @return the number of variants compared (0 when portable is alone) when all agreed; -1 at the
 *          first mismatch, described by knhk_wasm_selftest_text(); -status on KNHK_E_NOMEM. */
KNHK_WASM_EXPORT int32_t knhk_wasm_selftest(uint32_t cases_per_op) {
  knhk_selftest_t *st = malloc(sizeof *st);
  if (st == NULL) return -(int32_t)KNHK_E_NOMEM;
  knhk_status status = knhk_selftest(SELFTEST_SEED, cases_per_op, 0, st);
  int32_t rc = status != KNHK_OK ? -(int32_t)status : st->failed ? -1 : (int32_t)st->variants;
  memcpy(selftest_text, st->failed ? st->mismatch : "", st->failed ? sizeof selftest_text : 1);
  free(st);
  return rc;
}

/** The last knhk_wasm_selftest() mismatch ("variant wasm-simd128, op ASK_SP, case 17 ..."), or "". */
KNHK_WASM_EXPORT const char *knhk_wasm_selftest_text(void) { return selftest_text; }
