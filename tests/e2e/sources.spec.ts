// Dropped files in real Chromium against the built site: a valid artifact zip adds a run; an
// invalid report or run is refused with its problems shown, and IndexedDB (counted with the raw
// API, not through the app) is unchanged. The drop zone is exercised where it is placed: /settings.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { folderFiles, makeZip } from '../unit/zip/make-zip.ts';

const VALID_ID = 'gh-12345678-1-x86_64-linux-gnu';
const VALID_DIR = `tests/fixtures/artifacts/valid-run-go/${VALID_ID}`;
const INVALID_ID = 'gh-12345679-1-x86_64-linux-gnu';
const INVALID_DIR = `tests/fixtures/artifacts/invalid-report-claims-pass/${INVALID_ID}`;
const LONE_INVALID = 'tests/fixtures/gate-report/invalid-check-status-and-count';

type Problem = { path: string; message: string };
const problemsOf = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Problem[];
const zipPayload = (name: string, dir: string, id: string) => ({
  name,
  mimeType: 'application/zip',
  buffer: Buffer.from(makeZip(folderFiles(dir, id))),
});

async function openDropZone(page: Page) {
  await page.goto('/settings');
  await expect(page.getByTestId('settings')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('drop-zone')).toHaveAttribute('data-hydrated', 'true');
}

/** Records per object store, read with the raw IndexedDB API (not through the app's code). */
function countRecords(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const open = indexedDB.open('knhk-release-health');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const names = [...db.objectStoreNames];
    const out: Record<string, number> = {};
    for (const name of names) {
      out[name] = await new Promise<number>((ok, fail) => {
        const count = db.transaction(name).objectStore(name).count();
        count.onsuccess = () => ok(count.result);
        count.onerror = () => fail(count.error);
      });
    }
    db.close();
    return out;
  });
}

async function shownProblems(page: Page, container: string): Promise<string[]> {
  return page.locator(`[data-testid="${container}"] [data-testid="problem"]`).allTextContents();
}

async function dropValidZip(page: Page) {
  await page
    .getByTestId('drop-input')
    .setInputFiles(zipPayload('knhk-reports-x86_64-linux-gnu.zip', VALID_DIR, VALID_ID));
  await expect(page.getByTestId('drop-zone')).toHaveAttribute('data-phase', 'done');
}

test('dropping a valid artifact zip adds its run', async ({ page }) => {
  await openDropZone(page);
  const before = await countRecords(page);
  expect(before.runs).toBe(0);
  await dropValidZip(page);
  await expect(page.getByTestId('drop-added')).toContainText(`Added 1 run: ${VALID_ID}`);
  const after = await countRecords(page);
  expect(after.runs).toBe(before.runs! + 1);
  expect(after.reports).toBe(before.reports! + 2);
  expect(after.bench_points).toBeGreaterThan(before.bench_points!);
  await expect(
    page.locator('[data-testid="freshness-row"][data-kind="files"] [data-testid="runs-added"]'),
  ).toHaveText('1');
});

test('dropping an invalid report shows every problem and changes nothing stored', async ({ page }) => {
  await openDropZone(page);
  await dropValidZip(page);
  const before = await countRecords(page);
  await page.getByTestId('drop-input').setInputFiles(`${LONE_INVALID}.json`);
  await expect(page.getByTestId('drop-zone')).toHaveAttribute('data-phase', 'done');
  const report = page.getByTestId('drop-report');
  await expect(report).toHaveAttribute('data-valid', 'false');
  await expect(report).toContainText('invalid');
  expect(await shownProblems(page, 'drop-report')).toEqual(
    problemsOf(`${LONE_INVALID}.problems.json`).map((p) => `${p.path || '/'}: ${p.message}`),
  );
  expect(await countRecords(page)).toEqual(before);
});

test('dropping an artifact zip with an invalid report refuses the run with its problems; no data changes', async ({
  page,
}) => {
  await openDropZone(page);
  await dropValidZip(page);
  const before = await countRecords(page);
  await page
    .getByTestId('drop-input')
    .setInputFiles([zipPayload('knhk-reports-bad.zip', INVALID_DIR, INVALID_ID)]);
  await expect(page.getByTestId('drop-zone')).toHaveAttribute('data-phase', 'done');
  const refused = page.locator(`[data-testid="drop-refused"][data-run-id="${INVALID_ID}"]`);
  await expect(refused).toContainText('Refused');
  expect(await shownProblems(page, 'drop-refused')).toEqual(
    problemsOf('tests/fixtures/artifacts/invalid-report-claims-pass.problems.json').map(
      (p) => `${p.path}: ${p.message}`,
    ),
  );
  const after = await countRecords(page);
  // Only the freshness row moved: it records that this read refused one run.
  expect({ ...after, sources: 0 }).toEqual({ ...before, sources: 0 });
  await expect(
    page.locator('[data-testid="freshness-row"][data-kind="files"] [data-testid="runs-refused"]'),
  ).toHaveText('1');
});

test('a run folder dropped as files (run.json with its reports) adds the run', async ({ page }) => {
  await openDropZone(page);
  await page
    .getByTestId('drop-input')
    .setInputFiles(['run.json', 'gate-report.json', 'tick-bench.json'].map((f) => `${VALID_DIR}/${f}`));
  await expect(page.getByTestId('drop-added')).toContainText(VALID_ID);
  expect((await countRecords(page)).runs).toBe(1);
});

test('dragging several zips onto the zone adds the valid run and refuses the invalid one', async ({
  page,
}) => {
  await openDropZone(page);
  const files = [
    zipPayload('knhk-reports-x86_64-linux-gnu.zip', VALID_DIR, VALID_ID),
    zipPayload('knhk-reports-bad.zip', INVALID_DIR, INVALID_ID),
  ].map((f) => ({ name: f.name, bytes: [...f.buffer] }));
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list)
      transfer.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: 'application/zip' }));
    const zone = document.querySelector('[data-testid="drop-zone"] [role="region"]')!;
    zone.dispatchEvent(
      new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }),
    );
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
  await expect(page.getByTestId('drop-added')).toContainText(VALID_ID);
  await expect(page.locator(`[data-testid="drop-refused"][data-run-id="${INVALID_ID}"]`)).toBeVisible();
  expect((await countRecords(page)).runs).toBe(1);
});
