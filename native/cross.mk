# cross.mk (included by the Makefile): `make test-neon` builds libknhk, the C tests and the knhk CLI for
# arm64 into build/aarch64/ and runs them, so the NEON variant is tested on an x86-64 machine too.
#   On x86-64: aarch64-linux-gnu-gcc -O2 -static (static, so qemu-aarch64 needs no arm64 sysroot), run
#   under qemu-aarch64. On an arm64 machine: $(CC), run directly. UBSan only: ASan's shadow memory is
#   unreliable under qemu-user. Runs the TAP test binary (its CLI tests run the CLI under qemu as well),
#   then `knhk selftest` (neon against portable, 100,000 seeded cases per op) as chosen and forced.
#   Override: CROSS_CC=<arm64 gcc>, QEMU=<runner> (QEMU= runs the binaries directly).
# Debian x86-64: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user (npm run setup).

CROSS_BUILD := build/aarch64
CROSS_UBSAN := -fsanitize=undefined -fno-sanitize-recover=all
# gcc 12 at -O2 with -fsanitize=shift-exponent warns that the batch guard's `b->op[h] ... << h`
# (knhk_variant.h) may read op[8..31]: the shift check teaches it h < 32, not h < n <= 8, which
# admission guarantees. A false positive; -Wno-array-bounds keeps -Werror for everything else.
CROSS_WARN := -Wno-array-bounds

ifneq ($(filter aarch64-% arm64-%,$(ARCH)),)
  CROSS_CC ?= $(CC)
  QEMU ?=
else
  CROSS_CC ?= aarch64-linux-gnu-gcc
  QEMU ?= qemu-aarch64
endif
CROSS_STATIC := $(if $(QEMU),-static)

.PHONY: test-neon
test-neon:
	@command -v $(CROSS_CC) >/dev/null 2>&1 || { echo "knhk: test-neon: no arm64 compiler: expected $(CROSS_CC) on PATH (Debian: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross), got none" >&2; exit 2; }
	@test -z "$(QEMU)" || command -v $(QEMU) >/dev/null 2>&1 || { echo "knhk: test-neon: no arm64 emulator: expected $(QEMU) on PATH (Debian: apt-get install qemu-user), got none" >&2; exit 2; }
	@case "$$($(CROSS_CC) -dumpmachine)" in aarch64-*|arm64-*) ;; *) echo "knhk: test-neon: CROSS_CC does not target arm64: expected an aarch64 compiler, got $(CROSS_CC) ($$($(CROSS_CC) -dumpmachine))" >&2; exit 2;; esac
	$(MAKE) --no-print-directory CC=$(CROSS_CC) BUILD=$(CROSS_BUILD) \
	  SANITIZE='$(CROSS_UBSAN) -fno-omit-frame-pointer' TEST_RUNNER='$(QEMU)' \
	  CFLAGS='$(strip -O2 $(CROSS_STATIC) $(CROSS_UBSAN) $(CROSS_WARN) $(CFLAGS))' \
	  $(CROSS_BUILD)/test/knhk_tests $(CROSS_BUILD)/test/knhk $(CROSS_BUILD)/knhk
	@rc=0; \
	UBSAN_OPTIONS=print_stacktrace=1 $(QEMU) $(abspath $(CROSS_BUILD))/test/knhk_tests || rc=1; \
	echo "# knhk selftest (arm64$(if $(QEMU), under $(QEMU)), variant chosen at start-up)"; \
	$(QEMU) $(abspath $(CROSS_BUILD))/knhk selftest || rc=1; \
	echo "# KNHK_FORCE_VARIANT=neon knhk selftest"; \
	KNHK_FORCE_VARIANT=neon $(QEMU) $(abspath $(CROSS_BUILD))/knhk selftest || rc=1; \
	exit $$rc
