/* test_ask_sp.c: ASK_SP through every entry point (public API, eval, the portable variant, the
 * inline kernel) against a spec written here, on named edge cases and seeded generated data. */
#include <stdio.h>
#include <string.h>

#include "knhk.h"
#include "knhk_impl.h"
#include "test_main.h"

/* The spec, written from DESIGN §4 and independent of the kernels. */
static uint32_t spec_ask_sp(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s) {
  if (p != run.pred) return 0;
  for (uint32_t i = 0; i < run.len; i++)
    if (soa->S[run.off + i] == s) return 1;
  return 0;
}

static uint32_t via_api(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s) {
  return knhk_ask_sp(soa, run, p, s);
}
static uint32_t via_eval_hook(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s) {
  knhk_hook_t hook = {KNHK_OP_ASK_SP, p, s, 0, 0};
  return knhk_eval_hook(soa, run, &hook);
}
static uint32_t via_eval(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s) {
  knhk_hook_t hook = {KNHK_OP_ASK_SP, p, s, 0, 0};
  uint32_t result = 99; /* neither 0 nor 1: a refusal that left it unset shows */
  knhk_status st = knhk_eval(soa, run, &hook, &result);
  return st == KNHK_OK ? result : 100 + (uint32_t)st;
}
static uint32_t via_portable(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s) {
  return knhk_ask_sp_portable(soa, run, p, s);
}
static uint32_t via_inline(const knhk_soa_t *soa, knhk_run_t run, uint64_t p, uint64_t s) {
  return ask_sp_portable_inline(soa->S, run, p, s);
}

/* Every way of calling ASK_SP; each must agree with the spec. New variants join this list. */
static const struct {
  const char *name;
  uint32_t (*fn)(const knhk_soa_t *, knhk_run_t, uint64_t, uint64_t);
} ENTRY_POINTS[] = {
    {"api", via_api},
    {"eval_hook", via_eval_hook},
    {"eval", via_eval},
    {"portable", via_portable},
    {"inline", via_inline},
};
#define ENTRY_POINT_COUNT (sizeof ENTRY_POINTS / sizeof ENTRY_POINTS[0])

/* A 16-triple store: S = 0x100 + i, P = pred, O = 0x200 + i, unless a case overrides values. */
static knhk_soa_t make_soa(uint64_t pred) {
  knhk_soa_t soa;
  if (knhk_soa_alloc(&soa, 16) != KNHK_OK) {
    test_fail(__FILE__, __LINE__, "knhk_soa_alloc failed");
    memset(&soa, 0, sizeof soa);
    return soa;
  }
  for (uint64_t i = 0; i < 16; i++) {
    soa.S[i] = 0x100 + i;
    soa.P[i] = pred;
    soa.O[i] = 0x200 + i;
  }
  return soa;
}

/* Checks every entry point on one case against the hand-written expectation and the spec. */
static void check_case(const char *case_name, const knhk_soa_t *soa, knhk_run_t run, uint64_t p,
                       uint64_t s, uint32_t want) {
  CHECK_EQ_U64(spec_ask_sp(soa, run, p, s), want, "variant=spec op=ASK_SP case=%s", case_name);
  for (size_t e = 0; e < ENTRY_POINT_COUNT; e++)
    CHECK_EQ_U64(ENTRY_POINTS[e].fn(soa, run, p, s), want, "variant=portable entry=%s op=ASK_SP case=%s",
                 ENTRY_POINTS[e].name, case_name);
}

void test_ask_sp_len0_never_matches(void) {
  knhk_soa_t soa = make_soa(7);
  if (!soa.S) return;
  /* S[0] == 0x100 is there, but a run of 0 lanes has no lane to match. */
  check_case("len0-value-at-off", &soa, (knhk_run_t){7, 0, 0}, 7, 0x100, 0);
  check_case("len0-zero-id", &soa, (knhk_run_t){7, 4, 0}, 7, 0, 0);
  knhk_soa_free(&soa);
}

void test_ask_sp_len8_matches_every_lane(void) {
  knhk_soa_t soa = make_soa(7);
  if (!soa.S) return;
  char name[32];
  for (uint32_t lane = 0; lane < 8; lane++) {
    snprintf(name, sizeof name, "len8-lane%u", lane);
    check_case(name, &soa, (knhk_run_t){7, 0, 8}, 7, 0x100 + lane, 1);
  }
  check_case("len8-miss", &soa, (knhk_run_t){7, 0, 8}, 7, 0x1ff, 0);
  knhk_soa_free(&soa);
}

void test_ask_sp_lanes_beyond_len_never_match(void) {
  knhk_soa_t soa = make_soa(7);
  if (!soa.S) return;
  /* Lanes 3..7 hold 0x103..0x107 and lanes past the run hold more: none may match a len-3 run. */
  char name[32];
  for (uint32_t lane = 3; lane < 16; lane++) {
    snprintf(name, sizeof name, "len3-value-in-lane%u", lane);
    check_case(name, &soa, (knhk_run_t){7, 0, 3}, 7, 0x100 + lane, 0);
  }
  check_case("len3-last-lane-hit", &soa, (knhk_run_t){7, 0, 3}, 7, 0x102, 1);
  /* The last full run of the store: the zeroed padding after it is never a lane, so s = 0 misses. */
  check_case("len8-at-end-s0", &soa, (knhk_run_t){7, 8, 8}, 7, 0, 0);
  knhk_soa_free(&soa);
}

