// The runs the views show: loaded from the snapshot into IndexedDB, then read back from IndexedDB
// (the one source the views use). One class, one instance.
import { openDb, type KnhkDb, type StoredBenchPoint, type StoredRun } from '../db/db.ts';
import { loadSnapshot, type SnapshotLoad } from '../sources/snapshot.ts';
import type { TickBench } from '../reports/types.ts';

export interface RunView {
  run: StoredRun;
  bench: TickBench | null;
  points: StoredBenchPoint[];
}

class RunsState {
  #db: KnhkDb | null = null;
  phase = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  error = $state<string | null>(null);
  lastLoad = $state<SnapshotLoad | null>(null);
  latest = $state<RunView[]>([]);

  get db(): KnhkDb {
    this.#db ??= openDb();
    return this.#db;
  }

  /** Pulls the snapshot into IndexedDB (what is new), then reads the latest run per target back. */
  async load(snapshotBase: string): Promise<void> {
    this.phase = 'loading';
    this.error = null;
    try {
      this.lastLoad = await loadSnapshot(this.db, snapshotBase);
    } catch (err) {
      // The stored data is still shown: a snapshot that cannot be read is reported, not fatal.
      this.error = err instanceof Error ? err.message : String(err);
    }
    try {
      this.latest = await this.readLatest();
      this.phase = 'ready';
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.phase = 'failed';
    }
  }

  private async readLatest(): Promise<RunView[]> {
    const runs = await this.db.runs.orderBy('started_at').reverse().toArray();
    // A local, short-lived set inside one async read: nothing renders from it, so no reactivity.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const seen = new Set<string>();
    const views: RunView[] = [];
    for (const run of runs) {
      const key = `${run.branch}\u0000${run.target}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const report = await this.db.reports.get(`${run.id}/tick-bench`);
      const points = await this.db.bench_points.where('run_id').equals(run.id).toArray();
      views.push({ run, bench: (report?.doc as TickBench | undefined) ?? null, points });
    }
    return views;
  }
}

export const runsState = new RunsState();
