// The WASM builds give the native CLI's answers (`knhk eval`): on the shared vectors with their
// .expected.txt files, and on 10,000 seeded random hooks per op, through every WASM way of evaluating:
// knhk-simd.wasm's wasm-simd128 and portable variants, and knhk.wasm (portable only, for engines
// without SIMD128), all loaded through app/lib/wasm/knhk.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  glueUrlFor,
  hasSimd128,
  loadKnhk,
  type EvalResult,
  type Knhk,
  type RunHook,
  type Triple,
} from '../../../app/lib/wasm/knhk';
import { formatEvalLine, parseTriplesFile as parseVector } from '../../../app/lib/wasm/triples';
import {
  ensureNativeBuilt,
  ensureWasmBuilt,
  KNHK_BIN,
  VECTOR_DIR,
  WASM_BINARY,
  WASM_GLUE,
  WASM_SIMD_BINARY,
} from './native-build';
import { formatTriplesFile, makeRandomGraphs } from './random-hooks';

const VECTORS = readdirSync(VECTOR_DIR)
  .filter((name) => /^ask-sp-.+\.triples$/.test(name))
  .sort();
const RANDOM_SEED = 0x6b6e686b; // fixed: a failure names its graph and hook, and reproduces
const RANDOM_GRAPHS = 8;
const HOOKS_PER_OP_PER_GRAPH = 1250; // 8 x 1,250 = 10,000 hooks per op

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

let simd: Knhk;
let portableOnly: Knhk;
let dir: string;

/** Every WASM way of evaluating a hook: [label, module, variant]. */
function engines(): [string, Knhk, string][] {
  return [
    ['knhk-simd.wasm wasm-simd128', simd, 'wasm-simd128'],
    ['knhk-simd.wasm portable', simd, 'portable'],
    ['knhk.wasm portable', portableOnly, 'portable'],
  ];
}

function evalWith(knhk: Knhk, variant: string, triples: readonly Triple[], items: readonly RunHook[]): EvalResult[] {
  expect(knhk.useVariant(variant)).toEqual({ ok: true });
  return knhk.evalHooks(triples, items);
}

/** Everything a receipt says, so variants must agree on the hash and mask too, not just the result. */
function receiptText(result: EvalResult): string {
  return result.ok
    ? `${result.value} mask=0x${result.mask.toString(16)} hash=0x${result.hash.toString(16)} emitted=${result.emitted.join(',')}`
    : `refused ${result.status ?? 'before C'}: ${result.message}`;
}

/** The first index where a and b differ, with both values, or null when they are equal. */
function firstDifference(a: readonly string[], b: readonly string[]): { index: number; a?: string; b?: string } | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return { index: i, a: a[i], b: b[i] };
  return null;
}

