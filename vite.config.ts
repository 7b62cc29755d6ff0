// Vite configuration: the SvelteKit plugin, the unit-test setup, and the COOP/COEP headers that make
// the served page cross-origin isolated (performance.now() at 5 µs instead of 100 µs, DESIGN §3).
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** SvelteKit serves the preview with its own middleware, which ignores `preview.headers`: set the
 *  headers in a middleware of ours that runs first, for every response of the dev and preview servers. */
function crossOriginIsolation(): Plugin {
  const setHeaders = (_req: unknown, res: { setHeader(k: string, v: string): void }, next: () => void) => {
    for (const [key, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(key, value);
    next();
  };
  return {
    name: 'knhk-cross-origin-isolation',
    configureServer: (server) => void server.middlewares.use(setHeaders),
    configurePreviewServer: (server) => void server.middlewares.use(setHeaders),
  };
}

export default defineConfig({
  plugins: [crossOriginIsolation(), sveltekit()],
  preview: { port: Number(process.env.PORT ?? 4173), host: '127.0.0.1' },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    testTimeout: 60_000,
  },
});
