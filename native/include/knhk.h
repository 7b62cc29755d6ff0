/* knhk.h: the public API of libknhk, hot-path kernels over struct-of-arrays triples (DESIGN §4).
 * The only public header. Hot (R1) operations must finish within 8 ticks (1 tick = 0.25 ns) at p95
 * as a caller pays them through the documented hot path, knhk_eval_batch(); admission refuses what
 * cannot, and kernels run only on admitted input. */
#ifndef KNHK_H
#define KNHK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Library version (semver). Kept on one line: the release script bumps it by regex. */
#define KNHK_VERSION "0.1.0"

#define KNHK_MAX_LANES 8u   /**< lanes in a predicate run: a run's len is 0..8 */
#define KNHK_BATCH_MAX 8u   /**< hooks in one knhk_eval_batch() call: 0..8 */
#define KNHK_ALIGN 64u      /**< byte alignment of every column (one cache line) */
#define KNHK_TICK_NS 0.25   /**< 1 tick = 0.25 ns */
#define KNHK_BUDGET_TICKS 8 /**< hot-path budget per R1 operation, at p95 */

#ifndef KNHK_API
#define KNHK_API extern
#endif

#if defined(__cplusplus)
#define KNHK_ALIGNAS(n) alignas(n)
#else
#define KNHK_ALIGNAS(n) _Alignas(n)
#endif

/* ---- data ------------------------------------------------------------------------------------ */

/** Triples as struct-of-arrays: triple i is (S[i], P[i], O[i]). Ids are hashed terms; 0 means
 *  "no term". Every column is 64-byte aligned (knhk_admit() refuses others) and must be readable
 *  for 8 lanes from any run offset, i.e. hold at least count + 7 lanes: the SIMD kernels load a
 *  whole run of 8 lanes and discard the lanes at or beyond len. knhk_soa_alloc() does both. */
typedef struct {
  uint64_t *S;  /**< subjects, 64-byte aligned */
  uint64_t *P;  /**< predicates, 64-byte aligned */
  uint64_t *O;  /**< objects, 64-byte aligned */
  size_t count; /**< triples held; a run must lie within [0, count) */
} knhk_soa_t;

/** One predicate run: lane i (0 <= i < len) reads S[off + i], O[off + i]. Lanes at or beyond len
 *  never match, whatever the memory holds. */
typedef struct {
  uint64_t pred; /**< the predicate every triple of the run has */
  uint32_t off;  /**< index of the run's first triple */
  uint32_t len;  /**< lanes in the run, 0..8 */
} knhk_run_t;

/** Operations (DESIGN §4). c below is the number of lanes i < len that satisfy the test, and every
 *  op returns 0 (and SELECT_SP / CONSTRUCT8 emit nothing) when the hook's p differs from the run's
 *  pred. All comparisons are unsigned 64-bit. Every op except CONSTRUCT8 is hot (R1); CONSTRUCT8
 *  is warm (W1). The numbering is stable; 0 is not an op. */
typedef enum {
  KNHK_OP_ASK_SP = 1,            /**< 1 if some lane has S = s (R1) */
  KNHK_OP_ASK_SPO,               /**< 1 if some lane has S = s and O = o (R1) */
  KNHK_OP_ASK_OP,                /**< 1 if some lane has O = o (R1) */
  KNHK_OP_COUNT_SP_GE,           /**< c >= k, c = lanes with S = s (R1) */
  KNHK_OP_COUNT_SP_LE,           /**< c <= k (R1) */
  KNHK_OP_COUNT_SP_EQ,           /**< c == k (R1) */
  KNHK_OP_COUNT_OP_GE,           /**< c >= k, c = lanes with O = o (R1) */
  KNHK_OP_COUNT_OP_LE,           /**< c <= k (R1) */
  KNHK_OP_COUNT_OP_EQ,           /**< c == k (R1) */
  KNHK_OP_UNIQUE_SP,             /**< 1 if exactly one lane has S = s (R1) */
  KNHK_OP_COMPARE_O_EQ,          /**< 1 if some lane has O == o (R1) */
  KNHK_OP_COMPARE_O_GT,          /**< 1 if some lane has O > o (R1) */
  KNHK_OP_COMPARE_O_LT,          /**< 1 if some lane has O < o (R1) */
  KNHK_OP_COMPARE_O_GE,          /**< 1 if some lane has O >= o (R1) */
  KNHK_OP_COMPARE_O_LE,          /**< 1 if some lane has O <= o (R1) */
  KNHK_OP_VALIDATE_DATATYPE_SP,  /**< 1 if some lane has S = s and O = o, o the datatype hash (R1) */
  KNHK_OP_VALIDATE_DATATYPE_SPO, /**< the same test as ASK_SPO; the full check is upstream (R1) */
  KNHK_OP_SELECT_SP,             /**< c = lanes with S = s; emits their O in lane order (R1) */
  KNHK_OP_CONSTRUCT8,            /**< c = lanes with S != 0; emits (S, p, o) for each (W1) */
  KNHK_OP_END                    /**< one past the last op; not an op */
} knhk_op;

