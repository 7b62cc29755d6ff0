// The Overview's verdicts equal what the fixture reports imply: three branches whose newest runs carry
// a gate report that says go, one that says no-go, and none at all. The runs come in through the
// drop zone as artifact zips — the same checks as every source — and the Overview reads them back
// from IndexedDB.
import { expect, test } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { makeZip } from '../unit/zip/make-zip.ts';

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

/** An artifact zip holding one run folder: run.json (digests of its reports) and the reports. */
function artifact(c: Case, n: number) {
  const id = `gh-${77000 + n}-1-x86_64-linux-gnu`;
  const base = JSON.parse(fixture('run/valid-github-actions.json')) as Record<string, unknown>;
  const files: { name: string; text: string; kind: string }[] = [];
  if (c.gateReport)
    files.push({ name: 'gate-report.json', text: fixture(c.gateReport), kind: 'gate-report' });
  const run = {
    ...base,
    id,
    group: `gh-${77000 + n}-1`,
    branch: c.branch,
    started_at: `2026-12-0${n + 1}T10:00:00Z`,
    finished_at: `2026-12-0${n + 1}T10:10:00Z`,
    reports: files.map((f) => ({
      kind: f.kind,
      file: f.name,
      sha256: sha256(f.text),
      bytes: Buffer.byteLength(f.text),
    })),
  };
  const entries = [
    { name: `${id}/run.json`, data: JSON.stringify(run, null, 2) },
    ...files.map((f) => ({ name: `${id}/${f.name}`, data: f.text })),
  ];
  return {
    name: `knhk-reports-${c.branch}.zip`,
    mimeType: 'application/zip',
    buffer: Buffer.from(makeZip(entries)),
  };
}

test('shows go, no-go and no evidence per branch exactly as the reports imply, with the reasons', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('overview')).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('drop-zone')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId('drop-input').setInputFiles(CASES.map((c, i) => artifact(c, i)));
  await expect(page.getByTestId('drop-zone')).toHaveAttribute('data-phase', 'done');
  await expect(page.getByTestId('drop-added')).toContainText('Added 3 runs');
  for (const c of CASES) {
    const card = page.locator(`[data-testid="ref-card"][data-ref="branch:${c.branch}"]`);
    await expect(card).toHaveAttribute('data-readiness', c.readiness);
    if (c.reason) await expect(card.getByTestId('reasons')).toContainText(c.reason);
    else await expect(card.getByTestId('reasons')).toHaveCount(0);
  }
});
