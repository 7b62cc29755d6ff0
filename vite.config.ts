// Vite configuration: the SvelteKit plugin, the unit-test setup, and the COOP/COEP headers that make
// the served page cross-origin isolated (performance.now() at 5 µs instead of 100 µs, DESIGN §3).
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  plugins: [sveltekit()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS, port: Number(process.env.PORT ?? 4173), host: '127.0.0.1' },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    testTimeout: 60_000,
  },
});