/** A hook: one operation with its constants, evaluated against one run. */
typedef struct {
  uint32_t op; /**< a knhk_op value; anything else is refused by knhk_admit() */
  uint64_t p;  /**< predicate the hook asks about; p != run.pred makes every op return 0 */
  uint64_t s;  /**< subject constant (ignored by the O-only ops and CONSTRUCT8) */
  uint64_t o;  /**< object constant (ignored by the S-only ops; emitted by CONSTRUCT8) */
  uint64_t k;  /**< count threshold of the COUNT ops; must be <= run.len for every op */
} knhk_hook_t;

/** What SELECT_SP and CONSTRUCT8 emit: entry j < count (count = the op's result) in lane order,
 *  entries [count, 8) set to 0. SELECT_SP writes O only; CONSTRUCT8 writes S, P and O. Which lanes
 *  they came from is the receipt's mask. */
typedef struct {
  uint64_t S[8]; /**< CONSTRUCT8: the subject of emitted triple j */
  uint64_t P[8]; /**< CONSTRUCT8: hook.p for every emitted triple */
  uint64_t O[8]; /**< SELECT_SP: the object of selected lane j; CONSTRUCT8: hook.o */
} knhk_out_t;

/** Up to 8 hooks as struct-of-arrays (hook h is op[h], p[h], s[h], o[h], k[h]), so a SIMD kernel
 *  loads each field of all hooks with one instruction. Fill with knhk_batch_set(). */
typedef struct {
  KNHK_ALIGNAS(64) uint64_t p[8];
  uint64_t s[8];
  uint64_t o[8];
  uint64_t k[8];
  uint32_t op[8];
  uint32_t n; /**< hooks in use, 0..8: entries [n, 8) are ignored */
} knhk_batch_t;

/** The receipt of one evaluated hook (knhk_eval_batch(), knhk_eval()): 16 bytes. */
typedef struct {
  uint64_t hash;   /**< 64-bit hash of the hook, the run and the outcome (knhk_receipt_hash()) */
  uint8_t op;      /**< the hook's op */
  uint8_t lanes;   /**< run.len: the lanes examined */
  uint8_t result;  /**< the op's result: 0/1, or a count 0..8 */
  uint8_t mask;    /**< bit i set: lane i satisfied the op's test (the lanes counted) */
  uint32_t ticks;  /**< with KNHK_BATCH_TICKS: the batch's measured ticks / n; else 0 */
} knhk_receipt_t;

/** Flags of knhk_eval_batch(). */
#define KNHK_BATCH_TICKS 1u /**< measure the batch and fill knhk_receipt_t.ticks */

/** Status of every function that can fail. knhk_status_str() gives one readable line. */
typedef enum {
  KNHK_OK = 0,
  KNHK_E_NULL,                /**< soa, a column, the hook, batch, receipts or result is NULL */
  KNHK_E_RUN_TOO_LONG,        /**< run.len > 8 */
  KNHK_E_UNKNOWN_OP,          /**< hook.op is not a knhk_op */
  KNHK_E_K_GT_LEN,            /**< hook.k > run.len */
  KNHK_E_MISALIGNED,          /**< a column is not 64-byte aligned */
  KNHK_E_RUN_OUT_OF_RANGE,    /**< run.off + run.len > soa.count */
  KNHK_E_BATCH_TOO_LARGE,     /**< batch.n > 8 */
  KNHK_E_NOMEM,               /**< allocation failed */
  KNHK_E_CLOCK_UNUSABLE,      /**< the tick counter did not advance or failed calibration */
  KNHK_E_VARIANT_UNKNOWN,     /**< KNHK_FORCE_VARIANT names no variant */
  KNHK_E_VARIANT_UNSUPPORTED, /**< KNHK_FORCE_VARIANT names a variant this build or CPU lacks */
  KNHK_STATUS_END             /**< one past the last status; not a status */
} knhk_status;

