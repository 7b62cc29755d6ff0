// Syncing from GitHub Actions: the repository, the run's phase, progress, rate-limit budget and
// result, and cancel. The ETags of this tab's list responses live here, in memory. One instance.
import type { KnhkDb } from '../db/db.ts';
import type { Progress } from '../sources/files.ts';
import {
  describeError,
  isAbortError,
  parseRepo,
  syncGitHub,
  type EtagCache,
  type GitHubSyncResult,
  type RateBudget,
} from '../sources/github.ts';

/** The `settings` row holding the repository (never the token). */
export const REPO_SETTING = 'github.repo';

export type SyncPhase = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

class SyncState {
  #controller: AbortController | null = null;
  #cache: EtagCache = new Map();
  repo = $state('');
  phase = $state<SyncPhase>('idle');
  progress = $state.raw<Progress | null>(null);
  budget = $state.raw<RateBudget | null>(null);
  result = $state.raw<GitHubSyncResult | null>(null);
  error = $state<string | null>(null);
  /** Bumped whenever a source may have written to the store (a sync, dropped files, a clear):
   *  views that read IndexedDB re-read then. */
  revision = $state(0);

  get busy(): boolean {
    return this.phase === 'running';
  }

  /** Reads the repository saved by the last sync. */
  async loadRepo(db: KnhkDb): Promise<void> {
    const row = await db.settings.get(REPO_SETTING);
    if (typeof row?.value === 'string' && this.repo === '') this.repo = row.value;
  }

  /** Lists the repository's runs and, with `token`, downloads and stores new report artifacts.
   *  Never throws: a failure lands in `error`, a cancel in phase 'cancelled'. */
  async start(db: KnhkDb, token: string | null, fetcher?: typeof fetch): Promise<void> {
    if (this.busy) return;
    const parsed = parseRepo(this.repo);
    if (!parsed.ok) {
      this.phase = 'failed';
      this.error = parsed.message;
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.phase = 'running';
    this.error = null;
    this.result = null;
    this.progress = { done: 0, total: 0, label: 'starting' };
    try {
      await db.settings.put({ key: REPO_SETTING, value: `${parsed.repo.owner}/${parsed.repo.name}` });
      const result = await syncGitHub(db, {
        repo: parsed.repo,
        token,
        signal: controller.signal,
        cache: this.#cache,
        onProgress: (p) => (this.progress = p),
        onBudget: (b) => (this.budget = b),
        ...(fetcher ? { fetch: fetcher } : {}),
      });
      this.result = result;
      this.phase = 'done';
    } catch (err) {
      this.phase = isAbortError(err) ? 'cancelled' : 'failed';
      this.error = isAbortError(err) ? null : describeError(err);
    } finally {
      this.#controller = null;
      this.progress = null;
      // Runs (even those stored before a cancel or a late failure) and freshness may have changed.
      this.revision++;
    }
  }

  /** Stops the running sync; runs already stored stay stored. */
  cancel(): void {
    this.#controller?.abort();
  }

  /** Forgets this tab's ETags and last result (after the token is forgotten or the store cleared). */
  reset(): void {
    this.#cache.clear();
    this.result = null;
    this.error = null;
    if (!this.busy) this.phase = 'idle';
  }

  /** Called by other writers (dropped files, clearing the store) when they are done. */
  noteChange(): void {
    this.revision++;
  }
}

export const sync = new SyncState();
