// The `sources` table: when each source was last read and what the read gave (Settings shows it).
import type { KnhkDb, StoredSource } from './db.ts';

/** Writes the freshness row of a source (when it was read, what it gave). */
export async function recordFreshness(
  db: KnhkDb,
  source: Pick<StoredSource, 'key' | 'kind' | 'label'>,
  read: { added: number; refused: number; etag: string | null; now: Date },
): Promise<void> {
  await db.sources.put({
    ...source,
    fetched_at: read.now.toISOString(),
    runs_added: read.added,
    runs_refused: read.refused,
    etag: read.etag,
  });
}