/* ---- names ----------------------------------------------------------------------------------- */

/** One readable line for a status, e.g. "run length > 8 lanes".
 *  @return a static string; "unknown status" for values outside knhk_status. Never NULL. */
KNHK_API const char *knhk_status_str(knhk_status status);

/** Name of an op as used by the CLI, the reports and the triples format ("ASK_SP").
 *  @return a static string, or NULL when op is not a knhk_op. */
KNHK_API const char *knhk_op_name(uint32_t op);

/** Parses an op name (exact, upper case).
 *  @param name  e.g. "ASK_SP"; @param op receives the knhk_op on success.
 *  @return KNHK_OK, KNHK_E_NULL (name or op NULL) or KNHK_E_UNKNOWN_OP. */
KNHK_API knhk_status knhk_op_parse(const char *name, uint32_t *op);

/** Whether op is hot (R1, budgeted): 1 for every op except CONSTRUCT8 (W1, warm); 0 for a non-op. */
KNHK_API int knhk_op_is_hot(uint32_t op);

/* ---- kernel variants --------------------------------------------------------------------------
 * One portable reference and per-ISA variants (sse2, avx2, avx512 on x86-64; neon on arm64;
 * wasm-simd128), each tested against portable. The best variant this CPU supports is chosen once,
 * when the library is loaded; the environment variable KNHK_FORCE_VARIANT=<name> forces one. If it
 * names an unknown variant, or one this build or CPU lacks, knhk_variant_status() says so and
 * knhk_eval() and knhk_eval_batch() return that status instead of running (the library never exits
 * the process; the knhk CLI exits 2). */

/** Variants compiled into this build, best first; "portable" is always one of them. */
KNHK_API size_t knhk_variant_count(void);

/** Name of variant index ("avx512"), or NULL when index >= knhk_variant_count(). */
KNHK_API const char *knhk_variant_name(size_t index);

/** 1 when this CPU can run variant index, else 0. */
KNHK_API int knhk_variant_supported(size_t index);

/** Name of the variant the entry points use: the best supported one, or the forced one. */
KNHK_API const char *knhk_variant_active(void);

/** KNHK_OK, or why KNHK_FORCE_VARIANT was refused: KNHK_E_VARIANT_UNKNOWN (not a variant name)
 *  or KNHK_E_VARIANT_UNSUPPORTED (not built in, or this CPU lacks it). */
KNHK_API knhk_status knhk_variant_status(void);

/** The value of KNHK_FORCE_VARIANT read at load time, or NULL when it was unset or empty. */
KNHK_API const char *knhk_variant_forced(void);

/* ---- columns --------------------------------------------------------------------------------- */

/** Allocates three zeroed, 64-byte-aligned columns for count triples, padded to count + 7 lanes
 *  rounded up to 8 (see knhk_soa_t).
 *  @return KNHK_OK, KNHK_E_NULL (soa NULL) or KNHK_E_NOMEM (soa is then left all NULL).
 *  Release with knhk_soa_free(). */
KNHK_API knhk_status knhk_soa_alloc(knhk_soa_t *soa, size_t count);

/** Frees columns from knhk_soa_alloc() and sets them to NULL. soa may be NULL. */
KNHK_API void knhk_soa_free(knhk_soa_t *soa);

/* ---- admission and evaluation ---------------------------------------------------------------- */

/** Admission guard: checks, in this order, NULL (soa, its columns, hook), misaligned columns,
 *  run.len > 8, run outside soa.count, unknown op, hook.k > run.len. Reads nothing but soa and
 *  hook. Call once per hook and run before knhk_eval_hook().
 *  @return KNHK_OK when the hook may run on the run, else the first refusal found. */
KNHK_API knhk_status knhk_admit(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook);

