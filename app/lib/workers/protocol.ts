// Messages between the page and the ingest workers: every message typed, errors travel as messages.
import type { ShardResult } from '../sources/shard-check.ts';

export type IngestRequest = { type: 'shard'; id: number; url: string; known: readonly string[] };
export type IngestEvent =
  { type: 'done'; id: number; result: ShardResult } | { type: 'error'; id: number; message: string };
