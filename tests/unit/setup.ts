// Vitest setup: an in-memory IndexedDB so the Dexie store runs in plain Node.
import 'fake-indexeddb/auto';
