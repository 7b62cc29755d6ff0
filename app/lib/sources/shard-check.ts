// Checks one snapshot shard: every run it carries that the store does not hold yet goes through
// checkRunFiles (schema, consistency, SHA-256 of each report) and comes back as the records to
// store. Pure apart from the fetch, so it runs the same in a Web Worker, on the main thread and in Node.
import { checkRunFiles } from './run-files.ts';
import { checkSnapshotShard, type SnapshotShard } from '../reports/snapshot-index.ts';
import type { Problem } from '../reports/problem.ts';
import { recordsOf, type CheckedRun, type RunRecords } from '../db/ingest.ts';

export interface ShardResult {
  /** Every run id the shard lists (known or not). */
  ids: string[];
  /** Problems of the shard itself (unreadable, malformed): then nothing of it is used. */
  problems: Problem[];
  /** Runs refused by the checks, with every problem. */
  refused: { id: string; problems: Problem[] }[];
  /** What to store for the runs that passed. */
  records: RunRecords;
}

/** Checks the shard at `url`, skipping the runs in `known`. */
export type ShardChecker = (url: string, known: readonly string[]) => Promise<ShardResult>;

const EMPTY: RunRecords = { runs: [], reports: [], bench_points: [], weaver_findings: [] };

export async function checkShardAt(
  url: string,
  known: readonly string[],
  fetcher: (url: string) => Promise<Response> = fetch,
): Promise<ShardResult> {
  let doc: unknown;
  try {
    const res = await fetcher(url);
    if (!res.ok) return failed([{ path: '', message: `${url}: HTTP ${res.status}` }]);
    doc = await res.json();
  } catch (err) {
    return failed([
      {
        path: '',
        message: `${url} could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
      },
    ]);
  }
  const problems = checkSnapshotShard(doc);
  if (problems.length) return failed(problems);
  return checkShard(doc as SnapshotShard, known);
}

export async function checkShard(shard: SnapshotShard, known: readonly string[]): Promise<ShardResult> {
  const skip = new Set(known);
  const fresh = shard.runs.filter((run) => !skip.has(run.id));
  const encoder = new TextEncoder();
  // Checked concurrently: each check awaits WebCrypto digests, so many at once keep the CPU busy.
  const checked = await Promise.all(
    fresh.map((run) =>
      checkRunFiles(run.files['run.json'] ?? '', async (file) => {
        const body = run.files[file];
        return body === undefined ? null : encoder.encode(body);
      }),
    ),
  );
  const passed: CheckedRun[] = [];
  const refused: ShardResult['refused'] = [];
  checked.forEach((c, i) => {
    if (c.ok) passed.push(c.run);
    else refused.push({ id: fresh[i]!.id, problems: c.problems });
  });
  return { ids: shard.runs.map((r) => r.id), problems: [], refused, records: recordsOf(passed) };
}

function failed(problems: Problem[]): ShardResult {
  return { ids: [], problems, refused: [], records: EMPTY };
}
