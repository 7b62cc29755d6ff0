/* test_admit.c: the admission guard refuses each inadmissible input with its own status and a
 * readable line, accepts the admissible ones, and the name tables round-trip. */
#include <stdio.h>
#include <string.h>

#include "knhk.h"
#include "test_main.h"

static knhk_soa_t soa16(void) {
  knhk_soa_t soa;
  if (knhk_soa_alloc(&soa, 16) != KNHK_OK) {
    test_fail(__FILE__, __LINE__, "knhk_soa_alloc failed");
    memset(&soa, 0, sizeof soa);
  }
  return soa;
}

/* Checks one refusal: the status, and that knhk_status_str() describes it. */
static void check_refusal(const char *case_name, knhk_status got, knhk_status want, const char *want_text) {
  CHECK_EQ_U64(got, want, "op=ASK_SP case=%s status", case_name);
  const char *text = knhk_status_str(got);
  CHECK(strstr(text, want_text) != NULL, "case=%s status_str=\"%s\" should mention \"%s\"", case_name, text,
        want_text);
}

void test_admit_accepts_admissible_hook(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_hook_t hook = {KNHK_OP_ASK_SP, 7, 1, 0, 0};
  CHECK_EQ_U64(knhk_admit(&soa, (knhk_run_t){7, 0, 8}, &hook), KNHK_OK, "case=%s", "len8");
  CHECK_EQ_U64(knhk_admit(&soa, (knhk_run_t){7, 16, 0}, &hook), KNHK_OK, "case=%s", "len0-at-end");
  hook.k = 8;
  CHECK_EQ_U64(knhk_admit(&soa, (knhk_run_t){7, 8, 8}, &hook), KNHK_OK, "case=%s", "k-equals-len");
  CHECK_EQ_STR(knhk_status_str(KNHK_OK), "ok", "status_str(KNHK_OK)");
  knhk_soa_free(&soa);
}

void test_admit_refuses_null(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_hook_t hook = {KNHK_OP_ASK_SP, 7, 1, 0, 0};
  knhk_run_t run = {7, 0, 4};
  check_refusal("soa-null", knhk_admit(NULL, run, &hook), KNHK_E_NULL, "null");
  check_refusal("hook-null", knhk_admit(&soa, run, NULL), KNHK_E_NULL, "null");
  const char *names[3] = {"S-null", "P-null", "O-null"};
  for (int c = 0; c < 3; c++) {
    knhk_soa_t broken = soa;
    if (c == 0) broken.S = NULL;
    if (c == 1) broken.P = NULL;
    if (c == 2) broken.O = NULL;
    check_refusal(names[c], knhk_admit(&broken, run, &hook), KNHK_E_NULL, "null");
  }
  knhk_receipt_t receipt;
  check_refusal("receipt-null", knhk_eval(&soa, run, &hook, NULL, NULL), KNHK_E_NULL, "null");
  check_refusal("soa-null-eval", knhk_eval(NULL, run, &hook, NULL, &receipt), KNHK_E_NULL, "null");
  check_refusal("hook-null-eval", knhk_eval(&soa, run, NULL, NULL, &receipt), KNHK_E_NULL, "null");
  knhk_soa_free(&soa);
}

void test_admit_refuses_misaligned_column(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_hook_t hook = {KNHK_OP_ASK_SP, 7, 1, 0, 0};
  knhk_run_t run = {7, 0, 4};
  /* One element (8 bytes) in: 8-byte aligned, as malloc gives, but not 64-byte aligned. */
  knhk_soa_t shifted = soa;
  shifted.S = soa.S + 1;
  shifted.count = 15;
  check_refusal("S-plus-8-bytes", knhk_admit(&shifted, run, &hook), KNHK_E_MISALIGNED, "64-byte aligned");
  shifted = soa;
  shifted.O = soa.O + 4;
  shifted.count = 12;
  check_refusal("O-plus-32-bytes", knhk_admit(&shifted, run, &hook), KNHK_E_MISALIGNED, "64-byte aligned");
  shifted = soa;
  shifted.P = soa.P + 8; /* 64 bytes in: aligned again, admissible */
  CHECK_EQ_U64(knhk_admit(&shifted, run, &hook), KNHK_OK, "case=%s", "P-plus-64-bytes");
  knhk_soa_free(&soa);
}

void test_admit_refuses_run_too_long(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_hook_t hook = {KNHK_OP_ASK_SP, 7, 1, 0, 0};
  check_refusal("len9", knhk_admit(&soa, (knhk_run_t){7, 0, 9}, &hook), KNHK_E_RUN_TOO_LONG, "> 8 lanes");
  check_refusal("len-max", knhk_admit(&soa, (knhk_run_t){7, 0, UINT32_MAX}, &hook), KNHK_E_RUN_TOO_LONG,
                "> 8 lanes");
  knhk_soa_free(&soa);
}

void test_admit_refuses_run_out_of_range(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_hook_t hook = {KNHK_OP_ASK_SP, 7, 1, 0, 0};
  check_refusal("off12-len8", knhk_admit(&soa, (knhk_run_t){7, 12, 8}, &hook), KNHK_E_RUN_OUT_OF_RANGE,
                "beyond the triples");
  /* off near UINT32_MAX: off + len must not wrap around to a small number. */
  check_refusal("off-max", knhk_admit(&soa, (knhk_run_t){7, UINT32_MAX, 2}, &hook), KNHK_E_RUN_OUT_OF_RANGE,
                "beyond the triples");
  knhk_soa_free(&soa);
}

