// The shared ASK_SP vectors give the same answers from the native CLI (`knhk eval`), from the
// WASM build through app/lib/wasm/knhk.ts, and in the vector's .expected.txt file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { loadKnhk, type Knhk, type Triple } from '../../../app/lib/wasm/knhk';
import { parseTriplesFile as parseVector } from '../../../app/lib/wasm/triples';
import { ensureNativeBuilt, ensureWasmBuilt, KNHK_BIN, VECTOR_DIR, WASM_BINARY, WASM_GLUE } from './native-build';

const VECTORS = readdirSync(VECTOR_DIR)
  .filter((name) => /^ask-sp-.+\.triples$/.test(name))
  .sort();

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

let knhk: Knhk;

beforeAll(async () => {
  ensureNativeBuilt();
  ensureWasmBuilt();
  knhk = await loadKnhk({ glueUrl: pathToFileURL(WASM_GLUE).href, wasmBinary: readFileSync(WASM_BINARY) });
}, 180_000);

describe('knhk eval on the shared vectors', () => {
  it('finds the ASK_SP vectors to compare', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(3);
  });

  it.each(VECTORS)('gives the same lines from native, WASM and the expected file for %s', (name) => {
    const path = join(VECTOR_DIR, name);
    const expected = lines(readFileSync(path.replace(/\.triples$/, '.expected.txt'), 'utf8'));
    const native = lines(execFileSync(KNHK_BIN, ['eval', path], { encoding: 'utf8' }));
    const vector = parseVector(readFileSync(path, 'utf8'));
    const wasm = vector.hooks.map(({ run, hook }) => {
      const result = knhk.evalHook(vector.triples, run, hook);
      return result.ok ? `${hook.op} ${result.value}` : `${hook.op} refused: ${result.message}`;
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(native).toEqual(expected);
    expect(wasm).toEqual(expected);
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
    expect(native).toMatch(new RegExp(`^knhk ${knhk.version().replaceAll('.', '\\.')} \\(variant: (portable|sse2|avx2|avx512|neon)\\)$`));
    expect(['portable', 'wasm-simd128']).toContain(knhk.variant());
    expect(knhk.opNames).toHaveLength(19);
  });

  it('gives the native results for every op on the same triples', () => {
    const dir = mkdtempSync(join(tmpdir(), 'knhk-ops-'));
    const lanes: Triple[] = [
      { s: 5n, p: 7n, o: 50n },
      { s: 0n, p: 7n, o: 51n },
      { s: 5n, p: 7n, o: (1n << 64n) - 1n },
    ];
    const run = { pred: 7n, off: 0, len: 3 };
    const hook = { p: 7n, s: 5n, o: 51n, k: 2n };
    const wasm = knhk.opNames.map((op) => {
      const result = knhk.evalHook(lanes, run, { ...hook, op });
      return result.ok ? `${op} ${result.value}` : `${op} refused`;
    });
    expect(wasm).toEqual([
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
      'SELECT_SP 2',
      'CONSTRUCT8 2',
    ]);
    // The native CLI on the same triples and hooks (its SELECT_SP and CONSTRUCT8 lines go on with
    // the objects and the mask: compare the op and the result).
    const file = join(dir, 'ops.triples');
    const text = [
      ...lanes.map((t) => `triple ${t.s} ${t.p} ${t.o}`),
      'run 7 0 3',
      ...knhk.opNames.map((op) => `hook ${op} 7 5 51 2`),
    ].join('\n');
    writeFileSync(file, `${text}\n`);
    const native = lines(execFileSync(KNHK_BIN, ['eval', file], { encoding: 'utf8' })).map((l) =>
      l.split(' ').slice(0, 2).join(' '),
    );
    rmSync(dir, { recursive: true, force: true });
    expect(native).toEqual(wasm);
  });

  it.each([
    ['a hit in lane 1 with UINT64_MAX', { pred: 7n, off: 0, len: 2 }, (1n << 64n) - 1n, 7n, 1],
    ['the same id beyond len', { pred: 7n, off: 0, len: 1 }, (1n << 64n) - 1n, 7n, 0],
    ['a predicate mismatch', { pred: 7n, off: 0, len: 2 }, 1n, 8n, 0],
  ] as const)('askSp returns the answer for %s', (_name, run, s, p, want) => {
    expect(knhk.askSp(triples, run, s, p)).toBe(want);
  });

  it.each([
    ['a run longer than 8 lanes', { pred: 7n, off: 0, len: 9 }, 'ASK_SP', /run length > 8 lanes/],
    ['a run beyond the triples', { pred: 7n, off: 1, len: 2 }, 'ASK_SP', /beyond the triples/],
    ['an unknown op', { pred: 7n, off: 0, len: 2 }, 'ASK', /unknown op/],
    ['a negative offset', { pred: 7n, off: -1, len: 2 }, 'ASK_SP', /run off must be/],
  ] as const)('evalHook refuses %s without throwing', (_name, run, op, message) => {
    const result = knhk.evalHook(triples, run, { op, p: 7n, s: 1n, o: 0n, k: 0n });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('evalHook refuses k above the run length without throwing', () => {
    const result = knhk.evalHook(triples, { pred: 7n, off: 0, len: 1 }, { op: 'COUNT_SP_GE', p: 7n, s: 1n, o: 0n, k: 2n });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/k > run length/);
  });

  it('askSp throws a RangeError when the run is refused', () => {
    expect(() => knhk.askSp(triples, { pred: 7n, off: 0, len: 9 }, 1n, 7n)).toThrow(RangeError);
  });

  it('evalHook refuses a hook value above 2^64 - 1 instead of wrapping it', () => {
    const result = knhk.evalHook(triples, { pred: 7n, off: 0, len: 2 }, { op: 'ASK_SP', p: 7n, s: 1n << 64n, o: 0n, k: 0n });
    expect(result).toEqual({ ok: false, status: null, message: expect.stringMatching(/hook s must be/) });
  });
});
