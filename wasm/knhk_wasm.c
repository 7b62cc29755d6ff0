/* knhk_wasm.c: the thin C binding the WebAssembly build exports to JavaScript (app/lib/wasm/knhk.ts).
 * 64-bit values never cross the JS boundary as arguments: emscripten 3.1.6 without WASM_BIGINT would
 * split them, so ids travel through linear memory (columns and an args block of uint64_t). */
#include <stdint.h>
#include <stdlib.h>

#include "knhk.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
#define KNHK_WASM_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define KNHK_WASM_EXPORT
#endif

/* Indices into the args block: {pred, p, s, o, k}. */
enum { ARG_PRED, ARG_P, ARG_S, ARG_O, ARG_K, ARG_COUNT };

/** The library version, a static NUL-terminated string ("0.1.0"). */
KNHK_WASM_EXPORT const char *knhk_wasm_version(void) { return KNHK_VERSION; }

/** The kernel variant in use ("portable": no SIMD variant is built into the WASM module yet). */
KNHK_WASM_EXPORT const char *knhk_wasm_variant(void) { return knhk_variant_active(); }

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

/** Admits and evaluates hook {op, p, s, o, k} on run {pred, off, len} over count triples.
 *  @param S,P,O  64-byte-aligned columns of count ids each, readable for count + 7 lanes
 *  @param args   uint64_t[5]: pred, p, s, o, k
 *  @return the op's result (>= 0), or -status when knhk_admit() refuses the hook. */
KNHK_WASM_EXPORT int32_t knhk_wasm_eval(uint64_t *S, uint64_t *P, uint64_t *O, uint32_t count,
                                        const uint64_t *args, uint32_t op, uint32_t off, uint32_t len) {
  if (args == NULL) return -(int32_t)KNHK_E_NULL;
  knhk_soa_t soa = {S, P, O, count};
  knhk_run_t run = {args[ARG_PRED], off, len};
  knhk_hook_t hook = {op, args[ARG_P], args[ARG_S], args[ARG_O], args[ARG_K]};
  knhk_receipt_t receipt;
  knhk_status st = knhk_eval(&soa, run, &hook, NULL, &receipt); /* SELECT_SP, CONSTRUCT8: the count */
  return st == KNHK_OK ? (int32_t)receipt.result : -(int32_t)st;
}