void test_admit_refuses_unknown_op(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_run_t run = {7, 0, 4};
  uint32_t bad[] = {0, KNHK_OP_END, 999, UINT32_MAX};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    knhk_hook_t hook = {bad[i], 7, 1, 0, 0};
    char name[32];
    snprintf(name, sizeof name, "op=%u", bad[i]);
    check_refusal(name, knhk_admit(&soa, run, &hook), KNHK_E_UNKNOWN_OP, "unknown op");
  }
  knhk_soa_free(&soa);
}

void test_admit_accepts_every_op(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_run_t run = {7, 0, 4};
  for (uint32_t op = 1; op < KNHK_OP_END; op++) {
    knhk_hook_t hook = {op, 7, 1, 2, 4}; /* k = len: the bound itself is admitted */
    CHECK_EQ_U64(knhk_admit(&soa, run, &hook), KNHK_OK, "op=%s case=declared-op", knhk_op_name(op));
  }
  CHECK(knhk_op_is_hot(KNHK_OP_ASK_SP) && knhk_op_is_hot(KNHK_OP_SELECT_SP) && !knhk_op_is_hot(KNHK_OP_CONSTRUCT8) &&
            !knhk_op_is_hot(0) && !knhk_op_is_hot(KNHK_OP_END),
        "tiers: every op is R1 except CONSTRUCT8 (W1)");
  knhk_soa_free(&soa);
}

void test_admit_refuses_k_gt_len(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_hook_t hook = {KNHK_OP_ASK_SP, 7, 1, 0, 5};
  check_refusal("k5-len4", knhk_admit(&soa, (knhk_run_t){7, 0, 4}, &hook), KNHK_E_K_GT_LEN, "k > run length");
  hook.k = UINT64_MAX; /* must not be truncated to 32 bits before the compare */
  check_refusal("k-max-len8", knhk_admit(&soa, (knhk_run_t){7, 0, 8}, &hook), KNHK_E_K_GT_LEN, "k > run length");
  hook.k = 1ull << 32;
  check_refusal("k-2^32-len0", knhk_admit(&soa, (knhk_run_t){7, 0, 0}, &hook), KNHK_E_K_GT_LEN,
                "k > run length");
  knhk_soa_free(&soa);
}

void test_admit_eval_leaves_result_on_refusal(void) {
  knhk_soa_t soa = soa16();
  if (!soa.S) return;
  knhk_receipt_t receipt;
  memset(&receipt, 0x77, sizeof receipt);
  knhk_hook_t hook = {KNHK_OP_ASK_SP, 7, 0, 0, 0};
  knhk_status st = knhk_eval(&soa, (knhk_run_t){7, 0, 9}, &hook, NULL, &receipt);
  CHECK_EQ_U64(st, KNHK_E_RUN_TOO_LONG, "case=%s", "eval-len9");
  CHECK_EQ_U64(receipt.result, 0x77, "case=%s receipt untouched", "eval-len9");
  st = knhk_eval(&soa, (knhk_run_t){7, 0, 8}, &hook, NULL, &receipt); /* S is all 0: s = 0 hits */
  CHECK_EQ_U64(st, KNHK_OK, "case=%s", "eval-len8");
  CHECK_EQ_U64(receipt.result, 1, "case=%s result", "eval-len8");
  CHECK_EQ_U64(receipt.mask, 0xff, "case=%s mask", "eval-len8");
  knhk_soa_free(&soa);
}

void test_admit_status_str_names_every_status(void) {
  for (int st = 0; st < KNHK_STATUS_END; st++) {
    const char *text = knhk_status_str((knhk_status)st);
    CHECK(text != NULL && text[0] != '\0' && strcmp(text, "unknown status") != 0, "status=%d has no text", st);
  }
  CHECK_EQ_STR(knhk_status_str(KNHK_STATUS_END), "unknown status", "status_str(KNHK_STATUS_END)");
  CHECK_EQ_STR(knhk_status_str((knhk_status)-1), "unknown status", "status_str(-1)");
}

void test_admit_op_names_round_trip(void) {
  CHECK_EQ_U64(KNHK_OP_END - 1, 19, "case=%s op count (DESIGN §4 lists 19 ops)", "all-ops");
  for (uint32_t op = 1; op < KNHK_OP_END; op++) {
    const char *name = knhk_op_name(op);
    uint32_t back = 0;
    CHECK(name != NULL, "op=%u has no name", op);
    if (name == NULL) continue;
    CHECK_EQ_U64(knhk_op_parse(name, &back), KNHK_OK, "op=%s parse", name);
    CHECK_EQ_U64(back, op, "op=%s round trip", name);
  }
  CHECK_EQ_STR(knhk_op_name(KNHK_OP_ASK_SP), "ASK_SP", "op_name(ASK_SP)");
  CHECK_EQ_STR(knhk_op_name(KNHK_OP_CONSTRUCT8), "CONSTRUCT8", "op_name(CONSTRUCT8)");
  CHECK(knhk_op_name(0) == NULL && knhk_op_name(KNHK_OP_END) == NULL, "op_name of a non-op is NULL");
  uint32_t op = 0;
  CHECK_EQ_U64(knhk_op_parse("ask_sp", &op), KNHK_E_UNKNOWN_OP, "case=%s", "lower-case name");
  CHECK_EQ_U64(knhk_op_parse("ASK_SP ", &op), KNHK_E_UNKNOWN_OP, "case=%s", "trailing space");
  CHECK_EQ_U64(knhk_op_parse(NULL, &op), KNHK_E_NULL, "case=%s", "null name");
}
