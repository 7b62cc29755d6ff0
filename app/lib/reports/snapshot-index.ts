// The data snapshot's index (static/data/index.json): small, listing the latest runs and the monthly
// shards that list every run. Written by scripts/snapshot, read by the site's snapshot source.
import type { Problem } from './problem.ts';
import type { Verdict } from './types.ts';
import { isObject } from './validate.ts';

export const SNAPSHOT_FORMAT = 'knhk.snapshot/v1';
/** How many runs index.json lists itself; older ones are found through the shards. */
export const INDEX_LATEST_RUNS = 50;
/** Runs per shard file: bounds every file's size. */
export const SHARD_RUNS = 100;

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

/** A shard: up to SHARD_RUNS runs of one month, oldest first, each with the text of its files
 *  (run.json and every report it lists), so one request loads them all. */
export interface SnapshotShard {
  format: typeof SNAPSHOT_FORMAT;
  month: string;
  part: number;
  runs: (SnapshotRunEntry & { files: Record<string, string> })[];
}

export interface SnapshotIndex {
  format: typeof SNAPSHOT_FORMAT;
  /** The newest run's finish time: the index changes only when the data does (byte-identical rebuilds). */
  updated_at: string | null;
  runs: SnapshotRunEntry[];
  shards: { month: string; part: number; path: string; runs: number }[];
}

/** The index's and the shards' common `format` field, as problems. */
function formatProblems(doc: Record<string, unknown>): Problem[] {
  return doc.format === SNAPSHOT_FORMAT
    ? []
    : [
        {
          path: '/format',
          message: `expected "${SNAPSHOT_FORMAT}", got ${JSON.stringify(doc.format ?? null)}`,
        },
      ];
}

/** Checks the shape of a parsed index.json; returns every problem (never throws). */
export function checkSnapshotIndex(doc: unknown): Problem[] {
  if (!isObject(doc)) return [{ path: '', message: 'expected an object' }];
  const problems: Problem[] = formatProblems(doc);
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
  else
    doc.shards.forEach((sh: unknown, i) => {
      if (
        !isObject(sh) ||
        typeof sh.path !== 'string' ||
        sh.path.startsWith('/') ||
        sh.path.split('/').includes('..')
      )
        problems.push({ path: `/shards/${i}/path`, message: 'expected a relative path inside the snapshot' });
    });
  return problems;
}

/** Checks the shape of a parsed shard; returns every problem (never throws). */
export function checkSnapshotShard(doc: unknown): Problem[] {
  if (!isObject(doc)) return [{ path: '', message: 'expected an object' }];
  const problems: Problem[] = formatProblems(doc);
  if (!Array.isArray(doc.runs)) return [...problems, { path: '/runs', message: 'expected an array of runs' }];
  doc.runs.forEach((r: unknown, i) => {
    if (!isObject(r) || typeof r.id !== 'string')
      problems.push({ path: `/runs/${i}/id`, message: 'expected a string' });
    else if (!isObject(r.files) || typeof r.files['run.json'] !== 'string')
      problems.push({ path: `/runs/${i}/files/run.json`, message: 'expected the run manifest text' });
    else if (Object.values(r.files).some((t) => typeof t !== 'string'))
      problems.push({ path: `/runs/${i}/files`, message: 'expected every file as text' });
  });
  return problems;
}
