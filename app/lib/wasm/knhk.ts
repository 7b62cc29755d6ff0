// Typed loader for the KNHK WebAssembly build (static/wasm/knhk.{js,wasm}, made by wasm/build.sh).
// 64-bit ids are bigint and travel through the WASM heap as BigUint64Array, never as JS numbers:
// emscripten 3.1.6 is built without WASM_BIGINT, so no 64-bit value is passed as an argument.

/** Where the browser finds the glue by default (served from static/). Prefix SvelteKit's `base`. */
export const DEFAULT_GLUE_URL = '/wasm/knhk.js';

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 2 ** 32 - 1;
const MAX_LANES = 8;
const ALIGN = 64;
const ARG_COUNT = 5; // pred, p, s, o, k: the args block of knhk_wasm_eval

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

/** The result of a hook, or why it was refused (`status` is the C knhk_status, null when the
 *  input was refused before reaching C). */
export type EvalResult = { ok: true; value: number } | { ok: false; status: number | null; message: string };

export interface LoadOptions {
  /** URL of the ES-module glue; default DEFAULT_GLUE_URL. In Node, a file: URL. */
  glueUrl?: string;
  /** The .wasm bytes; needed in Node (no fetch of file: URLs), optional in the browser. */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export interface Knhk {
  /** The library version ("0.1.0"). */
  version(): string;
  /** The kernel variant compiled in ("portable"). */
  variant(): string;
  /** Every op name the library declares, in op-number order. */
  readonly opNames: readonly string[];
  /** Admits and evaluates one hook on one run over the given triples. Never throws on bad input. */
  evalHook(triples: readonly Triple[], run: Run, hook: Hook): EvalResult;
  /** ASK_SP: whether some lane of `run` has subject `s`, given `p` is the run's predicate.
   *  @throws RangeError when the input is refused (run too long, out of range, ids not u64). */
  askSp(triples: readonly Triple[], run: Run, s: bigint, p: bigint): 0 | 1;
}

/** The part of the emscripten module this loader uses. */
interface KnhkModule {
  HEAPU8: Uint8Array;
  _free(ptr: number): void;
  _knhk_wasm_version(): number;
  _knhk_wasm_variant(): number;
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
  ): number;
}

type KnhkFactory = (overrides: { wasmBinary?: ArrayBuffer | Uint8Array }) => Promise<KnhkModule>;

function isFactory(value: unknown): value is KnhkFactory {
  return typeof value === 'function';
}

const REQUIRED_EXPORTS = [
  '_free',
  '_knhk_wasm_version',
  '_knhk_wasm_variant',
  '_knhk_wasm_op_end',
  '_knhk_wasm_op_name',
  '_knhk_wasm_status_str',
  '_knhk_wasm_alloc',
  '_knhk_wasm_eval',
] as const;

function isKnhkModule(value: unknown): value is KnhkModule {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record.HEAPU8 instanceof Uint8Array &&
    REQUIRED_EXPORTS.every((name) => typeof record[name] === 'function')
  );
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

/** Checks what C cannot see: values that would wrap when written as uint32 or uint64. */
function inputProblem(triples: readonly Triple[], run: Run, hook: Hook): string | null {
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
  const bad = triples.findIndex((t) => !isU64(t.s) || !isU64(t.p) || !isU64(t.o));
  if (bad >= 0) return `triple ${bad} has an id outside unsigned 64-bit`;
  return null;
}

function createKnhk(mod: KnhkModule): Knhk {
  const opEnd = mod._knhk_wasm_op_end();
  const opNames: string[] = [];
  const opByName = new Map<string, number>();
  for (let op = 1; op < opEnd; op++) {
    const name = readCString(mod, mod._knhk_wasm_op_name(op));
    opNames.push(name);
    opByName.set(name, op);
  }

  function evalHook(triples: readonly Triple[], run: Run, hook: Hook): EvalResult {
    const op = opByName.get(hook.op);
    if (op === undefined) {
      return {
        ok: false,
        status: null,
        message: `unknown op: expected one of ${opNames.join(', ')}, got '${hook.op}'`,
      };
    }
    const problem = inputProblem(triples, run, hook);
    if (problem !== null) return { ok: false, status: null, message: problem };

    // Columns padded like knhk_soa_alloc(): count + 7 lanes rounded up to 8, each 64-byte aligned.
    const count = triples.length;
    const lanes = Math.ceil((count + 7) / MAX_LANES) * MAX_LANES;
    const columnBytes = lanes * 8; // a multiple of 64
    const argsBytes = Math.ceil((ARG_COUNT * 8) / ALIGN) * ALIGN;
    const base = mod._knhk_wasm_alloc(3 * columnBytes + argsBytes);
    if (base === 0) return { ok: false, status: null, message: 'out of memory in the WASM heap' };
    try {
      const sPtr = base;
      const pPtr = base + columnBytes;
      const oPtr = base + 2 * columnBytes;
      const argsPtr = base + 3 * columnBytes;
      // Views are made after the allocation: a memory growth replaces the buffer.
      const buffer = mod.HEAPU8.buffer;
      const s = new BigUint64Array(buffer, sPtr, lanes);
      const p = new BigUint64Array(buffer, pPtr, lanes);
      const o = new BigUint64Array(buffer, oPtr, lanes);
      s.fill(0n);
      p.fill(0n);
      o.fill(0n);
      triples.forEach((t, i) => {
        s[i] = t.s;
        p[i] = t.p;
        o[i] = t.o;
      });
      new BigUint64Array(buffer, argsPtr, ARG_COUNT).set([run.pred, hook.p, hook.s, hook.o, hook.k]);
      const rc = mod._knhk_wasm_eval(sPtr, pPtr, oPtr, count, argsPtr, op, run.off, run.len);
      if (rc >= 0) return { ok: true, value: rc };
      return { ok: false, status: -rc, message: readCString(mod, mod._knhk_wasm_status_str(-rc)) };
    } finally {
      mod._free(base);
    }
  }

  return {
    version: () => readCString(mod, mod._knhk_wasm_version()),
    variant: () => readCString(mod, mod._knhk_wasm_variant()),
    opNames,
    evalHook,
    askSp(triples, run, s, p) {
      const result = evalHook(triples, run, { op: 'ASK_SP', p, s, o: 0n, k: 0n });
      if (!result.ok) throw new RangeError(`knhk askSp: ${result.message}`);
      return result.value === 0 ? 0 : 1;
    },
  };
}

/** Loads the WASM build. Browser: `await loadKnhk()` (or pass `glueUrl` with the site's base path).
 *  Node: `await loadKnhk({ glueUrl: pathToFileURL('static/wasm/knhk.js').href, wasmBinary })`.
 *  @throws Error when the glue cannot be imported or is not the KNHK build. */
export async function loadKnhk(options: LoadOptions = {}): Promise<Knhk> {
  const url = options.glueUrl ?? DEFAULT_GLUE_URL;
  const glue: unknown = await import(/* @vite-ignore */ url);
  const factory =
    typeof glue === 'object' && glue !== null ? (glue as { default?: unknown }).default : undefined;
  if (!isFactory(factory))
    throw new Error(`knhk: ${url} is not the KNHK WASM glue (no default export factory)`);
  const mod: unknown = await factory(options.wasmBinary ? { wasmBinary: options.wasmBinary } : {});
  if (!isKnhkModule(mod)) throw new Error(`knhk: ${url} loaded, but lacks the KNHK exports`);
  return createKnhk(mod);
}
