// The data snapshot's index (static/data/index.json): small, listing the latest runs and the monthly
// shards that list every run. Written by scripts/snapshot, read by the site's snapshot source.
import type { Problem } from './problem.ts';
import type { Verdict } from './types.ts';
import { isObject } from './validate.ts';

export const SNAPSHOT_FORMAT = 'knhk.snapshot/v1';
/** How many runs index.json lists itself; older ones are found through the shards. */
export const INDEX_LATEST_RUNS = 50;

export interface SnapshotRunEntry {
  id: string;
  commit_sha: string;
  branch: string | null;
  tag: string | null;
  target: string;
  source: 'github-actions' | 'local';
  started_at: string;
  /** `report check`'s verdict for the run (its gate report's, or no-evidence without one). */
  verdict: Verdict;
  /** Path of the run manifest, relative to the folder holding index.json. */
  path: string;
}

export interface SnapshotShard {
  format: typeof SNAPSHOT_FORMAT;
  month: string;
  runs: SnapshotRunEntry[];
}

export interface SnapshotIndex {
  format: typeof SNAPSHOT_FORMAT;
  /** The newest run's finish time: the index changes only when the data does (byte-identical rebuilds). */
  updated_at: string | null;
  runs: SnapshotRunEntry[];
  shards: { month: string; path: string; runs: number }[];
}

/** Checks the shape of a parsed index.json; returns every problem (never throws). */
export function checkSnapshotIndex(doc: unknown): Problem[] {
  if (!isObject(doc)) return [{ path: '', message: 'expected an object' }];
  const problems: Problem[] = [];
  if (doc.format !== SNAPSHOT_FORMAT)
    problems.push({
      path: '/format',
      message: `expected "${SNAPSHOT_FORMAT}", got ${JSON.stringify(doc.format ?? null)}`,
    });
  if (!Array.isArray(doc.runs)) problems.push({ path: '/runs', message: 'expected an array of runs' });
  else
    doc.runs.forEach((r: unknown, i) => {
      if (!isObject(r)) return problems.push({ path: `/runs/${i}`, message: 'expected an object' });
      for (const key of ['id', 'commit_sha', 'target', 'started_at', 'path', 'verdict'] as const) {
        if (typeof r[key] !== 'string')
          problems.push({ path: `/runs/${i}/${key}`, message: 'expected a string' });
      }
      if (typeof r.path === 'string' && (r.path.startsWith('/') || r.path.split('/').includes('..')))
        problems.push({
          path: `/runs/${i}/path`,
          message: `expected a relative path inside the snapshot, got "${r.path}"`,
        });
    });
  if (!Array.isArray(doc.shards)) problems.push({ path: '/shards', message: 'expected an array of shards' });
  return problems;
}
