// Run detail in real Chromium against the built site: the snapshot run's tick figures are its report's;
// a run stored with a gate report and a Weaver live-check shows its gates, checks and findings, whose
// counts per level are the report's; an unknown id says so.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedStore, storedReports, storedRun } from '../fixtures/e2e/seed-store.ts';
import type { GateReport, RunManifest, TickBench, Verdict } from '../../app/lib/reports/types.ts';
import { WEAVER_LEVELS, type WeaverSummary } from '../../app/lib/reports/weaver.ts';

interface IndexRun {
  id: string;
  verdict: Verdict;
  path: string;
}

const DATA = 'static/data';
const WORD: Record<Verdict, string> = { pass: 'go', fail: 'no-go', 'no-evidence': 'no-evidence' };
const json = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const latestRun = (): IndexRun => {
  const run = json<{ runs: IndexRun[] }>(join(DATA, 'index.json')).runs[0];
  if (!run) throw new Error('static/data/index.json lists no run: run `npm run pipeline` first');
  return run;
};

async function openRun(page: Page, id: string, phase = 'ready') {
  await page.goto(`/run?id=${encodeURIComponent(id)}`);
  const view = page.getByTestId('run-detail');
  await expect(view).toHaveAttribute('data-hydrated', 'true');
  await expect(view).toHaveAttribute('data-phase', phase);
}

async function expectTickRows(page: Page, bench: TickBench) {
  expect(bench.entries.length).toBeGreaterThan(0);
  const table = page.getByTestId('bench');
  for (const e of bench.entries) {
    const row = table.locator(
      `[data-testid="tick-row"][data-op="${e.op}"][data-variant="${e.variant}"][data-call-mode="${e.call_mode}"]`,
    );
    await expect(row.getByTestId('p95-ticks')).toHaveAttribute('data-value', String(e.p95_ticks));
    await expect(row.getByTestId('p50-ticks')).toHaveAttribute('data-value', String(e.p50_ticks));
    await expect(row.getByTestId('p95-ns')).toHaveAttribute('data-value', String(e.p95_ns));
    const shown = Number(await row.getByTestId('p95-ticks').textContent());
    expect(Math.abs(shown - e.p95_ticks)).toBeLessThanOrEqual(0.005 * Math.max(1, e.p95_ticks));
    await expect(row.locator('[data-status]')).toHaveAttribute('data-status', e.within_budget);
  }
  await expect(table.getByTestId('tick-row')).toHaveCount(bench.entries.length);
  const clock = table.getByTestId('clock-provenance');
  await expect(clock).toContainText(bench.clock.source);
  await expect(clock).toContainText(`${(bench.clock.frequency_hz / 1e9).toFixed(3)} GHz`);
  await expect(clock).toContainText('resolution');
  await expect(clock).toContainText('read overhead');
}

test("shows the snapshot run with the tick figures of its tick-bench.json and its verdict's reason", async ({
  page,
}) => {
  const run = latestRun();
  const manifest = json<RunManifest>(join(DATA, run.path));
  const bench = json<TickBench>(join(DATA, run.path.replace(/run\.json$/, 'tick-bench.json')));
  await openRun(page, run.id);
  await expect(page.getByTestId('run-id')).toHaveText(run.id);
  await expect(page.getByTestId('run-verdict')).toHaveAttribute('data-status', WORD[run.verdict]);
  await expect(page.getByTestId('bench-target')).toHaveText(manifest.target);
  await expectTickRows(page, bench);
  if (!manifest.reports.some((r) => r.kind === 'gate-report')) {
    await expect(page.getByTestId('verdict-reason')).toContainText('no gate report');
    await expect(page.getByTestId('no-gate-report')).toBeVisible();
  }
});

