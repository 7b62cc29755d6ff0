// The published data snapshot (static/data/, no token needed) as a source: index -> run manifests ->
// reports, each checked with the same module as `report check` (including each report's SHA-256)
// before anything is stored.
import { checkRunFiles } from './run-files.ts';
import {
  checkSnapshotIndex,
  checkSnapshotShard,
  type SnapshotIndex,
  type SnapshotShard,
} from '../reports/snapshot-index.ts';
import type { Problem } from '../reports/problem.ts';
import { storeRuns, type CheckedRun } from '../db/ingest.ts';
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
  const known = new Set(await db.runs.toCollection().primaryKeys());
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
  for (const shard of shards) {
    const loaded = await fetchShard(`${baseUrl}${shard.path}`, fetcher);
    if ('problems' in loaded) {
      result.refused.push({ id: shard.path, problems: loaded.problems });
      continue;
    }
    const fresh = loaded.runs.filter((run) => take(run.id));
    const encoder = new TextEncoder();
    // Checked concurrently: each check awaits WebCrypto digests, so running many at once keeps the
    // CPU busy instead of waiting on one digest at a time.
    const checked = await Promise.all(
      fresh.map((run) =>
        checkRunFiles(run.files['run.json'] ?? '', async (file) => {
          const body = run.files[file];
          return body === undefined ? null : encoder.encode(body);
        }),
      ),
    );
    checked.forEach((c, i) => {
      if (c.ok) batch.push(c.run);
      else result.refused.push({ id: fresh[i]!.id, problems: c.problems });
    });
  }
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
  if (batch.length) await storeRuns(db, batch);
  performance.measure('knhk:ingest:store', 'knhk:ingest:store:start');
  await recordFreshness(
    db,
    { key: 'snapshot', kind: 'snapshot', label: baseUrl },
    { added: batch.length, refused: result.refused.length, etag: null, now: new Date() },
  );
  result.added = batch.map((r) => r.manifest.id);
  return result;
}

async function fetchShard(url: string, fetcher: Fetcher): Promise<SnapshotShard | { problems: Problem[] }> {
  try {
    const res = await fetcher(url);
    if (!res.ok) return { problems: [{ path: '', message: `${url}: HTTP ${res.status}` }] };
    const doc = (await res.json()) as unknown;
    const problems = checkSnapshotShard(doc);
    return problems.length ? { problems } : (doc as SnapshotShard);
  } catch (err) {
    return {
      problems: [
        {
          path: '',
          message: `${url} could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
        },
      ],
    };
  }
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
