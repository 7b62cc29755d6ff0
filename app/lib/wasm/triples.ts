// The triples file format of `knhk eval` (native/README.md), parsed for the WASM build, so the browser
// and the native CLI can be fed the very same text.
import type { EvalResult, Hook, Run, Triple } from './knhk.ts';

export interface TriplesFile {
  triples: Triple[];
  hooks: { run: Run; hook: Hook }[];
}

const NUMBER = /^(0[xX][0-9a-fA-F]{1,16}|[0-9]+)$/;

function parseU64(token: string | undefined, line: number): bigint {
  if (token === undefined || !NUMBER.test(token))
    throw new Error(`line ${line}: expected a decimal or 0x-hex number, got '${token ?? ''}'`);
  const value = BigInt(token);
  if (value >= 1n << 64n) throw new Error(`line ${line}: expected a value below 2^64, got ${token}`);
  return value;
}

/** Parses `triple s p o`, `run pred off len` and `hook OP p s o k` lines (`#` starts a comment).
 *  @throws Error naming the line for anything else; range checks are left to the library's guard. */
export function parseTriplesFile(text: string): TriplesFile {
  const file: TriplesFile = { triples: [], hooks: [] };
  let run: Run | null = null;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const [keyword, ...rest] = (raw.split('#')[0] ?? '').trim().split(/\s+/).filter(Boolean);
    if (keyword === undefined) return;
    if (keyword === 'triple' && rest.length === 3) {
      const [s, p, o] = rest.map((t) => parseU64(t, line)) as [bigint, bigint, bigint];
      file.triples.push({ s, p, o });
    } else if (keyword === 'run' && rest.length === 3) {
      const [pred, off, len] = rest.map((t) => parseU64(t, line)) as [bigint, bigint, bigint];
      run = { pred, off: Number(off), len: Number(len) };
    } else if (keyword === 'hook' && rest.length === 5 && run !== null) {
      const [op, ...numbers] = rest as [string, ...string[]];
      const [p, s, o, k] = numbers.map((t) => parseU64(t, line)) as [bigint, bigint, bigint, bigint];
      file.hooks.push({ run, hook: { op, p, s, o, k } });
    } else {
      throw new Error(
        `line ${line}: expected 'triple s p o', 'run pred off len' or 'hook OP p s o k', got '${raw.trim()}'`,
      );
    }
  });
  return file;
}

/** The line `knhk eval` prints for a hook: `OP result`, then SELECT_SP's objects in lane order or
 *  CONSTRUCT8's lane mask (`0x05`). A refusal gives `OP refused: <why>` (the CLI stops there instead). */
export function formatEvalLine(op: string, result: EvalResult): string {
  if (!result.ok) return `${op} refused: ${result.message}`;
  if (op === 'SELECT_SP') return [op, result.value, ...result.emitted].join(' ');
  if (op === 'CONSTRUCT8') return `${op} ${result.value} 0x${result.mask.toString(16).padStart(2, '0')}`;
  return `${op} ${result.value}`;
}
