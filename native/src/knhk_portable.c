/* knhk_portable.c: the portable variant, plain C11 built without -m flags: the baseline for every
 * CPU and the reference every other variant is tested against. Kernel bodies are in knhk_impl.h. */
#include "knhk_impl.h"

uint32_t knhk_ask_sp_portable(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s) {
  return ask_sp_portable_inline(soa->S, run, p, s);
}

uint32_t knhk_eval_hook_portable(const knhk_soa_t *soa, knhk_run_t run, const knhk_hook_t *hook) {
  switch (hook->op) {
    case KNHK_OP_ASK_SP:
      return ask_sp_portable_inline(soa->S, run, hook->p, hook->s);
    default:
      /* knhk_admit() refuses every op not implemented above; reaching here is a caller bug. */
      assert(!"knhk_eval_hook_portable: op not admitted");
      return 0;
  }
}
