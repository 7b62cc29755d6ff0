// Seeded random graphs and hooks in `knhk eval`'s triples format, for comparing the WASM variants with
// the native CLI. Same recipe as native/src/knhk_selftest.c: ids from a small pool (hits and misses
// alike, 0, values >= 2^63 and UINT64_MAX, which a signed or truncating compare gets wrong), and hook
// constants taken half the time from the run's lanes, lanes at or beyond its length included.
import type { RunHook, Triple } from '../../../app/lib/wasm/knhk';

/** `knhk eval` holds at most this many triples per file (EVAL_MAX_TRIPLES in native/cli/knhk_main.c). */
export const TRIPLES_PER_GRAPH = 64;

const U64_MAX = (1n << 64n) - 1n;
const ID_POOL = [0n, 1n, 2n, 3n, 1n << 63n, (1n << 63n) + 1n, U64_MAX - 1n, U64_MAX] as const;

export interface RandomGraph {
  triples: Triple[];
  /** Every op's hooks, op after op, each on its own run. */
  items: RunHook[];
}

/** mulberry32: a small 32-bit generator, enough to spread cases; fixed seed, so a failure reproduces. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Builds `graphs` graphs of TRIPLES_PER_GRAPH triples, each with `hooksPerOp` hooks of every op in
 * `opNames`. Every hook is admissible (len <= 8, off + len within the triples, k <= len), so
 * `knhk eval` evaluates them all.
 */
export function makeRandomGraphs(
  seed: number,
  graphs: number,
  hooksPerOp: number,
  opNames: readonly string[],
): RandomGraph[] {
  const next = generator(seed);
  const pool = (r: number): bigint => ID_POOL[r & 7] ?? 0n;
  const randomId = (): bigint => {
    const r = next();
    return (r & 15) === 0 ? (BigInt(next()) << 32n) | BigInt(next()) : pool(r >>> 4);
  };
  const out: RandomGraph[] = [];
  for (let g = 0; g < graphs; g++) {
    const triples: Triple[] = [];
    for (let i = 0; i < TRIPLES_PER_GRAPH; i++) triples.push({ s: randomId(), p: randomId(), o: randomId() });
    // Lanes past the last triple read the zero padding, as in knhk_soa_alloc()'s columns.
    const lane = (col: 's' | 'o', i: number): bigint => triples[i]?.[col] ?? 0n;
    const items: RunHook[] = [];
    for (const op of opNames) {
      for (let h = 0; h < hooksPerOp; h++) {
        const r = next();
        const len = r % 9;
        const off = next() % (TRIPLES_PER_GRAPH - len + 1);
        const pred = pool(r >>> 8);
        const pick = (col: 's' | 'o'): bigint => {
          const q = next();
          return q & 1 ? lane(col, off + ((q >>> 1) % 8)) : randomId();
        };
        const q = next();
        items.push({
          run: { pred, off, len },
          hook: {
            op,
            p: q % 8 === 0 ? randomId() : pred, // mostly the run's predicate
            s: pick('s'),
            o: pick('o'),
            k: BigInt((q >>> 8) % (len + 1)),
          },
        });
      }
    }
    out.push({ triples, items });
  }
  return out;
}

/** The graph as a triples file: its triples, then a `run` line before each `hook` line. */
export function formatTriplesFile(graph: RandomGraph): string {
  const lines = graph.triples.map((t) => `triple ${t.s} ${t.p} ${t.o}`);
  for (const { run, hook } of graph.items) {
    lines.push(`run ${run.pred} ${run.off} ${run.len}`, `hook ${hook.op} ${hook.p} ${hook.s} ${hook.o} ${hook.k}`);
  }
  return `${lines.join('\n')}\n`;
}
