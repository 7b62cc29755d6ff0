// The published data snapshot (static/data/, no token needed) as a source: index -> run manifests ->
// reports, each checked with the same module as `report check` (including each report's SHA-256)
// before anything is stored.
import { checkRunFiles } from './run-files.ts';
import { checkSnapshotIndex, type SnapshotIndex } from '../reports/snapshot-index.ts';
import type { Problem } from '../reports/problem.ts';
import { mergeRecords, recordsOf, storeRecords, type CheckedRun, type RunRecords } from '../db/ingest.ts';
import { checkShardAt, type ShardChecker } from './shard-check.ts';
import { recordFreshness } from '../db/freshness.ts';
import type { KnhkDb } from '../db/db.ts';

export interface SnapshotLoad {
  listed: number;
  added: string[];
  known: number;
  refused: { id: string; problems: Problem[] }[];
}

export type Fetcher = (url: string) => Promise<Response>;

/** Loads what the snapshot at `baseUrl` (the folder holding index.json, ending in '/') lists and the
 *  store does not hold yet. Throws only when the index itself cannot be read or is malformed. */
export async function loadSnapshot(
  db: KnhkDb,
  baseUrl: string,
  fetcher: Fetcher = fetch,
  opts: { checkShard?: ShardChecker } = {},
): Promise<SnapshotLoad> {
  const url = `${baseUrl}index.json`;
  let res: Response;
  try {
    res = await fetcher(url);
  } catch (err) {
    // A network failure (offline, blocked): say which file, and that stored data is still shown.
    throw new Error(
      `the data snapshot (${url}) could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!res.ok) throw new Error(`the data snapshot (${url}) could not be loaded: HTTP ${res.status}`);
  const index = (await res.json()) as unknown;
  const problems = checkSnapshotIndex(index);
  if (problems.length) {
    throw new Error(
      `the data snapshot's index.json is malformed: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  }
  const { runs, shards } = index as SnapshotIndex;
  const known = new Set((await db.runs.toCollection().primaryKeys()) as string[]);
  const result: SnapshotLoad = { listed: 0, added: [], known: 0, refused: [] };
  const batch: CheckedRun[] = [];
  const seen = new Set<string>();
  const take = (id: string) => {
    if (seen.has(id)) return false;
    seen.add(id);
    result.listed++;
    if (known.has(id)) {
      result.known++;
      return false;
    }
    return true;
  };
  // Shards carry every run with its files' text: one request per shard instead of one per file.
  // They are checked in parallel (in Web Workers in the browser: see workers/ingest-pool.ts).
  const check =
    opts.checkShard ?? ((shardUrl: string, skip: readonly string[]) => checkShardAt(shardUrl, skip, fetcher));
  const shardResults = await Promise.all(shards.map((shard) => check(`${baseUrl}${shard.path}`, [...known])));
  const records: RunRecords[] = [];
  shards.forEach((shard, i) => {
    const r = shardResults[i]!;
    if (r.problems.length) result.refused.push({ id: shard.path, problems: r.problems });
    for (const id of r.ids) take(id);
    for (const refused of r.refused) result.refused.push(refused);
    records.push(r.records);
    result.added.push(...r.records.runs.map((run) => run.id));
  });
  // Runs the index lists outside any shard (older snapshots): one run folder at a time.
  for (const entry of runs) {
    if (!take(entry.id)) continue;
    const checked = await fetchRun(`${baseUrl}${entry.path}`, fetcher).catch((err: unknown) => ({
      problems: [
        {
          path: '',
          message: `${entry.path} could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
        },
      ],
    }));
    if ('problems' in checked) result.refused.push({ id: entry.id, problems: checked.problems });
    else batch.push(checked);
  }
  performance.mark('knhk:ingest:store:start');
  if (batch.length) records.push(recordsOf(batch));
  await storeRecords(db, mergeRecords(records));
  performance.measure('knhk:ingest:store', 'knhk:ingest:store:start');
  await recordFreshness(
    db,
    { key: 'snapshot', kind: 'snapshot', label: baseUrl },
    { added: result.added.length, refused: result.refused.length, etag: null, now: new Date() },
  );
  result.added.push(...batch.map((r) => r.manifest.id));
  return result;
}

async function fetchRun(url: string, fetcher: Fetcher): Promise<CheckedRun | { problems: Problem[] }> {
  const res = await fetcher(url);
  if (!res.ok) return { problems: [{ path: '', message: `${url}: HTTP ${res.status}` }] };
  const folder = url.slice(0, url.lastIndexOf('/') + 1);
  const checked = await checkRunFiles(await res.text(), async (file) => {
    const r = await fetcher(`${folder}${file}`);
    return r.ok ? new Uint8Array(await r.arrayBuffer()) : null;
  });
  return checked.ok ? checked.run : { problems: checked.problems };
}
