// The Run detail view's state: one run read from IndexedDB with its reports and findings.
// One class, one instance.
import type { KnhkDb } from '$lib/db/db';
import { getRunDetail, type RunDetail } from '$lib/db/queries';

class RunPageState {
  /** Bumped on every read; an older read that finishes late is dropped. */
  #reads = 0;
  /** `missing`: the store has no run with this id. */
  phase = $state<'idle' | 'reading' | 'ready' | 'missing' | 'failed'>('idle');
  error = $state<string | null>(null);
  /** Raw: replaced whole on every read, never mutated. */
  detail = $state.raw<RunDetail | null>(null);

  async read(db: KnhkDb, id: string): Promise<void> {
    const read = ++this.#reads;
    if (this.detail?.run.id !== id) this.phase = 'reading';
    try {
      const detail = await getRunDetail(db, id);
      if (read !== this.#reads) return;
      this.detail = detail;
      this.error = null;
      this.phase = detail ? 'ready' : 'missing';
    } catch (err) {
      if (read !== this.#reads) return;
      this.error = err instanceof Error ? err.message : String(err);
      this.phase = 'failed';
    }
  }
}

export const runPage = new RunPageState();
