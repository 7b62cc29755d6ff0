// `npm run bench:dashboard`: builds the site, serves it over a labelled synthetic snapshot (1,000
// workflow runs x 3 targets x every operation; benchmark data only, never published), and measures in
// headless Chromium the time to ingest it into IndexedDB and to render the Overview and the Runs list.
// Figures are printed; nothing asserts a time (these machines are noisy).
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { runSnapshot } from '../snapshot/index.ts';
import { writeSyntheticRuns, OPS, TARGETS } from './synthetic.ts';
import type { GateReport } from '../../app/lib/reports/types.ts';

export interface DashboardBenchOptions {
  runs: number;
  chromePath: string;
  /** Skip `npm run build` when build/ is already current. */
  skipBuild?: boolean;
  log?: (line: string) => void;
}

export interface DashboardBenchResult {
  runs: number;
  targets: number;
  ops: number;
  snapshotBytes: number;
  ingestMs: number;
  /** The IndexedDB write within the ingest. */
  storeMs: number;
  overviewFirstMs: number;
  overviewStoredMs: number;
  runsListMs: number;
  runsRowsInDom: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** A static server with the cross-origin-isolation headers the real preview sends. */
function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    let file = join(root, path);
    if (existsSync(`${file}.html`)) file = `${file}.html`;
    else if (existsSync(join(file, 'index.html'))) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
    }),
  );
}

export async function runDashboardBench(opts: DashboardBenchOptions): Promise<DashboardBenchResult> {
  const log = opts.log ?? ((l: string) => console.error(l));
  if (!opts.skipBuild) execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  const tmp = mkdtempSync(join(tmpdir(), 'knhk-bench-dashboard-'));
  try {
    const site = join(tmp, 'site');
    cpSync('build', site, { recursive: true });
    rmSync(join(site, 'data'), { recursive: true, force: true });
    log(`bench:dashboard: writing ${opts.runs} synthetic workflow runs x ${TARGETS.length} targets`);
    const gate = JSON.parse(
      readFileSync('tests/fixtures/gate-report/valid-go-advisory-finding.json', 'utf8'),
    ) as GateReport;
    const folders = writeSyntheticRuns(join(tmp, 'runs'), opts.runs, gate);
    const snap = await runSnapshot({ runsDirs: [join(tmp, 'runs')], outDir: join(site, 'data') });
    if (snap.refused.length) throw new Error(`synthetic runs refused: ${snap.refused[0]?.reason}`);
    const snapshotBytes = Number(
      execFileSync('du', ['-sb', join(site, 'data', 'shards')], { encoding: 'utf8' }).split('\t')[0],
    );
    const { server, url } = await serve(site);
    const browser = await chromium.launch({
      executablePath: opts.chromePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    try {
      const page = await (await browser.newContext({ serviceWorkers: 'block' })).newPage();
      const measure = (name: string) =>
        page.evaluate((n) => performance.getEntriesByName(n, 'measure').at(-1)?.duration ?? NaN, name);
      const ready = () =>
        page.waitForSelector('[data-testid="overview"][data-phase="ready"]', { timeout: 600_000 });
      log('bench:dashboard: first visit (empty IndexedDB): ingest + Overview');
      await page.goto(`${url}/`);
      await ready();
      const ingestMs = await measure('knhk:ingest');
      const storeMs = await measure('knhk:ingest:store');
      const overviewFirstMs = await measure('knhk:overview');
      log('bench:dashboard: second visit (data stored): Overview');
      await page.goto(`${url}/`);
      await ready();
      const overviewStoredMs = await measure('knhk:overview');
      log('bench:dashboard: Runs list');
      const t0 = Date.now();
      await page.goto(`${url}/runs`);
      await page.waitForSelector(`[data-testid="runs-count"][data-total="${folders}"]`, { timeout: 600_000 });
      const runsListMs = Date.now() - t0;
      const runsRowsInDom = await page.locator('[data-testid="run-row"]').count();
      return {
        runs: folders,
        targets: TARGETS.length,
        ops: OPS.length,
        snapshotBytes,
        ingestMs,
        storeMs,
        overviewFirstMs,
        overviewStoredMs,
        runsListMs,
        runsRowsInDom,
      };
    } finally {
      await browser.close();
      server.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
