// Runs in real Chromium against the built site: this machine's runs come from the snapshot through
// IndexedDB, the filters live in the URL, and with 1,200 runs stored only a window of rows is rendered.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedStore, storedRun } from '../fixtures/e2e/seed-store.ts';
import type { RunManifest, Verdict } from '../../app/lib/reports/types.ts';

interface IndexRun {
  id: string;
  commit_sha: string;
  branch: string | null;
  verdict: Verdict;
  path: string;
}

const DATA = 'static/data';
const WORD: Record<Verdict, string> = { pass: 'go', fail: 'no-go', 'no-evidence': 'no-evidence' };
const snapshotRuns = (): IndexRun[] => {
  const index = JSON.parse(readFileSync(join(DATA, 'index.json'), 'utf8')) as { runs: IndexRun[] };
  if (!index.runs[0]) throw new Error('static/data/index.json lists no run: run `npm run pipeline` first');
  return index.runs;
};
const manifestOf = (run: IndexRun) => JSON.parse(readFileSync(join(DATA, run.path), 'utf8')) as RunManifest;
const FIXTURE = JSON.parse(
  readFileSync('tests/fixtures/run/valid-github-actions.json', 'utf8'),
) as RunManifest;

async function openRuns(page: Page, query = '') {
  await page.goto(`/runs${query}`);
  const view = page.getByTestId('runs');
  await expect(view).toHaveAttribute('data-hydrated', 'true');
  await expect(view).toHaveAttribute('data-phase', 'ready');
}
const row = (page: Page, id: string) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
const count = (page: Page) => page.getByTestId('runs-count');

test("lists this machine's runs from the snapshot with verdict, commit, branch and a link to each", async ({
  page,
}) => {
  const runs = snapshotRuns();
  await openRuns(page);
  for (const run of runs) {
    const m = manifestOf(run);
    const r = row(page, run.id);
    await expect(r).toBeVisible();
    await expect(r.locator('[data-status]')).toHaveAttribute('data-status', WORD[run.verdict]);
    await expect(r.getByTestId('run-sha')).toHaveText(run.commit_sha.slice(0, 12));
    await expect(r).toContainText(m.commit.message.slice(0, 20));
    await expect(r).toContainText(m.target);
    await expect(r.getByTestId('run-link')).toHaveAttribute('href', `/run?id=${encodeURIComponent(run.id)}`);
  }
  const total = Number(await count(page).getAttribute('data-total'));
  expect(total).toBeGreaterThanOrEqual(runs.length);
  await expect(count(page)).toHaveAttribute('data-shown', String(total));
  await expect(count(page)).toHaveText(
    new RegExp(`Showing ${total.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} runs?`),
  );

  await row(page, runs[0]!.id).getByTestId('run-link').click();
  await expect(page).toHaveURL(`/run?id=${encodeURIComponent(runs[0]!.id)}`);
  await expect(page.getByTestId('run-id')).toHaveText(runs[0]!.id);
});

