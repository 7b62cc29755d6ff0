// Typed loader for the KNHK WebAssembly builds (static/wasm/, made by wasm/build.sh): knhk-simd.wasm
// holds the wasm-simd128 and portable kernel variants, knhk.wasm portable only for engines without
// SIMD128 (they refuse the whole of knhk-simd.wasm). loadKnhk() picks one; useVariant() switches kernels.
// 64-bit ids are bigint and travel through the WASM heap as BigUint64Array, never as JS numbers:
// emscripten 3.1.6 is built without WASM_BIGINT, so no 64-bit value is passed as an argument.

/** Where the browser finds the portable build's glue by default (served from static/). Prefix
 *  SvelteKit's `base` (or use `asset()`); the SIMD build's glue sits beside it as SIMD_GLUE_FILE. */
export const DEFAULT_GLUE_URL = '/wasm/knhk.js';
/** File name of the SIMD build's glue, in the folder of the portable build's glue. */
export const SIMD_GLUE_FILE = 'knhk-simd.js';

/** The two modules: 'simd' is knhk-simd.{js,wasm}, 'portable' is knhk.{js,wasm}. */
export type WasmBuild = 'simd' | 'portable';

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 2 ** 32 - 1;
const MAX_LANES = 8;
const ALIGN = 64;
const ARG_COUNT = 5; // pred, p, s, o, k: the args block of knhk_wasm_eval
const RES_COUNT = 2 + MAX_LANES; // hash, mask, 8 emitted ids: the result block of knhk_wasm_eval

/** The smallest module that uses a SIMD128 instruction: `(func (result v128) i32.const 0
 *  i8x16.splat i8x16.popcnt)`. WebAssembly.validate() accepts it only where SIMD128 is supported
 *  (the probe of the wasm-feature-detect project). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

export interface Triple {
  s: bigint;
  p: bigint;
  o: bigint;
}

/** One predicate run: lanes 0..len-1 read triples[off + i]. */
export interface Run {
  pred: bigint;
  off: number;
  len: number;
}

/** A hook: `op` is an op name as in the triples format ("ASK_SP"). */
export interface Hook {
  op: string;
  p: bigint;
  s: bigint;
  o: bigint;
  k: bigint;
}

/** The outcome of a hook, as its receipt records it. */
export interface EvalValue {
  ok: true;
  /** The op's result: 0/1, or the count for SELECT_SP and CONSTRUCT8. */
  value: number;
  /** Bit i set: lane i passed the op's test (0 when the hook's p is not the run's predicate). */
  mask: number;
  /** The receipt's 64-bit hash of hook, run and outcome (the same for every variant). */
  hash: bigint;
  /** SELECT_SP: the objects of the matching lanes, in lane order; CONSTRUCT8: the subjects of the
   *  emitted triples; otherwise empty. `value` ids long. */
  emitted: readonly bigint[];
}

/** The result of a hook, or why it was refused (`status` is the C knhk_status, null when the
 *  input was refused before reaching C). */
export type EvalResult = EvalValue | { ok: false; status: number | null; message: string };

/** One hook on one run, as a triples file lists them. */
export interface RunHook {
  run: Run;
  hook: Hook;
}

/** Outcome of Knhk.selftest(): every variant of the module against portable, in the module. */
export type SelftestResult =
  { ok: true; variantsCompared: number; casesPerOp: number } | { ok: false; message: string };

export interface LoadOptions {
  /** Which module to load: 'auto' (the default) loads 'simd' where this engine has SIMD128
   *  (hasSimd128()), else 'portable'. Asking for 'simd' where SIMD128 is missing throws. */
  build?: WasmBuild | 'auto';
  /** URL of the portable build's ES-module glue (knhk.js); default DEFAULT_GLUE_URL. In Node, a
   *  file: URL. */
  glueUrl?: string;
  /** URL of the SIMD build's glue; default SIMD_GLUE_FILE in the folder of glueUrl. */
  simdGlueUrl?: string;
  /** The .wasm bytes of the module loaded (so name `build` with it); needed in Node, where the glue
   *  cannot fetch file: URLs; optional in the browser. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** The kernel variant to start with; default the module's choice (wasm-simd128 when present).
   *  Loading throws when the module lacks it. */
  variant?: string;
}