/** THE HOT PATH. Admits and evaluates up to 8 hooks on one run with one dispatch into the active
 *  variant (chosen once, not per operation): the admission of the whole batch, then every hook's
 *  kernel, then one receipt per hook. Measured by `knhk bench` as call mode "batch" (per-op figure
 *  = batch time / hooks); the R1 budget of 8 ticks at p95 applies to that figure.
 *  @param batch     hooks 0..n-1; entries [n, 8) are ignored
 *  @param receipts  array of 8: receipts[h] for hook h < n; receipts [n, 8) are zeroed
 *  @param outs      NULL, or an array of n: outs[h] receives what hook h emits when its op is
 *                   SELECT_SP or CONSTRUCT8 (other entries are untouched); NULL discards emissions
 *                   (receipts still carry the count and the lane mask)
 *  @param flags     0, or KNHK_BATCH_TICKS to time the batch with the calibrated tick counter and
 *                   store ticks / n in every receipt (the first such call calibrates the counter,
 *                   about 10 ms once per process)
 *  @pre   the columns are readable for 8 lanes at run.off (see knhk_soa_t)
 *  @return KNHK_OK; KNHK_E_NULL, KNHK_E_MISALIGNED, KNHK_E_RUN_TOO_LONG, KNHK_E_RUN_OUT_OF_RANGE
 *          or KNHK_E_BATCH_TOO_LARGE for the run or batch; else the refusal of the lowest-numbered
 *          refused hook (KNHK_E_UNKNOWN_OP before KNHK_E_K_GT_LEN); KNHK_E_VARIANT_* when
 *          KNHK_FORCE_VARIANT was refused; KNHK_E_CLOCK_UNUSABLE when ticks were asked and the
 *          counter cannot be calibrated. On any refusal nothing is evaluated and nothing written. */
KNHK_API knhk_status knhk_eval_batch(const knhk_soa_t *soa, knhk_run_t run, const knhk_batch_t *batch,
                                     knhk_receipt_t *receipts, knhk_out_t *outs, uint32_t flags);

/** Sets hook h of batch to *hook (fields copied into the columns). Cold path: no admission here.
 *  @return KNHK_OK, KNHK_E_NULL (batch or hook NULL) or KNHK_E_BATCH_TOO_LARGE (h >= 8). */
KNHK_API knhk_status knhk_batch_set(knhk_batch_t *batch, uint32_t h, const knhk_hook_t *hook);

/** Evaluates one admitted hook through the active variant: the per-call entry point (one indirect
 *  call per operation, so it costs more than the batch path; measured as call mode "api").
 *  @param out  NULL, or receives what SELECT_SP and CONSTRUCT8 emit (ignored by other ops)
 *  @pre   knhk_admit(soa, run, hook) == KNHK_OK (asserted in debug builds), the columns are
 *         readable for 8 lanes at run.off, and knhk_variant_status() == KNHK_OK
 *  @return the op's result: 0/1, or a count in [0, 8] for SELECT_SP and CONSTRUCT8. */
KNHK_API uint32_t knhk_eval_hook(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook,
                                 knhk_out_t *out);

/** Admits then evaluates one hook and fills its receipt: for callers outside the hot path (CLI,
 *  WASM binding, tests). The same code as a batch of one hook.
 *  @param out      NULL, or receives what SELECT_SP and CONSTRUCT8 emit
 *  @param receipt  receives the receipt (result, lane mask, hash; ticks 0) on KNHK_OK and is left
 *                  unchanged otherwise
 *  @return KNHK_OK, KNHK_E_NULL (hook or receipt NULL), the refusal of knhk_admit(), or
 *          KNHK_E_VARIANT_* when KNHK_FORCE_VARIANT was refused. */
KNHK_API knhk_status knhk_eval(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook,
                               knhk_out_t *out, knhk_receipt_t *receipt);

/** Recomputes the hash a receipt carries, to verify one: a 64-bit hash of the hook (op, p, s, o,
 *  k), the run it was evaluated on (pred, off, len) and the outcome (result, and the mask of the
 *  lanes that passed, through which the lanes' contents enter). Any single change of those inputs
 *  changes it (every step is a bijection); it is not a cryptographic hash. soa is only admitted.
 *  @pre  knhk_admit(soa, run, hook) == KNHK_OK. */
KNHK_API uint64_t knhk_receipt_hash(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook,
                                    uint32_t result, uint32_t mask);

/** Calibrates the tick counter that KNHK_BATCH_TICKS uses (about 10 ms; done at most once per
 *  process, and by the first timed batch if not called before).
 *  @return KNHK_OK or KNHK_E_CLOCK_UNUSABLE. */
KNHK_API knhk_status knhk_ticks_init(void);

#ifdef __cplusplus
}
#endif

#endif /* KNHK_H */
