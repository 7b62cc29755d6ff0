// Settings in real Chromium against the built site, with api.github.com answered from recorded
// responses (page.route): the token reaches api.github.com and nothing else, and is never stored;
// the budget, the fallback, errors, cancel, freshness and clearing the store behave as the page says.
import { expect, test, type Page, type Route } from '@playwright/test';
import {
  API,
  FakeGitHub,
  RUNS_PATH,
  STORAGE,
  recorded,
  type FakeGitHubOptions,
} from '../fixtures/github-browser/fake-github.ts';
import { folderFiles, makeZip } from '../unit/zip/make-zip.ts';

const TOKEN = 'github_pat_11E2ETOKEN0123456789_zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLK';
const VALID_ID = 'gh-12345678-1-x86_64-linux-gnu';
const validZip = () => makeZip(folderFiles(`tests/fixtures/artifacts/valid-run-go/${VALID_ID}`, VALID_ID));

interface Seen {
  url: string;
  headers: Record<string, string>;
}

/** Serves api.github.com (and the storage host) from the fake, and logs every request the page makes. */
async function fakeGitHub(page: Page, opts: FakeGitHubOptions = {}, gate?: Promise<void>) {
  const fake = new FakeGitHub({ zips: { 9001: validZip() }, ...opts });
  const handler = async (route: Route) => {
    const req = route.request();
    if (gate && req.method() !== 'OPTIONS') await gate;
    const answer = fake.handle(req.method(), req.url(), await req.allHeaders());
    await route
      .fulfill({
        status: answer.status,
        headers: answer.headers,
        body:
          answer.body === null
            ? ''
            : typeof answer.body === 'string'
              ? answer.body
              : Buffer.from(answer.body),
      })
      // The page may have cancelled the request while the answer was held back (the cancel test).
      .catch(() => {});
  };
  await page.route(`${API}/**`, handler);
  await page.route(`${STORAGE}/**`, handler);
  const seen: Promise<Seen>[] = [];
  page.on('request', (r) => seen.push(r.allHeaders().then((headers) => ({ url: r.url(), headers }))));
  return { fake, requests: () => Promise.all(seen) };
}

async function openSettings(page: Page) {
  await page.goto('/settings');
  await expect(page.getByTestId('settings')).toHaveAttribute('data-hydrated', 'true');
}

async function useToken(page: Page, keepForTab = false) {
  await page.getByTestId('token-input').fill(TOKEN);
  if (keepForTab) await page.getByTestId('token-remember').check();
  await page.getByTestId('token-save').click();
  await expect(page.getByTestId('token-state')).toHaveAttribute('data-present', 'true');
}

async function sync(page: Page, phase = 'done') {
  await page.getByTestId('repo-input').fill('knhk/knhk');
  await page.getByTestId('sync-start').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-phase', phase);
}

/** Every record of every IndexedDB database of the origin, as JSON text. */
function dumpIndexedDb(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const out: Record<string, Record<string, unknown[]>> = {};
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      const records: Record<string, unknown[]> = (out[info.name] = {});
      for (const name of [...db.objectStoreNames]) {
        records[name] = await new Promise<unknown[]>((ok, fail) => {
          const all = db.transaction(name).objectStore(name).getAll();
          all.onsuccess = () => ok(all.result as unknown[]);
          all.onerror = () => fail(all.error);
        });
      }
      db.close();
    }
    return JSON.stringify(out);
  });
}

const storageText = (page: Page, which: 'localStorage' | 'sessionStorage') =>
  page.evaluate((w) => JSON.stringify(Object.entries(window[w])), which);

const countOf = async (page: Page, store: string) =>
  (JSON.parse(await dumpIndexedDb(page)) as Record<string, Record<string, unknown[]>>)[
    'knhk-release-health'
  ]?.[store]?.length ?? 0;