export interface Knhk {
  /** The library version ("0.1.0"). */
  version(): string;
  /** The module loaded. */
  readonly build: WasmBuild;
  /** The kernel variant evalHook() and evalHooks() use ("wasm-simd128" or "portable"). */
  variant(): string;
  /** Every kernel variant the module holds, best first (["wasm-simd128", "portable"] or ["portable"]). */
  readonly variants: readonly string[];
  /** Makes later evaluations use the variant `name`; on refusal (not in `variants`) nothing changes. */
  useVariant(name: string): { ok: true } | { ok: false; message: string };
  /** Every op name the library declares, in op-number order. */
  readonly opNames: readonly string[];
  /** Admits and evaluates one hook on one run over the given triples. Never throws on bad input. */
  evalHook(triples: readonly Triple[], run: Run, hook: Hook): EvalResult;
  /** evalHook() for many hooks over the same triples, which are copied into the module once.
   *  Returns one result per item, in order. Never throws on bad input. */
  evalHooks(triples: readonly Triple[], items: readonly RunHook[]): EvalResult[];
  /** ASK_SP: whether some lane of `run` has subject `s`, given `p` is the run's predicate.
   *  @throws RangeError when the input is refused (run too long, out of range, ids not u64). */
  askSp(triples: readonly Triple[], run: Run, s: bigint, p: bigint): 0 | 1;
  /** `knhk selftest` in the module: each variant against portable on `casesPerOp` seeded cases per
   *  op (default 100,000; the native CLI's seed), through every entry point. Takes about a second. */
  selftest(casesPerOp?: number): SelftestResult;
}

/** The part of the emscripten module this loader uses. */
interface KnhkModule {
  HEAPU8: Uint8Array;
  _free(ptr: number): void;
  _knhk_wasm_version(): number;
  _knhk_wasm_variant(): number;
  _knhk_wasm_variant_count(): number;
  _knhk_wasm_variant_name(index: number): number;
  _knhk_wasm_op_end(): number;
  _knhk_wasm_op_name(op: number): number;
  _knhk_wasm_status_str(status: number): number;
  _knhk_wasm_alloc(bytes: number): number;
  _knhk_wasm_eval(
    s: number,
    p: number,
    o: number,
    count: number,
    args: number,
    op: number,
    off: number,
    len: number,
    variant: number,
    res: number,
  ): number;
  _knhk_wasm_selftest(casesPerOp: number): number;
  _knhk_wasm_selftest_text(): number;
}

type KnhkFactory = (overrides: { wasmBinary?: ArrayBuffer | Uint8Array }) => Promise<KnhkModule>;

function isFactory(value: unknown): value is KnhkFactory {
  return typeof value === 'function';
}

const REQUIRED_EXPORTS = [
  '_free',
  '_knhk_wasm_version',
  '_knhk_wasm_variant',
  '_knhk_wasm_variant_count',
  '_knhk_wasm_variant_name',
  '_knhk_wasm_op_end',
  '_knhk_wasm_op_name',
  '_knhk_wasm_status_str',
  '_knhk_wasm_alloc',
  '_knhk_wasm_eval',
  '_knhk_wasm_selftest',
  '_knhk_wasm_selftest_text',
] as const;

function isKnhkModule(value: unknown): value is KnhkModule {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record.HEAPU8 instanceof Uint8Array &&
    REQUIRED_EXPORTS.every((name) => typeof record[name] === 'function')
  );
}

/** Whether this engine runs WebAssembly SIMD128 (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+). */
export function hasSimd128(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false; // no WebAssembly at all: then neither build loads, and loadKnhk says so
  }
}

function readCString(mod: KnhkModule, ptr: number): string {
  if (ptr === 0) return '';
  const heap = mod.HEAPU8;
  let end = ptr;
  while (end < heap.length && heap[end] !== 0) end++;
  return new TextDecoder().decode(heap.subarray(ptr, end));
}

function isU64(v: bigint): boolean {
  return v >= 0n && v <= U64_MAX;
}

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= U32_MAX;
}

