// The Overview's verdicts equal what the fixture reports imply: three branches whose newest runs carry
// a gate report that says go, one that says no-go, and none at all. They arrive once as a published
// snapshot (written by scripts/snapshot from run folders, served in place of the site's data/) and
// once dropped as artifact zips; either way the Overview reads them back from IndexedDB.
import { expect, test, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeZip } from '../unit/zip/make-zip.ts';
import { runSnapshot } from '../../scripts/snapshot/index.ts';

const fixture = (path: string) => readFileSync(`tests/fixtures/${path}`, 'utf8');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Case {
  branch: string;
  gateReport: string | null;
  readiness: 'go' | 'no-go' | 'no-evidence';
  reason: string | null;
}
const CASES: Case[] = [
  {
    branch: 'e2e-go',
    gateReport: 'gate-report/valid-go-advisory-finding.json',
    readiness: 'go',
    reason: null,
  },
  {
    branch: 'e2e-no-go',
    gateReport: 'gate-report/valid-no-go-tick-budget.json',
    readiness: 'no-go',
    reason: 'Gate 3 Tests and tick budget: failed (tick budget exceeded)',
  },
  {
    branch: 'e2e-no-evidence',
    gateReport: null,
    readiness: 'no-evidence',
    reason: 'no gate report: the quality gates did not run',
  },
];

/** One run folder per case: run.json (digests of its reports) and the reports, as name -> text. */
function runFolder(c: Case, n: number): { id: string; files: { name: string; data: string }[] } {
  const id = `gh-${77000 + n}-1-x86_64-linux-gnu`;
  const base = JSON.parse(fixture('run/valid-github-actions.json')) as Record<string, unknown>;
  const reports: { name: string; text: string; kind: string }[] = [];
  if (c.gateReport)
    reports.push({ name: 'gate-report.json', text: fixture(c.gateReport), kind: 'gate-report' });
  const run = {
    ...base,
    id,
    group: `gh-${77000 + n}-1`,
    branch: c.branch,
    started_at: `2026-12-0${n + 1}T10:00:00Z`,
    finished_at: `2026-12-0${n + 1}T10:10:00Z`,
    reports: reports.map((f) => ({
      kind: f.kind,
      file: f.name,
      sha256: sha256(f.text),
      bytes: Buffer.byteLength(f.text),
    })),
  };
  return {
    id,
    files: [
      { name: 'run.json', data: JSON.stringify(run, null, 2) },
      ...reports.map((f) => ({ name: f.name, data: f.text })),
    ],
  };
}

/** An artifact zip holding one run folder. */
function artifact(c: Case, n: number) {
  const { id, files } = runFolder(c, n);
  const entries = files.map((f) => ({ name: `${id}/${f.name}`, data: f.data }));
  return {
    name: `knhk-reports-${c.branch}.zip`,
    mimeType: 'application/zip',
    buffer: Buffer.from(makeZip(entries)),
  };
}

async function expectVerdicts(page: Page) {
  for (const c of CASES) {
    const card = page.locator(`[data-testid="ref-card"][data-ref="branch:${c.branch}"]`);
    await expect(card).toHaveAttribute('data-readiness', c.readiness);
    if (c.reason) await expect(card.getByTestId('reasons')).toContainText(c.reason);
    else await expect(card.getByTestId('reasons')).toHaveCount(0);
  }
}

test.describe('from a published snapshot', () => {
  // page.route must see every data request: no service worker in between.
  test.use({ serviceWorkers: 'block' });

  test('shows go, no-go and no evidence per branch as the reports imply, with the reasons', async ({
    page,
  }) => {
    const tmp = mkdtempSync(join(tmpdir(), 'knhk-e2e-snapshot-'));
    try {
      CASES.forEach((c, n) => {
        const { id, files } = runFolder(c, n);
        mkdirSync(join(tmp, 'runs', id), { recursive: true });
        for (const f of files) writeFileSync(join(tmp, 'runs', id, f.name), f.data);
      });
      const snapshot = await runSnapshot({ runsDirs: [join(tmp, 'runs')], outDir: join(tmp, 'data') });
      expect(snapshot.refused).toEqual([]);
      await page.route('**/data/**', (route) => {
        const rel = new URL(route.request().url()).pathname.replace(/^.*?\/data\//, '');
        const path = join(tmp, 'data', rel);
        return existsSync(path)
          ? route.fulfill({ body: readFileSync(path), contentType: 'application/json' })
          : route.fulfill({ status: 404 });
      });
      await page.goto('/');
      await expect(page.getByTestId('overview')).toHaveAttribute('data-phase', 'ready');
      await expectVerdicts(page);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

test('shows the same verdicts when the runs are dropped as artifact zips', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('overview')).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('drop-zone')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId('drop-input').setInputFiles(CASES.map((c, i) => artifact(c, i)));
  await expect(page.getByTestId('drop-zone')).toHaveAttribute('data-phase', 'done');
  await expect(page.getByTestId('drop-added')).toContainText('Added 3 runs');
  await expectVerdicts(page);
});