beforeAll(async () => {
  ensureNativeBuilt();
  ensureWasmBuilt();
  const glueUrl = pathToFileURL(WASM_GLUE).href;
  simd = await loadKnhk({ build: 'simd', glueUrl, wasmBinary: readFileSync(WASM_SIMD_BINARY) });
  portableOnly = await loadKnhk({ build: 'portable', glueUrl, wasmBinary: readFileSync(WASM_BINARY) });
  dir = mkdtempSync(join(tmpdir(), 'knhk-wasm-'));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the WASM builds', () => {
  it('hold the variants they are built with, the SIMD one chosen first', () => {
    expect(hasSimd128()).toBe(true); // Node 20's V8 has SIMD128
    expect([simd.build, simd.variants, simd.variant()]).toEqual(['simd', ['wasm-simd128', 'portable'], 'wasm-simd128']);
    expect([portableOnly.build, portableOnly.variants, portableOnly.variant()]).toEqual([
      'portable',
      ['portable'],
      'portable',
    ]);
  });

  it('refuse an unknown variant and keep the one in use', () => {
    expect(simd.useVariant('wasm-simd128')).toEqual({ ok: true });
    expect(portableOnly.useVariant('wasm-simd128')).toEqual({
      ok: false,
      message: "unknown variant for the portable build: expected one of portable, got 'wasm-simd128'",
    });
    expect(simd.useVariant('avx2').ok).toBe(false);
    expect(simd.variant()).toBe('wasm-simd128');
  });

  it('start with the variant loadKnhk is given, and refuse one the module lacks', async () => {
    const glueUrl = pathToFileURL(WASM_GLUE).href;
    const wasmBinary = readFileSync(WASM_SIMD_BINARY);
    const forced = await loadKnhk({ build: 'simd', glueUrl, wasmBinary, variant: 'portable' });
    expect(forced.variant()).toBe('portable');
    await expect(loadKnhk({ build: 'simd', glueUrl, wasmBinary, variant: 'neon' })).rejects.toThrow(
      /expected one of wasm-simd128, portable, got 'neon'/,
    );
  });

  it('loads the portable build where the engine lacks SIMD128, and refuses the SIMD one there', async () => {
    const glueUrl = pathToFileURL(WASM_GLUE).href;
    const spy = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false); // an engine without SIMD128
    try {
      expect(hasSimd128()).toBe(false);
      const auto = await loadKnhk({ glueUrl, wasmBinary: readFileSync(WASM_BINARY) });
      expect([auto.build, auto.variants, auto.variant()]).toEqual(['portable', ['portable'], 'portable']);
      await expect(
        loadKnhk({ build: 'simd', glueUrl, wasmBinary: readFileSync(WASM_SIMD_BINARY) }),
      ).rejects.toThrow("knhk: this engine's WebAssembly lacks SIMD128: expected build 'portable' or 'auto', got 'simd'");
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ['the default folder', 'simd', {}, '/wasm/knhk-simd.js'],
    ['the default folder', 'portable', {}, '/wasm/knhk.js'],
    ['the folder of glueUrl', 'simd', { glueUrl: '/base/wasm/knhk.js' }, '/base/wasm/knhk-simd.js'],
    ['an explicit simdGlueUrl', 'simd', { glueUrl: '/a/knhk.js', simdGlueUrl: '/b/s.js' }, '/b/s.js'],
  ] as const)('finds the glue in %s (%s build)', (_name, build, options, want) => {
    expect(glueUrlFor(build, options)).toBe(want);
  });

  it('pass the in-module selftest: wasm-simd128 against portable on 100,000 seeded cases per op', () => {
    expect(simd.selftest()).toEqual({ ok: true, variantsCompared: 1, casesPerOp: 100_000 });
    expect(portableOnly.selftest(1000)).toEqual({ ok: true, variantsCompared: 0, casesPerOp: 1000 });
    expect(simd.selftest(3)).toEqual({ ok: false, message: 'casesPerOp must be an integer 8..100000000, got 3' });
  });
});

describe('knhk eval on the shared vectors', () => {
  it('finds the ASK_SP vectors to compare', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(3);
  });

  it.each(VECTORS)('gives the same lines from native, every WASM variant and the expected file for %s', (name) => {
    const path = join(VECTOR_DIR, name);
    const expected = lines(readFileSync(path.replace(/\.triples$/, '.expected.txt'), 'utf8'));
    const native = lines(execFileSync(KNHK_BIN, ['eval', path], { encoding: 'utf8' }));
    const vector = parseVector(readFileSync(path, 'utf8'));
    expect(expected.length).toBeGreaterThan(0);
    expect(native).toEqual(expected);
    for (const [label, knhk, variant] of engines()) {
      const wasm = evalWith(knhk, variant, vector.triples, vector.hooks).map((r, i) =>
        formatEvalLine(vector.hooks[i]?.hook.op ?? '?', r),
      );
      expect({ label, lines: wasm }).toEqual({ label, lines: expected });
    }
  });
});