/** Checks what C cannot see in a hook: values that would wrap when written as uint32 or uint64. */
function hookProblem(run: Run, hook: Hook): string | null {
  if (!isU32(run.off)) return `run off must be an integer 0..${U32_MAX}, got ${run.off}`;
  if (!isU32(run.len)) return `run len must be an integer 0..${MAX_LANES}, got ${run.len}`;
  if (!isU64(run.pred)) return `run pred must be an unsigned 64-bit id, got ${run.pred}`;
  for (const [name, v] of [
    ['p', hook.p],
    ['s', hook.s],
    ['o', hook.o],
    ['k', hook.k],
  ] as const) {
    if (!isU64(v)) return `hook ${name} must be an unsigned 64-bit value, got ${v}`;
  }
  return null;
}

function triplesProblem(triples: readonly Triple[]): string | null {
  const bad = triples.findIndex((t) => !isU64(t.s) || !isU64(t.p) || !isU64(t.o));
  return bad >= 0 ? `triple ${bad} has an id outside unsigned 64-bit` : null;
}

function createKnhk(mod: KnhkModule, build: WasmBuild): Knhk {
  const opEnd = mod._knhk_wasm_op_end();
  const opNames: string[] = [];
  const opByName = new Map<string, number>();
  for (let op = 1; op < opEnd; op++) {
    const name = readCString(mod, mod._knhk_wasm_op_name(op));
    opNames.push(name);
    opByName.set(name, op);
  }
  const variants: string[] = [];
  for (let i = 0; i < mod._knhk_wasm_variant_count(); i++) {
    variants.push(readCString(mod, mod._knhk_wasm_variant_name(i)));
  }
  let variantIndex = Math.max(0, variants.indexOf(readCString(mod, mod._knhk_wasm_variant())));

  function evalHooks(triples: readonly Triple[], items: readonly RunHook[]): EvalResult[] {
    const problem = triplesProblem(triples);
    if (problem !== null) return items.map(() => ({ ok: false, status: null, message: problem }));

    // Columns padded like knhk_soa_alloc(): count + 7 lanes rounded up to 8, each 64-byte aligned.
    const count = triples.length;
    const lanes = Math.ceil((count + 7) / MAX_LANES) * MAX_LANES;
    const columnBytes = lanes * 8; // a multiple of 64
    const argsBytes = Math.ceil((ARG_COUNT * 8) / ALIGN) * ALIGN;
    const resBytes = Math.ceil((RES_COUNT * 8) / ALIGN) * ALIGN;
    const base = mod._knhk_wasm_alloc(3 * columnBytes + argsBytes + resBytes);
    if (base === 0) {
      return items.map(() => ({ ok: false, status: null, message: 'out of memory in the WASM heap' }));
    }
    try {
      const sPtr = base;
      const pPtr = base + columnBytes;
      const oPtr = base + 2 * columnBytes;
      const argsPtr = base + 3 * columnBytes;
      const resPtr = argsPtr + argsBytes;
      // Views are made after the allocation (a memory growth replaces the buffer) and nothing
      // below allocates in the module.
      const buffer = mod.HEAPU8.buffer;
      const s = new BigUint64Array(buffer, sPtr, lanes);
      const p = new BigUint64Array(buffer, pPtr, lanes);
      const o = new BigUint64Array(buffer, oPtr, lanes);
      const args = new BigUint64Array(buffer, argsPtr, ARG_COUNT);
      const res = new BigUint64Array(buffer, resPtr, RES_COUNT);
      s.fill(0n);
      p.fill(0n);
      o.fill(0n);
      triples.forEach((t, i) => {
        s[i] = t.s;
        p[i] = t.p;
        o[i] = t.o;
      });
      return items.map(({ run, hook }): EvalResult => {
        const op = opByName.get(hook.op);
        if (op === undefined) {
          return {
            ok: false,
            status: null,
            message: `unknown op: expected one of ${opNames.join(', ')}, got '${hook.op}'`,
          };
        }
        const bad = hookProblem(run, hook);
        if (bad !== null) return { ok: false, status: null, message: bad };
        args.set([run.pred, hook.p, hook.s, hook.o, hook.k]);
        const rc = mod._knhk_wasm_eval(
          sPtr,
          pPtr,
          oPtr,
          count,
          argsPtr,
          op,
          run.off,
          run.len,
          variantIndex,
          resPtr,
        );
        if (rc < 0) {
          return { ok: false, status: -rc, message: readCString(mod, mod._knhk_wasm_status_str(-rc)) };
        }
        const emits = hook.op === 'SELECT_SP' || hook.op === 'CONSTRUCT8';
        return {
          ok: true,
          value: rc,
          mask: Number(res[1] ?? 0n),
          hash: res[0] ?? 0n,
          emitted: emits ? Array.from(res.subarray(2, 2 + rc)) : [],
        };
      });
    } finally {
      mod._free(base);
    }
  }

  function evalHook(triples: readonly Triple[], run: Run, hook: Hook): EvalResult {
    const [result] = evalHooks(triples, [{ run, hook }]);
    return result ?? { ok: false, status: null, message: 'no result' };
  }

  return {
    version: () => readCString(mod, mod._knhk_wasm_version()),
    build,
    variant: () => variants[variantIndex] ?? '',
    variants,
    useVariant(name) {
      const index = variants.indexOf(name);
      if (index < 0) {
        return {
          ok: false,
          message: `unknown variant for the ${build} build: expected one of ${variants.join(', ')}, got '${name}'`,
        };
      }
      variantIndex = index;
      return { ok: true };
    },
    opNames,
    evalHook,
    evalHooks,
    askSp(triples, run, s, p) {
      const result = evalHook(triples, run, { op: 'ASK_SP', p, s, o: 0n, k: 0n });
      if (!result.ok) throw new RangeError(`knhk askSp: ${result.message}`);
      return result.value === 0 ? 0 : 1;
    },
    selftest(casesPerOp = 100_000) {
      if (!Number.isInteger(casesPerOp) || casesPerOp < 8 || casesPerOp > 100_000_000) {
        return { ok: false, message: `casesPerOp must be an integer 8..100000000, got ${casesPerOp}` };
      }
      const rc = mod._knhk_wasm_selftest(casesPerOp);
      if (rc >= 0) return { ok: true, variantsCompared: rc, casesPerOp: Math.ceil(casesPerOp / 8) * 8 };
      const message =
        rc === -1
          ? readCString(mod, mod._knhk_wasm_selftest_text())
          : readCString(mod, mod._knhk_wasm_status_str(-rc));
      return { ok: false, message };
    },
  };
}

