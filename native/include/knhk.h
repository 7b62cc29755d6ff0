/* knhk.h: the public API of libknhk, hot-path kernels over struct-of-arrays triples (DESIGN §4).
 * The only public header. Hot (R1) operations must finish within 8 ticks (1 tick = 0.25 ns) at p95,
 * per call; knhk_admit() refuses what cannot, and kernels run only on admitted input. */
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
#define KNHK_ALIGN 64u      /**< byte alignment of every column (one cache line) */
#define KNHK_TICK_NS 0.25   /**< 1 tick = 0.25 ns */
#define KNHK_BUDGET_TICKS 8 /**< hot-path budget per call, at p95 */

#ifndef KNHK_API
#define KNHK_API extern
#endif

/** Triples as struct-of-arrays: triple i is (S[i], P[i], O[i]). Ids are hashed terms; 0 means
 *  "no term". Each column is 64-byte aligned; knhk_soa_alloc() also pads every column to at least
 *  count + 7 lanes (rounded up to 8), so a vector kernel may load 8 whole lanes at any admitted run. */
typedef struct {
  uint64_t *S;  /**< subjects, 64-byte aligned */
  uint64_t *P;  /**< predicates, 64-byte aligned */
  uint64_t *O;  /**< objects, 64-byte aligned */
  size_t count; /**< triples held; a run must lie within [0, count) */
} knhk_soa_t;

/** One predicate run: lanes 0..len-1 read S[off+i], O[off+i]; lanes >= len never match. */
typedef struct {
  uint64_t pred; /**< the predicate every triple of the run has */
  uint32_t off;  /**< index of the run's first triple */
  uint32_t len;  /**< lanes in the run, 0..8 */
} knhk_run_t;

/** Operations (DESIGN §4). All are declared; this release implements only KNHK_OP_ASK_SP and
 *  knhk_admit() refuses the others with KNHK_E_OP_NOT_IMPLEMENTED. 0 is not an op. */
typedef enum {
  KNHK_OP_ASK_SP = 1,          /**< some lane has S = s (R1) */
  KNHK_OP_ASK_SPO,             /**< some lane has S = s and O = o (R1) */
  KNHK_OP_ASK_OP,              /**< some lane has O = o (R1) */
  KNHK_OP_COUNT_SP_GE,         /**< c >= k, c = lanes with S = s (R1) */
  KNHK_OP_COUNT_SP_LE,         /**< c <= k (R1) */
  KNHK_OP_COUNT_SP_EQ,         /**< c == k (R1) */
  KNHK_OP_COUNT_OP_GE,         /**< c >= k, c = lanes with O = o (R1) */
  KNHK_OP_COUNT_OP_LE,         /**< c <= k (R1) */
  KNHK_OP_COUNT_OP_EQ,         /**< c == k (R1) */
  KNHK_OP_UNIQUE_SP,           /**< exactly one lane has S = s (R1) */
  KNHK_OP_COMPARE_O_EQ,        /**< some lane has O == o, unsigned (R1) */
  KNHK_OP_COMPARE_O_GT,        /**< some lane has O > o (R1) */
  KNHK_OP_COMPARE_O_LT,        /**< some lane has O < o (R1) */
  KNHK_OP_COMPARE_O_GE,        /**< some lane has O >= o (R1) */
  KNHK_OP_COMPARE_O_LE,        /**< some lane has O <= o (R1) */
  KNHK_OP_VALIDATE_DATATYPE_SP,  /**< some lane has S = s and O = o, o the datatype hash (R1) */
  KNHK_OP_VALIDATE_DATATYPE_SPO, /**< same test as ASK_SPO (R1) */
  KNHK_OP_SELECT_SP,           /**< O of every lane with S = s, in lane order; returns the count (R1) */
  KNHK_OP_CONSTRUCT8,          /**< emits (S, p, o) for every lane with S != 0; returns the count (W1) */
  KNHK_OP_END                  /**< one past the last op; not an op */
} knhk_op;

