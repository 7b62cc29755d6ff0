// SvelteKit configuration: a static site (every page prerendered) with sources in app/.
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, strict: true }),
    files: {
      src: 'app',
      lib: 'app/lib',
      routes: 'app/routes',
      appTemplate: 'app/app.html',
      serviceWorker: 'app/service-worker',
      assets: 'static',
    },
    // GitHub Pages serves a project site under /<repo>/: pages.yml passes that prefix as BASE_PATH.
    paths: { base: /** @type {'' | `/${string}`} */ (process.env.BASE_PATH ?? '') },
    alias: {
      $reports: 'app/lib/reports',
    },
    prerender: { entries: ['*'], handleHttpError: 'fail' },
    // Strict CSP: no inline script beyond the hashed SvelteKit bootstrap, no eval. WebAssembly needs
    // 'wasm-unsafe-eval', the one allowance (DESIGN §6).
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', 'wasm-unsafe-eval'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'connect-src': ['self', 'https://api.github.com'],
        'worker-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};

export default config;