/** The glue URL of `build`, from the options. */
export function glueUrlFor(
  build: WasmBuild,
  options: Pick<LoadOptions, 'glueUrl' | 'simdGlueUrl'> = {},
): string {
  const portable = options.glueUrl ?? DEFAULT_GLUE_URL;
  if (build === 'portable') return portable;
  return options.simdGlueUrl ?? portable.replace(/[^/]*$/, SIMD_GLUE_FILE);
}

/** Loads a WASM build. Browser: `await loadKnhk({ glueUrl: asset('/wasm/knhk.js') })` picks the SIMD
 *  build where the engine has SIMD128. Node: `await loadKnhk({ build: 'simd', glueUrl:
 *  pathToFileURL('static/wasm/knhk.js').href, wasmBinary: readFileSync('static/wasm/knhk-simd.wasm') })`.
 *  @throws Error when the glue cannot be imported or is not the KNHK build, when 'simd' is asked for
 *  on an engine without SIMD128, or when options.variant is not in the module. */
export async function loadKnhk(options: LoadOptions = {}): Promise<Knhk> {
  const requested = options.build ?? 'auto';
  const simd = hasSimd128();
  if (requested === 'simd' && !simd) {
    throw new Error(
      "knhk: this engine's WebAssembly lacks SIMD128: expected build 'portable' or 'auto', got 'simd'",
    );
  }
  const build: WasmBuild = requested === 'auto' ? (simd ? 'simd' : 'portable') : requested;
  const url = glueUrlFor(build, options);
  const glue: unknown = await import(/* @vite-ignore */ url);
  const factory =
    typeof glue === 'object' && glue !== null ? (glue as { default?: unknown }).default : undefined;
  if (!isFactory(factory))
    throw new Error(`knhk: ${url} is not the KNHK WASM glue (no default export factory)`);
  const mod: unknown = await factory(options.wasmBinary ? { wasmBinary: options.wasmBinary } : {});
  if (!isKnhkModule(mod)) throw new Error(`knhk: ${url} loaded, but lacks the KNHK exports`);
  const knhk = createKnhk(mod, build);
  if (options.variant !== undefined) {
    const chosen = knhk.useVariant(options.variant);
    if (!chosen.ok) throw new Error(`knhk: ${chosen.message}`);
  }
  return knhk;
}
