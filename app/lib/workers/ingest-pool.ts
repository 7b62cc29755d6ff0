// A small pool of ingest workers (one per core, at most 4): loadSnapshot() hands each shard to the
// next free worker. Falls back to the main thread where Web Workers are unavailable.
import { checkShardAt, type ShardChecker, type ShardResult } from '../sources/shard-check.ts';
import type { IngestEvent, IngestRequest } from './protocol.ts';

export function createIngestPool(
  size = Math.min(4, Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 2)),
): {
  checkShard: ShardChecker;
  close: () => void;
} {
  if (typeof Worker === 'undefined')
    return { checkShard: (url, known) => checkShardAt(url, known), close: () => {} };
  const workers = Array.from(
    { length: size },
    () => new Worker(new URL('./ingest.worker.ts', import.meta.url), { type: 'module' }),
  );
  const pending = new Map<number, { resolve: (r: ShardResult) => void; reject: (e: Error) => void }>();
  for (const w of workers) {
    w.addEventListener('message', (e: MessageEvent<IngestEvent>) => {
      const waiter = pending.get(e.data.id);
      if (!waiter) return;
      pending.delete(e.data.id);
      if (e.data.type === 'done') waiter.resolve(e.data.result);
      else waiter.reject(new Error(e.data.message));
    });
  }
  let next = 0;
  const checkShard: ShardChecker = (url, known) =>
    new Promise<ShardResult>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      const request: IngestRequest = {
        type: 'shard',
        id,
        url: new URL(url, globalThis.location?.href).href,
        known,
      };
      workers[id % workers.length]!.postMessage(request);
    });
  return { checkShard, close: () => workers.forEach((w) => w.terminate()) };
}
