// `npm run bench:dashboard [-- --runs N] [--skip-build]`: prints ingest and render figures.
import { existsSync, readFileSync } from 'node:fs';
import { runDashboardBench } from './index.ts';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 1000;
if (!Number.isInteger(runs) || runs < 1) {
  console.error(
    `knhk: bench:dashboard: --runs: expected a positive integer, got "${args[runsAt + 1] ?? ''}"`,
  );
  process.exit(2);
}
const toolchain = '.knhk/toolchain.json';
const chromePath =
  process.env.CHROME_PATH ??
  (existsSync(toolchain)
    ? (JSON.parse(readFileSync(toolchain, 'utf8')) as { chrome_path?: string }).chrome_path
    : undefined) ??
  '/usr/bin/chromium';
try {
  const r = await runDashboardBench({ runs, chromePath, skipBuild: args.includes('--skip-build') });
  const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;
  console.log(
    `synthetic snapshot: ${r.runs} runs (${r.runs / r.targets} workflow runs x ${r.targets} targets) x ${r.ops} ops, shards ${(r.snapshotBytes / 1e6).toFixed(1)} MB`,
  );
  console.log(
    `ingest (fetch + check + store, empty IndexedDB): ${ms(r.ingestMs)}   goal < 3 s  (of which IndexedDB write ${ms(r.storeMs)})`,
  );
  console.log(`Overview render, first visit:                   ${ms(r.overviewFirstMs)}   goal < 1 s`);
  console.log(`Overview render, data already stored:           ${ms(r.overviewStoredMs)}   goal < 1 s`);
  console.log(
    `Runs list, navigation to full count shown:      ${ms(r.runsListMs)}   (${r.runsRowsInDom} rows in the DOM)`,
  );
} catch (err) {
  console.error(`knhk: bench:dashboard: ${(err as Error).stack ?? String(err)}`);
  process.exit(3);
}
