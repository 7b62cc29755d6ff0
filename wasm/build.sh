#!/usr/bin/env bash
# wasm/build.sh: builds libknhk's sources (without the x86 and arm64 variants) and wasm/knhk_wasm.c
# with emscripten into two modules in static/wasm/:
#   knhk-simd.{js,wasm}  variants wasm-simd128 (chosen at start-up) and portable, either one callable;
#                        native/src/knhk_wasm128.c is the only file built with -msimd128
#   knhk.{js,wasm}       portable only, no SIMD instruction: for engines without SIMD128, which refuse
#                        the whole of knhk-simd.wasm (app/lib/wasm/knhk.ts checks, then picks one)
# Idempotent: does nothing when every output is newer than every input. EMCC=/path/to/emcc overrides
# the compiler.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="$ROOT/static/wasm"
OUTPUTS=("$OUT_DIR/knhk.js" "$OUT_DIR/knhk.wasm" "$OUT_DIR/knhk-simd.js" "$OUT_DIR/knhk-simd.wasm")

SOURCES=(
  "$ROOT/native/src/knhk.c"
  "$ROOT/native/src/knhk_dispatch.c"
  "$ROOT/native/src/knhk_portable.c"
  "$ROOT/native/src/knhk_clock.c"
  "$ROOT/native/src/knhk_selftest.c"
  "$ROOT/wasm/knhk_wasm.c"
)
SIMD_SOURCE="$ROOT/native/src/knhk_wasm128.c"
INPUTS=(
  "${SOURCES[@]}"
  "$SIMD_SOURCE"
  "$ROOT/native/include/knhk.h"
  "$ROOT/native/src/knhk_impl.h"
  "$ROOT/native/src/knhk_variant.h"
  "$ROOT/native/src/knhk_scalar_lanes.h"
  "$ROOT/native/src/knhk_clock.h"
  "$ROOT/wasm/build.sh"
)
EXPORTS=(
  _knhk_wasm_version _knhk_wasm_variant _knhk_wasm_variant_count _knhk_wasm_variant_name
  _knhk_wasm_op_end _knhk_wasm_op_name _knhk_wasm_status_str _knhk_wasm_alloc _knhk_wasm_eval
  _knhk_wasm_selftest _knhk_wasm_selftest_text _malloc _free
)

fail() { # code, message
  echo "knhk: wasm-build: $2" >&2
  exit "$1"
}

up_to_date() {
  local input output
  for output in "${OUTPUTS[@]}"; do
    [[ -f "$output" ]] || return 1
  done
  for input in "${INPUTS[@]}"; do
    [[ -f "$input" ]] || fail 3 "missing source: expected $input, got no such file"
    for output in "${OUTPUTS[@]}"; do
      [[ "$input" -nt "$output" ]] && return 1
    done
  done
  return 0
}

if up_to_date; then
  echo "wasm: up to date: static/wasm/knhk.{js,wasm} static/wasm/knhk-simd.{js,wasm}"
  exit 0
fi

EMCC="${EMCC:-$(command -v emcc || true)}"
[[ -n "$EMCC" && -x "$EMCC" ]] ||
  fail 3 "emcc not found: expected emscripten's emcc on PATH or in \$EMCC, got '${EMCC}'"

# Debian's emcc runs its JS optimiser with the system node and needs Debian's acorn on NODE_PATH.
if [[ -z "${NODE_PATH:-}" ]]; then
  acorn_dir="$(dpkg -L node-acorn 2>/dev/null | grep -m1 '/acorn$' || true)"
  for candidate in "${acorn_dir%/acorn}" /usr/share/nodejs /usr/lib/nodejs /usr/lib/node_modules; do
    if [[ -n "$candidate" && -d "$candidate/acorn" ]]; then
      export NODE_PATH="$candidate"
      break
    fi
  done
fi

mkdir -p "$OUT_DIR"
# Build into a temporary folder and move the files in at the end, so an interrupted or concurrent
# build never leaves a .js next to a .wasm from another build. Each glue loads its .wasm by name.
TMP_DIR="$(mktemp -d "$OUT_DIR/.build.XXXXXX")"
trap 'rm -rf "$TMP_DIR"' EXIT

CFLAGS=(-O2 -std=c11 -Wall -Wextra -Werror -DNDEBUG -D_POSIX_C_SOURCE=200809L
  -I"$ROOT/native/include" -I"$ROOT/native/src")
exports_csv="$(IFS=,; echo "${EXPORTS[*]}")"
LINK_FLAGS=(-O2 -sMODULARIZE -sEXPORT_ES6 -sENVIRONMENT=web -sEXPORT_NAME=createKnhk
  -sALLOW_MEMORY_GROWTH -sFILESYSTEM=0 -sEXPORTED_FUNCTIONS="$exports_csv")

# knhk.wasm: portable only (KNHK_NO_WASM128 leaves wasm-simd128 out of the variant table).
"$EMCC" "${CFLAGS[@]}" -DKNHK_NO_WASM128 "${SOURCES[@]}" -o "$TMP_DIR/knhk.js" "${LINK_FLAGS[@]}"

# knhk-simd.wasm: every file compiled on its own, so -msimd128 reaches knhk_wasm128.c only. The link
# step needs -msimd128 too (binaryen then accepts the SIMD instructions); it compiles nothing.
objects=()
for src in "${SOURCES[@]}"; do
  obj="$TMP_DIR/$(basename "${src%.c}").o"
  "$EMCC" "${CFLAGS[@]}" -c "$src" -o "$obj"
  objects+=("$obj")
done
"$EMCC" "${CFLAGS[@]}" -msimd128 -c "$SIMD_SOURCE" -o "$TMP_DIR/knhk_wasm128.o"
"$EMCC" "${objects[@]}" "$TMP_DIR/knhk_wasm128.o" -msimd128 -o "$TMP_DIR/knhk-simd.js" "${LINK_FLAGS[@]}"

# knhk.wasm must load where SIMD128 is missing: binaryen's validator, with SIMD disabled, proves it
# holds no SIMD instruction (and that knhk-simd.wasm does, so the check can fail).
WASM_OPT="$(command -v wasm-opt || true)"
if [[ -n "$WASM_OPT" ]]; then
  "$WASM_OPT" --all-features --disable-simd "$TMP_DIR/knhk.wasm" -o /dev/null 2>"$TMP_DIR/opt.log" ||
    fail 1 "knhk.wasm must run without SIMD128: expected no SIMD instruction, got some ($(head -c 300 "$TMP_DIR/opt.log"))"
  if "$WASM_OPT" --all-features --disable-simd "$TMP_DIR/knhk-simd.wasm" -o /dev/null 2>/dev/null; then
    fail 1 "knhk-simd.wasm holds no SIMD instruction: expected wasm-simd128 kernels, got none"
  fi
else
  echo "wasm: note: no wasm-opt on PATH, so knhk.wasm was not checked for SIMD instructions"
fi

for name in knhk.wasm knhk.js knhk-simd.wasm knhk-simd.js; do
  mv -f "$TMP_DIR/$name" "$OUT_DIR/$name"
done
echo "wasm: built static/wasm/knhk.{js,wasm} ($(wc -c <"$OUT_DIR/knhk.wasm") bytes of wasm, portable)" \
  "and static/wasm/knhk-simd.{js,wasm} ($(wc -c <"$OUT_DIR/knhk-simd.wasm") bytes, wasm-simd128 + portable)"