void test_ask_sp_pred_mismatch_returns_0(void) {
  knhk_soa_t soa = make_soa(7);
  if (!soa.S) return;
  check_case("pred-mismatch-hit-value", &soa, (knhk_run_t){7, 0, 8}, 8, 0x100, 0);
  check_case("pred-mismatch-high-bit", &soa, (knhk_run_t){7, 0, 8}, 7 | (1ull << 63), 0x100, 0);
  check_case("pred-match-control", &soa, (knhk_run_t){7, 0, 8}, 7, 0x100, 1);
  knhk_soa_free(&soa);
}

void test_ask_sp_extreme_ids_compare_unsigned(void) {
  knhk_soa_t soa = make_soa(UINT64_MAX);
  if (!soa.S) return;
  soa.S[0] = 0;
  soa.S[1] = UINT64_MAX;
  soa.S[2] = 1ull << 63;
  soa.S[3] = (1ull << 63) + 1;
  knhk_run_t run = {UINT64_MAX, 0, 4};
  check_case("s=0", &soa, run, UINT64_MAX, 0, 1);
  check_case("s=UINT64_MAX", &soa, run, UINT64_MAX, UINT64_MAX, 1);
  check_case("s=2^63", &soa, run, UINT64_MAX, 1ull << 63, 1);
  check_case("s=2^63+1", &soa, run, UINT64_MAX, (1ull << 63) + 1, 1);
  /* Same low 63 bits as a stored id, other top bit: a signed or truncating compare would differ. */
  check_case("s=2^63-1", &soa, run, UINT64_MAX, (1ull << 63) - 1, 0);
  check_case("s=1", &soa, run, UINT64_MAX, 1, 0);
  check_case("pred=UINT64_MAX-1", &soa, run, UINT64_MAX - 1, 0, 0);
  knhk_soa_free(&soa);
}

void test_ask_sp_offset_selects_the_run(void) {
  knhk_soa_t soa = make_soa(7);
  if (!soa.S) return;
  knhk_run_t run = {7, 5, 4}; /* lanes read S[5..8] */
  check_case("off5-first-lane", &soa, run, 7, 0x105, 1);
  check_case("off5-last-lane", &soa, run, 7, 0x108, 1);
  check_case("off5-before-run", &soa, run, 7, 0x104, 0);
  check_case("off5-after-run", &soa, run, 7, 0x109, 0);
  knhk_soa_free(&soa);
}

/* xorshift64: seeded, reproducible. */
static uint64_t next_random(uint64_t *state) {
  uint64_t x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

void test_ask_sp_entry_points_match_spec_on_generated_data(void) {
  enum { TRIPLES = 64, CASES = 20000 };
  knhk_soa_t soa;
  if (knhk_soa_alloc(&soa, TRIPLES) != KNHK_OK) {
    test_fail(__FILE__, __LINE__, "knhk_soa_alloc failed");
    return;
  }
  /* Ids drawn from a small set (period 7, a prime) so runs repeat values and hits are common;
   * every 11th id is near the top of the range to exercise the high bit. */
  uint64_t state = 0x9e3779b97f4a7c15u;
  for (uint32_t i = 0; i < TRIPLES; i++) {
    soa.S[i] = i % 11 == 0 ? UINT64_MAX - (i % 7) : (uint64_t)(i % 7);
    soa.P[i] = 42;
    soa.O[i] = next_random(&state);
  }
  size_t hits = 0, mismatches = 0;
  for (uint32_t c = 0; c < CASES && mismatches < 10; c++) {
    uint64_t r = next_random(&state);
    uint32_t len = (uint32_t)(r % 9);
    uint32_t off = (uint32_t)((r >> 8) % (TRIPLES - len + 1));
    uint64_t p = (r >> 20) % 8 == 0 ? 41 : 42;
    uint64_t s = (r >> 24) % 13 == 0 ? UINT64_MAX - ((r >> 32) % 7) : (r >> 32) % 9;
    knhk_run_t run = {42, off, len};
    uint32_t want = spec_ask_sp(&soa, run, p, s);
    hits += want;
    for (size_t e = 0; e < ENTRY_POINT_COUNT; e++) {
      uint32_t got = ENTRY_POINTS[e].fn(&soa, run, p, s);
      if (got != want) {
        mismatches++;
        test_fail(__FILE__, __LINE__,
                  "variant=portable entry=%s op=ASK_SP case=generated-%u (off=%u len=%u p=%llu s=%llu) "
                  "expected=%u got=%u",
                  ENTRY_POINTS[e].name, c, off, len, (unsigned long long)p, (unsigned long long)s, want,
                  got);
      }
    }
  }
  /* The data must exercise both outcomes, or agreement proves little. */
  CHECK(hits > CASES / 10 && hits < CASES * 9 / 10, "generated data too one-sided: %zu hits of %d", hits,
        (int)CASES);
  knhk_soa_free(&soa);
}