/** A hook: one operation with its constants, evaluated against one run. */
typedef struct {
  uint32_t op; /**< a knhk_op value; anything else is refused by knhk_admit() */
  uint64_t p;  /**< predicate the hook asks about; p != run.pred makes every op return 0 */
  uint64_t s;  /**< subject constant */
  uint64_t o;  /**< object constant */
  uint64_t k;  /**< count threshold of the COUNT ops; must be <= run.len for every op */
} knhk_hook_t;

/** Status of every function that can fail. knhk_status_str() gives one readable line. */
typedef enum {
  KNHK_OK = 0,
  KNHK_E_NULL,               /**< soa, hook, result or a column pointer is NULL */
  KNHK_E_RUN_TOO_LONG,       /**< run.len > 8 */
  KNHK_E_UNKNOWN_OP,         /**< hook.op is not a knhk_op */
  KNHK_E_OP_NOT_IMPLEMENTED, /**< a declared op this release does not implement yet */
  KNHK_E_K_GT_LEN,           /**< hook.k > run.len */
  KNHK_E_MISALIGNED,         /**< a column is not 64-byte aligned */
  KNHK_E_RUN_OUT_OF_RANGE,   /**< run.off + run.len > soa.count */
  KNHK_E_NOMEM,              /**< allocation failed */
  KNHK_E_CLOCK_UNUSABLE,     /**< the tick counter did not advance or failed calibration */
  KNHK_STATUS_END            /**< one past the last status; not a status */
} knhk_status;

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

/** Whether this release implements op (knhk_admit() refuses the others).  @return 1 or 0. */
KNHK_API int knhk_op_implemented(uint32_t op);

/** Name of the kernel variant the public entry points use: "portable" in this release. */
KNHK_API const char *knhk_variant_active(void);

/** Allocates three zeroed, 64-byte-aligned columns for count triples (padded, see knhk_soa_t).
 *  @return KNHK_OK, KNHK_E_NULL (soa NULL) or KNHK_E_NOMEM (soa is then left all NULL).
 *  Release with knhk_soa_free(). */
KNHK_API knhk_status knhk_soa_alloc(knhk_soa_t *soa, size_t count);

/** Frees columns from knhk_soa_alloc() and sets them to NULL. soa may be NULL. */
KNHK_API void knhk_soa_free(knhk_soa_t *soa);

/** Admission guard: checks, in this order, NULL (soa, its columns, hook), misaligned columns,
 *  run.len > 8, run outside soa.count, unknown op, op not implemented yet, hook.k > run.len.
 *  Cheap (no memory beyond soa and hook is read); call once per hook, not per evaluation.
 *  @return KNHK_OK when the hook may run on the run, else the first refusal found. */
KNHK_API knhk_status knhk_admit(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook);

/** ASK_SP: whether some lane i < run.len has S[run.off + i] == s, given p == run.pred.
 *  Hot path (R1): no checks, no dispatch per call.
 *  @pre  the hook {ASK_SP, p, s, o, k} on run passed knhk_admit() (asserted in debug builds).
 *  @return 1 if such a lane exists, else 0 (also 0 when p != run.pred or run.len == 0). */
KNHK_API uint32_t knhk_ask_sp(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s);

/** Evaluates an admitted hook on a run: the general per-call entry point.
 *  @pre  knhk_admit(soa, run, hook) == KNHK_OK (asserted in debug builds).
 *  @return the op's result: 0/1, or a count in [0, 8] for the counting ops. */
KNHK_API uint32_t knhk_eval_hook(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook);

/** Admits then evaluates: for callers outside the hot path (CLI, WASM binding, tests).
 *  @param result receives the op's result on KNHK_OK and is left unchanged otherwise.
 *  @return KNHK_OK, KNHK_E_NULL (result NULL) or the refusal of knhk_admit(). */
KNHK_API knhk_status knhk_eval(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook,
                               uint32_t *result);

#ifdef __cplusplus
}
#endif

#endif /* KNHK_H */