describe('seeded random hooks', () => {
  it('give the same receipts from every WASM variant and the same lines as knhk eval, 10,000 per op', () => {
    const graphs = makeRandomGraphs(RANDOM_SEED, RANDOM_GRAPHS, HOOKS_PER_OP_PER_GRAPH, simd.opNames);
    const perOp = new Map<string, number>();
    graphs.forEach((graph, g) => {
      const file = join(dir, `random-${g}.triples`);
      writeFileSync(file, formatTriplesFile(graph));
      // The native CLI with the variant it chooses on this CPU, and forced to the reference.
      const native = lines(execFileSync(KNHK_BIN, ['eval', file], { encoding: 'utf8', maxBuffer: 64 << 20 }));
      const nativePortable = lines(
        execFileSync(KNHK_BIN, ['eval', file], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
          env: { ...process.env, KNHK_FORCE_VARIANT: 'portable' },
        }),
      );
      const where = (i: number) => ({ graph: g, seed: RANDOM_SEED, hook: graph.items[i] });
      const nativeDiff = firstDifference(native, nativePortable);
      expect(nativeDiff && { ...nativeDiff, ...where(nativeDiff.index) }).toBeNull();
      expect(native).toHaveLength(graph.items.length);

      let reference: string[] | null = null;
      for (const [label, knhk, variant] of engines()) {
        const results = evalWith(knhk, variant, graph.triples, graph.items);
        const receipts = results.map(receiptText);
        reference ??= receipts;
        const receiptDiff = firstDifference(receipts, reference);
        expect(receiptDiff && { label, ...receiptDiff, ...where(receiptDiff.index) }).toBeNull();
        const wasmLines = results.map((r, i) => formatEvalLine(graph.items[i]?.hook.op ?? '?', r));
        const lineDiff = firstDifference(wasmLines, native);
        expect(lineDiff && { label, ...lineDiff, ...where(lineDiff.index) }).toBeNull();
      }
      for (const { hook } of graph.items) perOp.set(hook.op, (perOp.get(hook.op) ?? 0) + 1);
    });
    expect([...perOp.keys()]).toEqual(simd.opNames);
    for (const [op, count] of perOp) expect({ op, count }).toEqual({ op, count: 10_000 });
    simd.useVariant('wasm-simd128');
  });
});