test('the token reaches api.github.com and nothing else, and is never stored', async ({ page }) => {
  const { requests } = await fakeGitHub(page);
  await openSettings(page);
  await useToken(page);
  await expect(page.getByTestId('token-input')).toHaveValue('');
  await sync(page);
  await expect(page.locator('[data-testid="artifact-row"][data-artifact-id="9001"]')).toHaveAttribute(
    'data-status',
    'added',
  );

  const all = await requests();
  const carrying = all.filter((r) => `${r.url} ${JSON.stringify(r.headers)}`.includes(TOKEN));
  expect(carrying.length).toBeGreaterThanOrEqual(3); // runs, artifacts, the zip
  for (const r of carrying) expect(new URL(r.url).origin).toBe(API);
  expect(carrying.every((r) => r.headers.authorization === `token ${TOKEN}`)).toBe(true);
  // Requests to our own origin (pages, scripts) never carry it.
  expect(all.filter((r) => new URL(r.url).origin !== API).length).toBeGreaterThan(0);

  const stored = await dumpIndexedDb(page);
  expect(stored).toContain(VALID_ID); // the run was stored…
  expect(stored).not.toContain(TOKEN); // …the token was not
  expect(await storageText(page, 'localStorage')).not.toContain(TOKEN);
  expect(await storageText(page, 'sessionStorage')).not.toContain(TOKEN); // no opt-in
  expect(await page.evaluate(() => document.cookie)).not.toContain(TOKEN);
  expect(await page.content()).not.toContain(TOKEN);
});

test('keeps the token for the tab only when asked, restores it on reload, and forgets it', async ({
  page,
}) => {
  await fakeGitHub(page);
  await openSettings(page);
  await useToken(page, true);
  await expect(page.getByTestId('token-state')).toHaveAttribute('data-storage', 'session');
  expect(await storageText(page, 'sessionStorage')).toContain(TOKEN);
  await page.reload();
  await expect(page.getByTestId('settings')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('token-state')).toHaveAttribute('data-present', 'true');
  await sync(page);
  expect(await storageText(page, 'localStorage')).not.toContain(TOKEN);
  expect(await dumpIndexedDb(page)).not.toContain(TOKEN);

  await page.getByTestId('forget-token').click();
  await expect(page.getByTestId('token-state')).toHaveAttribute('data-present', 'false');
  expect(await storageText(page, 'sessionStorage')).not.toContain(TOKEN);
  await page.reload();
  await expect(page.getByTestId('settings')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('token-state')).toHaveAttribute('data-present', 'false');
});

test('without a token lists runs and artifact metadata, shows the budget and says contents need a token', async ({
  page,
}) => {
  const { fake } = await fakeGitHub(page);
  await openSettings(page);
  await sync(page);
  await expect(page.getByTestId('budget')).toHaveAttribute('data-remaining', '58');
  await expect(page.getByTestId('budget')).toHaveAttribute('data-limit', '60');
  await expect(page.getByTestId('budget')).toContainText('58 of 60 requests left');
  await expect(page.getByTestId('sync-note')).toContainText('Artifact contents need a token');
  await expect(page.getByTestId('listed-run')).toHaveCount(2);
  await expect(page.locator('[data-testid="artifact-row"][data-artifact-id="9001"]')).toHaveAttribute(
    'data-status',
    'listed',
  );
  await expect(page.locator('[data-testid="artifact-row"][data-artifact-id="8001"]')).toHaveAttribute(
    'data-status',
    'expired',
  );
  expect(fake.requests.filter((r) => r.url.endsWith('/zip'))).toEqual([]);
  expect(await countOf(page, 'runs')).toBe(0);
});

