// The Runs view's state: the runs matching the URL's filters and the values the filters offer,
// re-read from IndexedDB whenever the filter or the store changes. One class, one instance.
import type { KnhkDb, StoredRun } from '$lib/db/db';
import { distinctValues, listRuns, type DistinctValues, type RunFilter } from '$lib/db/queries';

const NO_VALUES: DistinctValues = { branches: [], events: [], targets: [], verdicts: [] };

class RunsPageState {
  /** Bumped on every read; an older read that finishes late is dropped. */
  #reads = 0;
  phase = $state<'idle' | 'reading' | 'ready' | 'failed'>('idle');
  error = $state<string | null>(null);
  /** Raw: thousands of rows are replaced whole, never mutated, so they need no deep proxies. */
  runs = $state.raw<StoredRun[]>([]);
  total = $state(0);
  options = $state.raw<DistinctValues>(NO_VALUES);

  /** Reads the matching runs and the filter options. */
  async read(db: KnhkDb, filter: RunFilter): Promise<void> {
    const read = ++this.#reads;
    this.phase = 'reading';
    try {
      const [list, options] = await Promise.all([listRuns(db, filter), distinctValues(db)]);
      if (read !== this.#reads) return;
      this.runs = list.runs;
      this.total = list.total;
      this.options = options;
      this.error = null;
      this.phase = 'ready';
    } catch (err) {
      if (read !== this.#reads) return;
      this.error = err instanceof Error ? err.message : String(err);
      this.phase = 'failed';
    }
  }
}

export const runsPage = new RunsPageState();
