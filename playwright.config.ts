// End-to-end tests in Debian's Chromium (never a downloaded browser) against the built site served
// by `vite preview` with the cross-origin-isolation headers.
import { defineConfig } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';

/** The browser the set-up step found (.knhk/toolchain.json), or CHROME_PATH, or Debian's chromium. */
function chromePath(): string {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  const toolchain = '.knhk/toolchain.json';
  if (existsSync(toolchain)) {
    const found = (JSON.parse(readFileSync(toolchain, 'utf8')) as { chrome_path?: string | null })
      .chrome_path;
    if (found) return found;
    if (found === null)
      throw new Error(
        'knhk: e2e: setup recorded no browser (KNHK_NO_BROWSER=1): expected a Chromium, got none',
      );
  }
  return '/usr/bin/chromium';
}

const PORT = Number(process.env.E2E_PORT ?? 4174);

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: 'list',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromePath(),
      // Without the background-networking flags Chromium keeps dialling Google's hosts, which this
      // closed network refuses; --no-sandbox because CI runs as root.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `npx vite preview --strictPort --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