test('offers "download the zip and drop it here" when the browser cannot follow the download', async ({
  page,
}) => {
  // GitHub answers the download with a 302 to its storage host: this page's CSP (and, on
  // github.com, CORS) keeps the browser from reading it.
  const { requests } = await fakeGitHub(page, { downloads: 'redirect' });
  await openSettings(page);
  await useToken(page);
  await sync(page);
  const fallback = page.getByTestId('sync-fallback');
  await expect(fallback).toContainText('Download the artifact zip from GitHub and drop it here');
  await expect(fallback.getByRole('link', { name: 'knhk-reports-x86_64-linux-gnu' })).toHaveAttribute(
    'href',
    'https://github.com/knhk/knhk/actions/runs/12345678/artifacts/9001',
  );
  await expect(page.locator('[data-testid="artifact-row"][data-artifact-id="9001"]')).toHaveAttribute(
    'data-status',
    'unavailable',
  );
  await expect(page.getByTestId('sync-error')).toHaveCount(0);
  for (const r of await requests()) {
    if (JSON.stringify(r).includes(TOKEN)) expect(new URL(r.url).origin).toBe(API);
  }
  // The drop zone is right there for the zip.
  await page.getByTestId('drop-input').setInputFiles({
    name: 'knhk-reports-x86_64-linux-gnu.zip',
    mimeType: 'application/zip',
    buffer: Buffer.from(validZip()),
  });
  await expect(page.getByTestId('drop-added')).toContainText(VALID_ID);
});

test.describe('GitHub says no', () => {
  for (const [name, file, withToken, message] of [
    ['401', 'error-401-bad-credentials.json', true, 'GitHub refused the token (401 Bad credentials)'],
    [
      '403 rate limit',
      'error-403-rate-limit.json',
      false,
      "GitHub's rate limit is used up: 0 of 60 requests left",
    ],
    ['404', 'error-404-not-found.json', false, 'knhk/knhk was not found (404)'],
  ] as const) {
    test(`explains a ${name}`, async ({ page }) => {
      await fakeGitHub(page, { routes: { [RUNS_PATH]: recorded(file) } });
      await openSettings(page);
      if (withToken) await useToken(page);
      await sync(page, 'failed');
      await expect(page.getByTestId('sync-error')).toContainText(message);
    });
  }
});

test('cancel stops the sync and says "cancelled", not a failure', async ({ page }) => {
  let release!: () => void;
  const gate = new Promise<void>((ok) => (release = ok));
  await fakeGitHub(page, {}, gate);
  await openSettings(page);
  await useToken(page);
  await sync(page, 'running');
  await page.getByTestId('sync-cancel').click();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-phase', 'cancelled');
  await expect(page.getByTestId('sync-cancelled')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  release();
  expect(await countOf(page, 'runs')).toBe(0);
});

test('shows each source’s freshness, and clears the store after showing what it will delete', async ({
  page,
}) => {
  await fakeGitHub(page);
  await openSettings(page);
  await expect(page.locator('[data-testid="freshness-row"][data-kind="files"]')).toHaveAttribute(
    'data-read',
    'false',
  );
  await useToken(page);
  await sync(page);
  const github = page.locator('[data-testid="freshness-row"][data-kind="github"]');
  await expect(github).toHaveAttribute('data-read', 'true');
  await expect(github.getByTestId('runs-added')).toHaveText('1');
  await expect(page.getByTestId('thresholds')).toBeVisible();
  await expect(page.getByTestId('tick-budgets')).toContainText('8 ticks');

  await page.getByTestId('clear-start').click();
  const count = (table: string) =>
    page.locator(`[data-testid="clear-count"][data-table="${table}"]`).getAttribute('data-count');
  expect(await count('runs')).toBe('1');
  expect(await count('reports')).toBe('2');
  expect(await count('runs')).toBe(String(await countOf(page, 'runs')));
  await page.getByTestId('clear-confirm').click();
  await expect(page.getByTestId('clear-done')).toContainText('Deleted');
  for (const store of ['runs', 'reports', 'bench_points', 'sources', 'settings']) {
    expect(await countOf(page, store)).toBe(0);
  }
  await expect(github).toHaveAttribute('data-read', 'false');
});
