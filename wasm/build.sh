#!/usr/bin/env bash
# wasm/build.sh: builds the native C sources (libknhk's files without the x86 variants: the dispatch
# table then holds portable only, until wasm-simd128 joins it) and
# wasm/knhk_wasm.c into static/wasm/knhk.js + knhk.wasm with emscripten. Idempotent: does nothing
# when both outputs are newer than every input. EMCC=/path/to/emcc overrides the compiler.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="$ROOT/static/wasm"
OUT_JS="$OUT_DIR/knhk.js"
OUT_WASM="$OUT_DIR/knhk.wasm"

SOURCES=(
  "$ROOT/native/src/knhk.c"
  "$ROOT/native/src/knhk_dispatch.c"
  "$ROOT/native/src/knhk_portable.c"
  "$ROOT/native/src/knhk_clock.c"
  "$ROOT/wasm/knhk_wasm.c"
)
INPUTS=(
  "${SOURCES[@]}"
  "$ROOT/native/include/knhk.h"
  "$ROOT/native/src/knhk_impl.h"
  "$ROOT/native/src/knhk_variant.h"
  "$ROOT/native/src/knhk_clock.h"
  "$ROOT/wasm/build.sh"
)
EXPORTS=(
  _knhk_wasm_version _knhk_wasm_variant _knhk_wasm_op_end _knhk_wasm_op_name
  _knhk_wasm_status_str _knhk_wasm_alloc _knhk_wasm_eval _malloc _free
)

fail() { # code, message
  echo "knhk: wasm-build: $2" >&2
  exit "$1"
}

up_to_date() {
  [[ -f "$OUT_JS" && -f "$OUT_WASM" ]] || return 1
  local input
  for input in "${INPUTS[@]}"; do
    [[ -f "$input" ]] || fail 3 "missing source: expected $input, got no such file"
    [[ "$input" -nt "$OUT_JS" || "$input" -nt "$OUT_WASM" ]] && return 1
  done
  return 0
}

if up_to_date; then
  echo "wasm: up to date: ${OUT_JS#"$ROOT"/} ${OUT_WASM#"$ROOT"/}"
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
# Build into a temporary folder and move both files in at the end, so an interrupted or concurrent
# build never leaves a .js next to a .wasm from another build. The glue loads "knhk.wasm" by name.
TMP_DIR="$(mktemp -d "$OUT_DIR/.build.XXXXXX")"
trap 'rm -rf "$TMP_DIR"' EXIT

exports_csv="$(IFS=,; echo "${EXPORTS[*]}")"
"$EMCC" -O2 -std=c11 -Wall -Wextra -Werror -DNDEBUG -D_POSIX_C_SOURCE=200809L \
  -I"$ROOT/native/include" -I"$ROOT/native/src" \
  "${SOURCES[@]}" \
  -o "$TMP_DIR/knhk.js" \
  -sMODULARIZE -sEXPORT_ES6 -sENVIRONMENT=web -sEXPORT_NAME=createKnhk \
  -sALLOW_MEMORY_GROWTH -sFILESYSTEM=0 \
  -sEXPORTED_FUNCTIONS="$exports_csv"

mv -f "$TMP_DIR/knhk.wasm" "$OUT_WASM"
mv -f "$TMP_DIR/knhk.js" "$OUT_JS"
echo "wasm: built ${OUT_JS#"$ROOT"/} ${OUT_WASM#"$ROOT"/} ($(wc -c <"$OUT_WASM") bytes of wasm)"