test("a run with a gate report and a Weaver live-check shows its gates, checks and the report's finding counts", async ({
  page,
}) => {
  const base = json<RunManifest>('tests/fixtures/run/valid-github-actions.json');
  const gates = json<GateReport>('tests/fixtures/gate-report/valid-no-go-tick-budget.json');
  const bench = json<TickBench>('tests/fixtures/tick-bench/valid-pass.json');
  const expected = json<{ summary: WeaverSummary }>('tests/fixtures/weaver/v0.24/expected.json').summary;
  // Markup in a report must show as text: one message carries an element that must never be created.
  const injected = '<img data-testid="injected" src="x"> ';
  const summary: WeaverSummary = {
    ...expected,
    findings: expected.findings.map((f, i) => (i === 0 ? { ...f, message: injected + f.message } : f)),
  };
  const m: RunManifest = {
    ...base,
    reports: [
      ...base.reports,
      { kind: 'weaver-live-check', file: 'weaver-live-check.json', sha256: 'c'.repeat(64), bytes: 4096 },
    ],
  };
  await page.goto('/runs');
  await expect(page.getByTestId('runs')).toHaveAttribute('data-phase', 'ready');
  await seedStore(page, {
    runs: [storedRun(m, 'fail')],
    ...storedReports(m, [
      { kind: 'gate-report', doc: gates },
      { kind: 'tick-bench', doc: bench },
      { kind: 'weaver-live-check', doc: summary, weaver: summary },
    ]),
  });
  await openRun(page, m.id);

  // Header: no-go, and which blocking gate and check decided it.
  await expect(page.getByTestId('run-verdict')).toHaveAttribute('data-status', 'no-go');
  const reason = page.getByTestId('verdict-reason');
  await expect(reason).toContainText('Gate 3 Tests and tick budget failed');
  await expect(reason).toContainText('COUNT_SP_GE p95 9.20 ticks > 8');
  await expect(page.getByTestId('github-run-link')).toHaveAttribute('href', m.url!);
  await expect(page.getByTestId('commit-link')).toHaveAttribute(
    'href',
    `https://github.com/${m.repo}/commit/${m.commit.sha}`,
  );

  // Every gate and check with its status, counts, duration and reason.
  await expect(page.getByTestId('gate')).toHaveCount(gates.gates.length);
  for (const g of gates.gates) {
    const gate = page.locator(`[data-testid="gate"][data-gate-id="${g.id}"]`);
    await expect(gate).toHaveAttribute('data-status', g.status);
    await expect(gate).toContainText(g.name);
    await expect(gate.getByTestId('check')).toHaveCount(g.checks.length);
    for (const c of g.checks) {
      const check = gate.locator(`[data-testid="check"][data-check-id="${c.id}"]`);
      await expect(check).toHaveAttribute('data-status', c.status);
      await expect(check.getByTestId('check-reason')).toHaveText(c.reason);
      await expect(check.getByTestId('check-duration')).toHaveAttribute('data-value', String(c.duration_ms));
      for (const [k, v] of Object.entries(c.counts))
        await expect(check.getByTestId('check-counts')).toContainText(`${v} ${k}`);
    }
  }

  // Findings: the counts per level are the report's, and the groups add up to them.
  for (const level of WEAVER_LEVELS) {
    const want = summary.counts[level];
    await expect(page.locator(`[data-testid="level-count"][data-level="${level}"]`)).toHaveAttribute(
      'data-value',
      String(want),
    );
    await expect(page.locator(`[data-testid="level-count"][data-level="${level}"]`)).toContainText(
      String(want),
    );
    const counts = await page
      .locator(`[data-testid="finding-group"][data-level="${level}"]`)
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(want);
  }
  await expect(page.getByTestId('weaver-counts-disagree')).toHaveCount(0);
  const groups = new Set(summary.findings.map((f) => `${f.level}/${f.id}`));
  await expect(page.getByTestId('finding-group')).toHaveCount(groups.size);
  await expect(page.getByTestId('weaver-entities')).toHaveAttribute(
    'data-value',
    String(summary.entities.total),
  );
  await expect(page.getByTestId('weaver-coverage')).toContainText(`${(summary.coverage! * 100).toFixed(1)}%`);
  const unseen = [
    ...summary.unseen_registry.attributes,
    ...summary.unseen_registry.metrics,
    ...summary.unseen_registry.events,
  ];
  await expect(page.getByTestId('unseen-item')).toHaveText(unseen);

  // Report text is text: the markup shows literally and no element was made from it.
  await expect(page.getByTestId('findings-table')).toContainText('<img data-testid="injected"');
  await expect(page.getByTestId('injected')).toHaveCount(0);

  // Filter by level and by text; sort by id both ways and by count.
  await page.getByTestId('findings-level').selectOption('violation');
  await expect(page.getByTestId('finding-group')).toHaveCount(summary.counts.violation);
  await expect(page.locator('[data-testid="finding-group"]:not([data-level="violation"])')).toHaveCount(0);
  await page.getByTestId('findings-text').fill('registry unit');
  await expect(page.getByTestId('finding-group')).toHaveCount(1);
  await expect(page.getByTestId('finding-group')).toHaveAttribute('data-id', 'unit_mismatch');
  await page.getByTestId('findings-text').fill('');
  await page.getByTestId('findings-level').selectOption('');
  const idsShown = () =>
    page.getByTestId('finding-group').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id') ?? ''));
  await page.getByTestId('sort-id').click();
  const ascending = [...summary.findings.map((f) => f.id)].sort();
  await expect.poll(idsShown).toEqual(ascending);
  await page.getByTestId('sort-id').click();
  await expect.poll(idsShown).toEqual([...ascending].reverse());

  await expectTickRows(page, bench);
});

test("an unknown id says this browser's store has no such run and links to Runs", async ({ page }) => {
  const id = 'gh-1-1-no-such-target';
  await openRun(page, id, 'missing');
  const missing = page.getByTestId('run-missing');
  await expect(missing).toContainText(`no run with id ${id} in this browser's store`);
  await missing.getByRole('link', { name: 'Runs' }).click();
  await expect(page).toHaveURL('/runs');
  await expect(page.getByTestId('runs')).toHaveAttribute('data-phase', 'ready');
});
