// What the Overview shows: the snapshot is pulled into IndexedDB (what is new), then the newest run
// group per branch and tag is read back from IndexedDB — the one source the views use — and judged.
import { tick } from 'svelte';
import { openDb, type KnhkDb } from '../db/db.ts';
import { readOverview, type OverviewData } from '../db/overview.ts';
import { loadSnapshot, type SnapshotLoad } from '../sources/snapshot.ts';
import { createIngestPool } from '../workers/ingest-pool.ts';

class RunsState {
  #db: KnhkDb | null = null;
  phase = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  error = $state<string | null>(null);
  lastLoad = $state<SnapshotLoad | null>(null);
  overview = $state<OverviewData | null>(null);

  get db(): KnhkDb {
    this.#db ??= openDb();
    return this.#db;
  }

  /** Pulls the snapshot into IndexedDB, then reads the Overview back from IndexedDB. A snapshot that
   *  cannot be read is reported, not fatal: what is stored is still shown. */
  async load(snapshotBase: string): Promise<void> {
    this.phase = 'loading';
    this.error = null;
    // User Timing marks: `npm run bench:dashboard` reads them to report ingest and render times.
    performance.mark('knhk:ingest:start');
    try {
      const pool = createIngestPool();
      try {
        this.lastLoad = await loadSnapshot(this.db, snapshotBase, fetch, { checkShard: pool.checkShard });
      } finally {
        pool.close();
      }
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
    performance.measure('knhk:ingest', 'knhk:ingest:start');
    await this.refresh();
  }

  /** Re-reads the Overview from IndexedDB (after any source stored something). */
  async refresh(): Promise<void> {
    try {
      performance.mark('knhk:overview:start');
      this.overview = await readOverview(this.db);
      this.phase = 'ready';
      // Measured once the DOM shows the result, after Svelte has applied the update.
      await tick();
      performance.measure('knhk:overview', 'knhk:overview:start');
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.phase = 'failed';
    }
  }
}

export const runsState = new RunsState();
