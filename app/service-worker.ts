/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Offline after the first visit: the app shell (built assets, prerendered pages, static files such as
// the WASM build) is cached at install; the data snapshot is network-first with the cached copy as
// fallback. Stored runs live in IndexedDB, so an offline reload shows the same data.
import { build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `knhk-shell-${version}`;
/** Snapshot files change with every pipeline run: never served from the shell cache first. */
const isData = (path: string) => path.includes('/data/');
const SHELL = [...build, ...prerendered, ...files.filter((f) => !isData(f))];

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only our own GETs: GitHub API calls and anything else pass straight through, uncached.
  if (request.method !== 'GET' || url.origin !== sw.location.origin) return;
  event.respondWith(respond(request, url));
});

async function respond(request: Request, url: URL): Promise<Response> {
  const cache = await caches.open(CACHE);
  if (!isData(url.pathname)) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
  }
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw err;
  }
}
