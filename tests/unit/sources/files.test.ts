// Dropped files as a source: an artifact zip or a run folder adds its run; anything invalid is
// refused with every problem, and the store is left exactly as it was (records counted per table).
import { beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { openDb, type KnhkDb } from '../../../app/lib/db/db.ts';
import {
  canonicalJson,
  FILES_SOURCE,
  ingestFiles,
  type DroppedFile,
} from '../../../app/lib/sources/files.ts';
import { folderFiles, makeZip, type ZipFileSpec } from '../zip/make-zip.ts';

const VALID_ID = 'gh-12345678-1-x86_64-linux-gnu';
const INVALID_ID = 'gh-12345679-1-x86_64-linux-gnu';
const VALID_DIR = `tests/fixtures/artifacts/valid-run-go/${VALID_ID}`;
const INVALID_DIR = `tests/fixtures/artifacts/invalid-report-claims-pass/${INVALID_ID}`;
const INVALID_PROBLEMS = JSON.parse(
  readFileSync('tests/fixtures/artifacts/invalid-report-claims-pass.problems.json', 'utf8'),
) as unknown;
const NOW = new Date('2026-12-04T16:30:00Z');

const file = (path: string, data: Uint8Array | string): DroppedFile => ({
  path,
  blob: new Blob([typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>)]),
});
const zipFile = (name: string, files: ZipFileSpec[]) => file(name, makeZip(files));
const validZip = () => zipFile('knhk-reports-x86_64-linux-gnu.zip', folderFiles(VALID_DIR, VALID_ID));
const invalidZip = () => zipFile('knhk-reports-bad.zip', folderFiles(INVALID_DIR, INVALID_ID));
const read = (path: string) => readFileSync(path, 'utf8');

let db: KnhkDb;
beforeEach(async () => {
  db = openDb(`test-${Math.random()}`);
  await db.open();
});

async function counts(): Promise<Record<string, number>> {
  return Object.fromEntries(
    await Promise.all(db.tables.map(async (t) => [t.name, await t.count()] as const)),
  );
}
/** Every table but the freshness row, which records that a read happened (and what it refused). */
async function dataCounts(): Promise<Record<string, number>> {
  const { sources: _freshness, ...data } = await counts();
  return data;
}