test('filters by branch and verdict and searches by SHA prefix or message, with the filters in the URL', async ({
  page,
}) => {
  const run = snapshotRuns()[0]!;
  const m = manifestOf(run);
  const branch = run.branch ?? '';
  expect(branch, 'the snapshot run has a branch to filter by').not.toBe('');
  await openRuns(page);

  await page.getByTestId('filter-branch').selectOption(branch);
  await expect(page).toHaveURL(`/runs?branch=${encodeURIComponent(branch)}`);
  await expect(row(page, run.id)).toBeVisible();

  const prefix = run.commit_sha.slice(0, 7);
  await page.getByTestId('filter-q').fill(prefix);
  await expect(page).toHaveURL(`/runs?branch=${encodeURIComponent(branch)}&q=${prefix}`);
  await expect(row(page, run.id)).toBeVisible();
  await expect
    .poll(async () =>
      (await page.getByTestId('run-sha').allTextContents()).every((sha) => sha.startsWith(prefix)),
    )
    .toBe(true);

  // A word of the commit message finds it too, in any case.
  const word = m.commit.message.split(/\W+/).find((w) => w.length >= 4) ?? m.commit.message;
  await page.getByTestId('filter-q').fill(word.toUpperCase());
  await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(word.toUpperCase())}$`));
  await expect(row(page, run.id)).toBeVisible();

  await page.getByTestId('filter-q').fill('no such commit anywhere');
  await expect(count(page)).toHaveAttribute('data-shown', '0');
  await expect(page.getByTestId('no-match')).toBeVisible();
  await expect(page.getByTestId('run-row')).toHaveCount(0);

  await page.getByTestId('filter-q').fill('');
  await expect(page).toHaveURL(`/runs?branch=${encodeURIComponent(branch)}`);
  const other = run.verdict === 'fail' ? 'go' : 'no-go';
  await page.getByTestId('filter-verdict').selectOption(other);
  await expect(page).toHaveURL(`/runs?branch=${encodeURIComponent(branch)}&verdict=${other}`);
  await expect(row(page, run.id)).toHaveCount(0);
  await page.getByTestId('filter-verdict').selectOption(WORD[run.verdict]);
  await expect(row(page, run.id)).toBeVisible();

  await page.getByTestId('filter-clear').click();
  await expect(page).toHaveURL('/runs');
  await expect(count(page)).toHaveAttribute(
    'data-shown',
    (await count(page).getAttribute('data-total')) ?? '',
  );
});

test('a shared URL opens with its filters applied and shown in the controls', async ({ page }) => {
  const run = snapshotRuns()[0]!;
  const prefix = run.commit_sha.slice(0, 8);
  const verdict = WORD[run.verdict];
  await openRuns(page, `?branch=${encodeURIComponent(run.branch ?? '')}&verdict=${verdict}&q=${prefix}`);
  await expect(page.getByTestId('filter-branch')).toHaveValue(run.branch ?? '');
  await expect(page.getByTestId('filter-verdict')).toHaveValue(verdict);
  await expect(page.getByTestId('filter-q')).toHaveValue(prefix);
  await expect(row(page, run.id)).toBeVisible();
  const shown = Number(await count(page).getAttribute('data-shown'));
  expect(shown).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('run-row')).toHaveCount(shown);

  await openRuns(page, `?q=${prefix}&verdict=${run.verdict === 'pass' ? 'no-evidence' : 'go'}`);
  await expect(row(page, run.id)).toHaveCount(0);
});

test('with 1,200 more runs stored it renders only the visible window and still filters them', async ({
  page,
}) => {
  const SEEDED = 1200;
  const verdicts: Verdict[] = ['pass', 'fail', 'no-evidence'];
  const runs = Array.from({ length: SEEDED }, (_, i) => {
    const sha = `${i.toString(16).padStart(6, '0')}${'e'.repeat(34)}`;
    const m: RunManifest = {
      ...FIXTURE,
      id: `gh-${900000 + i}-1-x86_64-linux-gnu`,
      group: `gh-${900000 + i}-1`,
      event: i % 2 ? 'push' : 'pull_request',
      commit: { ...FIXTURE.commit, sha, message: `seeded change number ${i}` },
      branch: ['main', 'dev', 'release/0.2'][i % 3]!,
      // Older than any snapshot run, one minute apart: run 0 is the newest seeded run.
      started_at: new Date(Date.UTC(2020, 0, 1) + (SEEDED - i) * 60_000).toISOString().replace('.000Z', 'Z'),
      reports: [],
    };
    return storedRun(m, verdicts[i % 3]!);
  });
  await openRuns(page);
  const before = Number(await count(page).getAttribute('data-total'));
  await seedStore(page, { runs });
  await page.reload();
  const view = page.getByTestId('runs');
  await expect(view).toHaveAttribute('data-phase', 'ready');

  const total = before + SEEDED;
  await expect(count(page)).toHaveAttribute('data-total', String(total));
  await expect(count(page)).toHaveAttribute('data-shown', String(total));
  await expect(count(page)).toContainText(`of ${total.toLocaleString('en-US')} runs`);
  const rendered = await page.getByTestId('run-row').count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);

  // Scrolled to the end, the oldest seeded run is rendered and the window is still small.
  await page.getByTestId('virtual-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(row(page, runs[SEEDED - 1]!.id)).toBeVisible();
  await expect(row(page, runs[0]!.id)).toHaveCount(0);
  expect(await page.getByTestId('run-row').count()).toBeLessThan(100);

  // A SHA prefix finds one run among them; a verdict filter counts a third of them (plus the snapshot's).
  await page.getByTestId('filter-q').fill('0004af');
  await expect(page).toHaveURL('/runs?q=0004af');
  await expect(count(page)).toHaveAttribute('data-shown', '1');
  await expect(row(page, runs[0x4af]!.id)).toBeVisible();
  await page.getByTestId('filter-q').fill('');
  await page.getByTestId('filter-branch').selectOption('dev');
  await page.getByTestId('filter-verdict').selectOption('no-go');
  await expect(page).toHaveURL('/runs?branch=dev&verdict=no-go');
  // i % 3 === 1 is both dev and fail: 400 runs.
  await expect(count(page)).toHaveAttribute('data-shown', '400');
  expect(await page.getByTestId('run-row').count()).toBeLessThan(100);
});
