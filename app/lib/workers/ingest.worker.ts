// A Web Worker that checks snapshot shards off the main thread (fetch, parse, SHA-256, schema and
// consistency), so several shards are checked in parallel and the page stays responsive.
import { checkShardAt } from '../sources/shard-check.ts';
import type { IngestEvent, IngestRequest } from './protocol.ts';

const post = (event: IngestEvent) => (self as unknown as Worker).postMessage(event);

self.addEventListener('message', (e: MessageEvent<IngestRequest>) => {
  const req = e.data;
  if (req.type !== 'shard') return;
  checkShardAt(req.url, req.known).then(
    (result) => post({ type: 'done', id: req.id, result }),
    (err: unknown) =>
      post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) }),
  );
});