describe('loadKnhk', () => {
  const triples: Triple[] = [
    { s: 1n, p: 7n, o: 10n },
    { s: (1n << 64n) - 1n, p: 7n, o: 11n },
  ];

  it('reports the same version as the native CLI, each with the variant it uses', () => {
    // The native CLI picks the best variant of its CPU (avx512, ...); the WASM module has its own.
    const native = execFileSync(KNHK_BIN, ['version'], { encoding: 'utf8' }).trim();
    expect(native).toMatch(
      new RegExp(`^knhk ${simd.version().replaceAll('.', '\\.')} \\(variant: (portable|sse2|avx2|avx512|neon)\\)$`),
    );
    expect(portableOnly.version()).toBe(simd.version());
    expect(simd.variant()).toBe('wasm-simd128');
    expect(simd.opNames).toHaveLength(19);
  });

  it('gives the native results for every op on the same triples, from every variant', () => {
    const lanes: Triple[] = [
      { s: 5n, p: 7n, o: 50n },
      { s: 0n, p: 7n, o: 51n },
      { s: 5n, p: 7n, o: (1n << 64n) - 1n },
    ];
    const run = { pred: 7n, off: 0, len: 3 };
    const hook = { p: 7n, s: 5n, o: 51n, k: 2n };
    const items = simd.opNames.map((op) => ({ run, hook: { ...hook, op } }));
    const want = [
      'ASK_SP 1',
      'ASK_SPO 0',
      'ASK_OP 1',
      'COUNT_SP_GE 1',
      'COUNT_SP_LE 1',
      'COUNT_SP_EQ 1',
      'COUNT_OP_GE 0',
      'COUNT_OP_LE 1',
      'COUNT_OP_EQ 0',
      'UNIQUE_SP 0',
      'COMPARE_O_EQ 1',
      'COMPARE_O_GT 1',
      'COMPARE_O_LT 1',
      'COMPARE_O_GE 1',
      'COMPARE_O_LE 1',
      'VALIDATE_DATATYPE_SP 0',
      'VALIDATE_DATATYPE_SPO 0',
      'SELECT_SP 2 50 18446744073709551615',
      'CONSTRUCT8 2 0x05',
    ];
    for (const [label, knhk, variant] of engines()) {
      const wasm = evalWith(knhk, variant, lanes, items).map((r, i) => formatEvalLine(items[i]?.hook.op ?? '?', r));
      expect({ label, wasm }).toEqual({ label, wasm: want });
    }
    simd.useVariant('wasm-simd128');
    // The native CLI on the same triples and hooks.
    const file = join(dir, 'ops.triples');
    const text = [
      ...lanes.map((t) => `triple ${t.s} ${t.p} ${t.o}`),
      'run 7 0 3',
      ...simd.opNames.map((op) => `hook ${op} 7 5 51 2`),
    ].join('\n');
    writeFileSync(file, `${text}\n`);
    expect(lines(execFileSync(KNHK_BIN, ['eval', file], { encoding: 'utf8' }))).toEqual(want);
  });

  it.each([
    ['a hit in lane 1 with UINT64_MAX', { pred: 7n, off: 0, len: 2 }, (1n << 64n) - 1n, 7n, 1],
    ['the same id beyond len', { pred: 7n, off: 0, len: 1 }, (1n << 64n) - 1n, 7n, 0],
    ['a predicate mismatch', { pred: 7n, off: 0, len: 2 }, 1n, 8n, 0],
  ] as const)('askSp returns the answer for %s', (_name, run, s, p, want) => {
    expect(simd.askSp(triples, run, s, p)).toBe(want);
    expect(portableOnly.askSp(triples, run, s, p)).toBe(want);
  });

  it.each([
    ['a run longer than 8 lanes', { pred: 7n, off: 0, len: 9 }, 'ASK_SP', /run length > 8 lanes/],
    ['a run beyond the triples', { pred: 7n, off: 1, len: 2 }, 'ASK_SP', /beyond the triples/],
    ['an unknown op', { pred: 7n, off: 0, len: 2 }, 'ASK', /unknown op/],
    ['a negative offset', { pred: 7n, off: -1, len: 2 }, 'ASK_SP', /run off must be/],
  ] as const)('evalHook refuses %s without throwing', (_name, run, op, message) => {
    const result = simd.evalHook(triples, run, { op, p: 7n, s: 1n, o: 0n, k: 0n });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('evalHook refuses k above the run length without throwing', () => {
    const result = simd.evalHook(
      triples,
      { pred: 7n, off: 0, len: 1 },
      { op: 'COUNT_SP_GE', p: 7n, s: 1n, o: 0n, k: 2n },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/k > run length/);
  });

  it('evalHooks refuses only the bad hook of a list, and every hook when a triple is out of range', () => {
    const run = { pred: 7n, off: 0, len: 2 };
    const good = { op: 'ASK_SP', p: 7n, s: 1n, o: 0n, k: 0n };
    const results = simd.evalHooks(triples, [
      { run, hook: good },
      { run: { ...run, len: 9 }, hook: good },
      { run, hook: good },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const bad = simd.evalHooks([{ s: -1n, p: 7n, o: 0n }], [{ run, hook: good }]);
    expect(bad).toEqual([{ ok: false, status: null, message: 'triple 0 has an id outside unsigned 64-bit' }]);
  });

  it('askSp throws a RangeError when the run is refused', () => {
    expect(() => simd.askSp(triples, { pred: 7n, off: 0, len: 9 }, 1n, 7n)).toThrow(RangeError);
  });

  it('evalHook refuses a hook value above 2^64 - 1 instead of wrapping it', () => {
    const result = simd.evalHook(
      triples,
      { pred: 7n, off: 0, len: 2 },
      { op: 'ASK_SP', p: 7n, s: 1n << 64n, o: 0n, k: 0n },
    );
    expect(result).toEqual({ ok: false, status: null, message: expect.stringMatching(/hook s must be/) });
  });
});