describe('ingestFiles', () => {
  it('adds the run of a valid artifact zip, with its reports and bench points, and records freshness', async () => {
    const before = await counts();
    const result = await ingestFiles(db, [validZip()], { now: NOW });
    expect(result).toMatchObject({ added: [VALID_ID], known: [], refused: [], reports: [], ignored: [] });
    const after = await counts();
    expect(after.runs).toBe(before.runs! + 1);
    expect(after.reports).toBe(before.reports! + 2);
    expect(after.bench_points).toBeGreaterThan(before.bench_points!);
    expect((await db.runs.get(VALID_ID))?.verdict).toBe('pass');
    expect(await db.sources.get(FILES_SOURCE.key)).toEqual({
      ...FILES_SOURCE,
      fetched_at: NOW.toISOString(),
      runs_added: 1,
      runs_refused: 0,
      etag: null,
    });
  });

  it('refuses an artifact zip whose report is invalid, lists its problems, and changes no stored data', async () => {
    await ingestFiles(db, [validZip()]);
    const before = await dataCounts();
    const result = await ingestFiles(db, [invalidZip()], { now: NOW });
    expect(result.added).toEqual([]);
    expect(result.refused).toEqual([
      { source: `knhk-reports-bad.zip › ${INVALID_ID}/run.json`, id: INVALID_ID, problems: INVALID_PROBLEMS },
    ]);
    expect(await dataCounts()).toEqual(before);
    expect(await db.sources.get(FILES_SOURCE.key)).toMatchObject({ runs_added: 0, runs_refused: 1 });
  });

  it('takes several zips at once: the valid one is added, the invalid one refused', async () => {
    const result = await ingestFiles(db, [invalidZip(), validZip()]);
    expect(result.added).toEqual([VALID_ID]);
    expect(result.refused.map((r) => r.id)).toEqual([INVALID_ID]);
    expect(await db.runs.count()).toBe(1);
  });

  it('refuses a zip whose report bytes differ from the manifest digest', async () => {
    const files = folderFiles(VALID_DIR, VALID_ID).map((f) =>
      f.name.endsWith('tick-bench.json')
        ? { ...f, data: read(`${VALID_DIR}/tick-bench.json`).replace('"n": 1000', '"n": 999') }
        : f,
    );
    const result = await ingestFiles(db, [zipFile('tampered.zip', files)]);
    expect(result.refused[0]?.problems.map((p) => p.path)).toEqual(['/reports/1/sha256']);
    expect(await counts()).toMatchObject({ runs: 0, reports: 0, bench_points: 0 });
  });

  it('refuses a zip with an entry that fails its CRC-32, naming the entry', async () => {
    const files = folderFiles(VALID_DIR, VALID_ID).map((f) =>
      f.name.endsWith('gate-report.json') ? { ...f, declare: { crc32: 7 } } : f,
    );
    const result = await ingestFiles(db, [zipFile('crc.zip', files)]);
    expect(result.refused[0]?.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^entry "gh-12345678-1-x86_64-linux-gnu\/gate-report.json" fails its CRC-32 check/,
      ),
      '"gate-report.json" is missing',
    ]);
    expect(await db.runs.count()).toBe(0);
  });

  it.each<[string, ZipFileSpec[], RegExp]>([
    ['an unsafe path', [{ name: '../run.json', data: '{}' }], /has a "\.\." segment/],
    [
      'no run folder',
      [{ name: 'notes.txt', data: 'hello' }],
      /no run folder in the archive: expected <run-id>\/run.json/,
    ],
  ])('refuses a zip with %s as a whole', async (_name, files, message) => {
    const result = await ingestFiles(db, [zipFile('x.zip', files)]);
    expect(result.refused).toEqual([
      {
        source: 'x.zip',
        id: null,
        problems: [{ path: '', message: expect.stringMatching(message) as string }],
      },
    ]);
    expect(await db.runs.count()).toBe(0);
  });

  it('adds a run from its run.json and reports dropped together (loose files)', async () => {
    const result = await ingestFiles(db, [
      file('run.json', read(`${VALID_DIR}/run.json`)),
      file('gate-report.json', read(`${VALID_DIR}/gate-report.json`)),
      file('tick-bench.json', read(`${VALID_DIR}/tick-bench.json`)),
    ]);
    expect(result).toMatchObject({ added: [VALID_ID], reports: [], refused: [] });
  });

  it('finds the reports of a dropped folder in the manifest’s own folder', async () => {
    const result = await ingestFiles(db, [
      file(`${VALID_ID}/run.json`, read(`${VALID_DIR}/run.json`)),
      file(`${VALID_ID}/gate-report.json`, read(`${VALID_DIR}/gate-report.json`)),
      file(`${VALID_ID}/tick-bench.json`, read(`${VALID_DIR}/tick-bench.json`)),
      // the same name in another folder must not be taken
      file('other/tick-bench.json', '{}'),
    ]);
    expect(result.added).toEqual([VALID_ID]);
    expect(result.reports.map((r) => r.source)).toEqual(['other/tick-bench.json']);
  });

  it('refuses a run.json dropped without the reports it lists', async () => {
    const result = await ingestFiles(db, [file('run.json', read(`${VALID_DIR}/run.json`))]);
    expect(result.refused[0]?.problems).toEqual([
      { path: '/reports/0/file', message: '"gate-report.json" is missing' },
      { path: '/reports/1/file', message: '"tick-bench.json" is missing' },
    ]);
    expect(await db.runs.count()).toBe(0);
  });

  it('checks and shows a lone valid report but does not store it', async () => {
    const before = await counts();
    const result = await ingestFiles(db, [
      file('tick-bench.json', read('tests/fixtures/tick-bench/valid-pass.json')),
    ]);
    expect(result.reports).toEqual([
      { source: 'tick-bench.json', kind: 'tick-bench', valid: true, verdict: 'pass', problems: [] },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('refuses a lone invalid report with every problem, and changes nothing stored at all', async () => {
    await ingestFiles(db, [validZip()]);
    const before = await counts();
    const name = 'invalid-check-status-and-count.json';
    const result = await ingestFiles(db, [file(name, read(`tests/fixtures/gate-report/${name}`))]);
    const want = JSON.parse(
      read(`tests/fixtures/gate-report/${name.replace('.json', '.problems.json')}`),
    ) as unknown;
    expect(result.reports).toEqual([
      { source: name, kind: 'gate-report', valid: false, verdict: 'no-evidence', problems: want },
    ]);
    expect(await counts()).toEqual(before);
    expect((await db.sources.get(FILES_SOURCE.key))?.runs_added).toBe(1);
  });

  it('shows a file that is not JSON at all as a document with a syntax problem', async () => {
    const result = await ingestFiles(db, [file('broken.json', '{"schema": "knhk.run/v1", ')]);
    expect(result.reports[0]).toMatchObject({ valid: false, verdict: 'no-evidence' });
    expect(result.reports[0]?.problems.length).toBeGreaterThan(0);
  });

  it('ignores what is neither a zip nor a report, saying why', async () => {
    const result = await ingestFiles(db, [
      file('knhk-v1.0.0-x86_64-linux-gnu.tar.gz', 'x'),
      file('notes.txt', 'hi'),
    ]);
    expect(result.ignored).toEqual([
      {
        source: 'knhk-v1.0.0-x86_64-linux-gnu.tar.gz',
        reason: 'a release tarball or checksum: check it on the Verify page',
      },
      { source: 'notes.txt', reason: 'not an artifact zip or a JSON report' },
    ]);
  });

  it('calls a run dropped twice known, and refuses a different run under a stored id', async () => {
    await ingestFiles(db, [validZip()]);
    expect((await ingestFiles(db, [validZip()])).known).toEqual([VALID_ID]);
    // Same id, different content (and digests that match that content): runs are immutable.
    const manifest = JSON.parse(read(`${VALID_DIR}/run.json`)) as { commit: { message: string } };
    manifest.commit.message = 'rewritten history';
    const files = folderFiles(VALID_DIR, VALID_ID).map((f) =>
      f.name.endsWith('run.json') ? { ...f, data: JSON.stringify(manifest) } : f,
    );
    const before = await dataCounts();
    const result = await ingestFiles(db, [zipFile('rewritten.zip', files)]);
    expect(result.refused[0]?.problems[0]).toEqual({
      path: '/id',
      message: `a different run with the id "${VALID_ID}" is already stored (runs are immutable: clear it first to replace it)`,
    });
    expect(await dataCounts()).toEqual(before);
  });

  it('throws AbortError when cancelled and stores nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(ingestFiles(db, [validZip()], { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(await db.runs.count()).toBe(0);
  });

  it('reports progress per file', async () => {
    const seen: string[] = [];
    await ingestFiles(db, [validZip(), invalidZip()], {
      onProgress: (p) => seen.push(`${p.done}/${p.total} ${p.label}`),
    });
    expect(seen).toEqual(['0/2 knhk-reports-x86_64-linux-gnu.zip', '1/2 knhk-reports-bad.zip', '2/2 ']);
  });
});

describe('canonicalJson', () => {
  it('ignores key order, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe(
      canonicalJson({ a: [2, { c: 2, d: 1 }], b: 1 }),
    );
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});

it('the fixture manifests pin the SHA-256 of the reports beside them', () => {
  for (const dir of [VALID_DIR, INVALID_DIR]) {
    const m = JSON.parse(read(`${dir}/run.json`)) as { reports: { file: string; sha256: string }[] };
    for (const r of m.reports) {
      expect(
        createHash('sha256')
          .update(readFileSync(`${dir}/${r.file}`))
          .digest('hex'),
      ).toBe(r.sha256);
    }
  }
});
