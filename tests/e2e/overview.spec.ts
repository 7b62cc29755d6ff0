// Overview in real Chromium against the built site: the figures shown are the report's, the data
// comes through IndexedDB, the page is cross-origin isolated, and the WASM answers like the native CLI.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface IndexRun {
  id: string;
  path: string;
}
interface Entry {
  op: string;
  tier: string;
  variant: string;
  call_mode: string;
  p50_ticks: number;
  p95_ticks: number;
  p95_ns: number;
  within_budget: string;
  n: number;
  samples: number;
  all_samples?: { p95_ticks: number };
}

const DATA = 'static/data';
const latestRun = (): IndexRun => {
  const index = JSON.parse(readFileSync(join(DATA, 'index.json'), 'utf8')) as { runs: IndexRun[] };
  const run = index.runs[0];
  if (!run) throw new Error('static/data/index.json lists no run: run `npm run pipeline` first');
  return run;
};
interface Bench {
  variant: string;
  budget: { call_mode: string };
  interference?: { probe: string };
  entries: Entry[];
}
const benchOf = (run: IndexRun): Bench =>
  JSON.parse(readFileSync(join(DATA, run.path.replace(/run\.json$/, 'tick-bench.json')), 'utf8')) as Bench;

async function openOverview(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('overview')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('overview')).toHaveAttribute('data-phase', 'ready');
}

test("shows this machine's latest run with the tick figures of its report", async ({ page }) => {
  const run = latestRun();
  const bench = benchOf(run);
  await openOverview(page);
  const card = page.locator(`[data-testid="run-card"][data-run-id="${run.id}"]`);
  await expect(card).toBeVisible();
  expect(bench.entries.length).toBeGreaterThan(0);
  for (const e of bench.entries) {
    const row = card.locator(
      `[data-testid="tick-row"][data-op="${e.op}"][data-variant="${e.variant}"][data-call-mode="${e.call_mode}"]`,
    );
    await expect(row.getByTestId('p95-ticks')).toHaveAttribute('data-value', String(e.p95_ticks));
    await expect(row.getByTestId('p50-ticks')).toHaveAttribute('data-value', String(e.p50_ticks));
    const shown = Number(await row.getByTestId('p95-ticks').textContent());
    expect(Math.abs(shown - e.p95_ticks)).toBeLessThanOrEqual(0.005 * Math.max(1, e.p95_ticks));
    await expect(row.locator('[data-status]')).toHaveAttribute('data-status', e.within_budget);
    // Interference control: the kept samples and the p95 of every sample are shown beside the judged one.
    if (bench.interference) {
      await expect(row.getByTestId('kept')).toHaveText(`${e.n} of ${e.samples}`);
      await expect(row.getByTestId('p95-all-ticks')).toHaveAttribute(
        'data-value',
        String(e.all_samples?.p95_ticks),
      );
    }
  }
  if (bench.interference)
    await expect(card.getByTestId('interference-provenance')).toContainText(bench.interference.probe);
  // The local pipeline runs no gates, so the run is never "go": "no evidence" and says why — or
  // "no-go" when its own bench shows an R1 operation over budget in the budget's scope.
  const overBudget = bench.entries.some(
    (e) =>
      e.tier === 'R1' &&
      e.variant === bench.variant &&
      e.call_mode === bench.budget.call_mode &&
      e.within_budget === 'fail',
  );
  const want = overBudget ? 'no-go' : 'no-evidence';
  await expect(card.locator('header [data-status]').first()).toHaveAttribute('data-status', want);
  const ref = page.locator('[data-testid="ref-card"]', { has: card });
  await expect(ref).toHaveAttribute('data-readiness', want);
  await expect(ref.getByTestId('reasons')).toContainText('no gate report');
});

test('is cross-origin isolated (COOP/COEP), so browser timers run at their finest resolution', async ({
  page,
}) => {
  await openOverview(page);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
});

test.describe('without a service worker', () => {
  // page.route does not see a service worker's fetches: block it so the snapshot really fails.
  test.use({ serviceWorkers: 'block' });

  test('keeps showing the stored run from IndexedDB when the snapshot cannot be reached', async ({
    page,
  }) => {
    const run = latestRun();
    await openOverview(page);
    await page.route('**/data/**', (route) => route.abort());
    await page.reload();
    await expect(page.getByTestId('overview')).toHaveAttribute('data-phase', 'ready');
    await expect(page.locator(`[data-testid="run-card"][data-run-id="${run.id}"]`)).toBeVisible();
    await expect(page.getByRole('alert').first()).toContainText('could not be loaded');
  });
});

test("runs the WASM build in the page and gets the native CLI's answers on the same input", async ({
  page,
}) => {
  await openOverview(page);
  const probe = page.getByTestId('wasm-probe');
  await expect(probe).toHaveAttribute('data-state', 'done');
  await expect(probe.getByTestId('wasm-version')).toContainText(/^knhk \d+\.\d+\.\d+/);
  const input = (await probe.getByTestId('wasm-input').textContent()) ?? '';
  const wasmAnswers = (await probe.getByTestId('wasm-output').textContent())?.trim();
  const dir = mkdtempSync(join(tmpdir(), 'knhk-e2e-'));
  let nativeAnswers: string;
  try {
    writeFileSync(join(dir, 'probe.triples'), input);
    nativeAnswers = execFileSync('native/build/knhk', ['eval', join(dir, 'probe.triples')], {
      encoding: 'utf8',
    }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(wasmAnswers).toBe(nativeAnswers);
  expect(nativeAnswers.split('\n').length).toBeGreaterThanOrEqual(2);
});

test('works offline after the first visit: a reload shows the same run from the cache and IndexedDB', async ({
  page,
  context,
}) => {
  const run = latestRun();
  await openOverview(page);
  // The service worker must control the page before the network goes away.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  const before = await page.locator('[data-testid="tick-row"]').count();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('overview')).toHaveAttribute('data-phase', 'ready');
  await expect(page.locator(`[data-testid="run-card"][data-run-id="${run.id}"]`)).toBeVisible();
  expect(await page.locator('[data-testid="tick-row"]').count()).toBe(before);
  await context.setOffline(false);
});
