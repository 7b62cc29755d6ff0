// Files the user drops — artifact zips (a `<run-id>/run.json` folder each) and JSON reports — as a
// source. Every run takes the one path of run-files.ts (schema, consistency, SHA-256 of each report);
// a refused run or document changes nothing stored. A lone report (no manifest with it) is checked
// and shown but never stored: only a run manifest, which pins each report's SHA-256, admits evidence.
import { checkRunFiles } from './run-files.ts';
import { checkDocument } from '../reports/check.ts';
import { storeRuns, type CheckedRun } from '../db/ingest.ts';
import type { KnhkDb, StoredSource } from '../db/db.ts';
import type { Problem } from '../reports/problem.ts';
import type { DocumentKind, Verdict } from '../reports/types.ts';
import { extractEntry, readZip, type ZipEntry } from '../zip/reader.ts';

/** One dropped file. `path` is its name, or its path inside a dropped folder ('run-1/run.json'). */
export interface DroppedFile {
  path: string;
  blob: Blob;
}

/** Where a run or problem came from, for the user: 'a.zip › run-1/run.json', or a file's path. */
export type SourceLabel = string;

export interface SourcedRun {
  source: SourceLabel;
  run: CheckedRun;
}

/** A run, an archive or a document refused, with every problem (JSON Pointers into the manifest,
 *  or '' for the archive/document as a whole). */
export interface RefusedItem {
  source: SourceLabel;
  id: string | null;
  problems: Problem[];
}

/** A report dropped without its run manifest: checked and shown, not stored. */
export interface LoneReport {
  source: SourceLabel;
  kind: DocumentKind | null;
  valid: boolean;
  verdict: Verdict;
  problems: Problem[];
}

export interface IgnoredFile {
  source: SourceLabel;
  reason: string;
}

export interface FilesCheck {
  runs: SourcedRun[];
  refused: RefusedItem[];
  reports: LoneReport[];
  ignored: IgnoredFile[];
}

export interface StoreOutcome {
  /** Ids of the runs stored now. */
  added: string[];
  /** Ids of runs already stored with the very same manifest (nothing to do). */
  known: string[];
  /** Runs refused at storing time (a different run already holds the id). */
  refused: RefusedItem[];
}

export interface FilesResult extends StoreOutcome {
  reports: LoneReport[];
  ignored: IgnoredFile[];
}

export interface Progress {
  done: number;
  total: number;
  label: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  now?: Date;
}

/** The `sources` row (freshness) that dropped files update. */
export const FILES_SOURCE = { key: 'files', kind: 'files', label: 'Dropped files' } as const;

const ZIP_MAGIC = [0x50, 0x4b]; // "PK": local header or (empty archive) end record

/** Checks dropped files and stores the runs that pass (one transaction, with the freshness row).
 *  @throws AbortError when `signal` aborts (then nothing is stored). Never throws on user data. */
export async function ingestFiles(
  db: KnhkDb,
  files: DroppedFile[],
  opts: ReadOptions = {},
): Promise<FilesResult> {
  const checked = await checkDroppedFiles(files, opts);
  opts.signal?.throwIfAborted();
  const stored = await storeCheckedRuns(db, checked.runs, {
    source: FILES_SOURCE,
    refusedBefore: checked.refused.length,
    now: opts.now,
  });
  return {
    added: stored.added,
    known: stored.known,
    refused: [...checked.refused, ...stored.refused],
    reports: checked.reports,
    ignored: checked.ignored,
  };
}

/** Sorts dropped files into artifact zips, run folders and lone reports, and checks each; stores
 *  nothing. @throws AbortError when `signal` aborts. */
export async function checkDroppedFiles(files: DroppedFile[], opts: ReadOptions = {}): Promise<FilesCheck> {
  const out: FilesCheck = { runs: [], refused: [], reports: [], ignored: [] };
  const loose: { path: string; bytes: Uint8Array }[] = [];
  let done = 0;
  const total = files.length;
  for (const file of files) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.({ done, total, label: file.path });
    const bytes = new Uint8Array(await file.blob.arrayBuffer());
    const kind = classify(file.path, bytes);
    if (kind === 'zip') {
      const zip = await checkArtifactZip(bytes, file.path, opts.signal);
      out.runs.push(...zip.runs);
      out.refused.push(...zip.refused);
      out.ignored.push(...zip.ignored);
    } else if (kind === 'json') {
      loose.push({ path: normalisePath(file.path), bytes });
    } else {
      out.ignored.push({ source: file.path, reason: kind.ignored });
    }
    done++;
  }
  const folder = await checkFolder(loose, opts.signal);
  out.runs.push(...folder.runs);
  out.refused.push(...folder.refused);
  out.reports.push(...folder.reports);
  opts.onProgress?.({ done, total, label: '' });
  return out;
}

/** Checks every run folder (each `run.json`) of an artifact zip, reading the files its manifest
 *  lists from the same folder of the archive. An archive that cannot be read, or holds no
 *  run.json, is refused as a whole. @throws AbortError when `signal` aborts. */
export async function checkArtifactZip(
  bytes: Uint8Array,
  source: SourceLabel,
  signal?: AbortSignal,
): Promise<{ runs: SourcedRun[]; refused: RefusedItem[]; ignored: IgnoredFile[] }> {
  const read = readZip(bytes);
  if (!read.ok) return { runs: [], refused: [{ source, id: null, problems: read.problems }], ignored: [] };
  const files = new Map<string, ZipEntry>(read.entries.filter((e) => !e.isDirectory).map((e) => [e.path, e]));
  const manifests = [...files.keys()].filter((p) => p === 'run.json' || p.endsWith('/run.json'));
  if (manifests.length === 0) {
    return {
      runs: [],
      refused: [
        {
          source,
          id: null,
          problems: [{ path: '', message: 'no run folder in the archive: expected <run-id>/run.json' }],
        },
      ],
      ignored: [],
    };
  }
  const runs: SourcedRun[] = [];
  const refused: RefusedItem[] = [];
  const used = new Set<string>();
  for (const manifestPath of manifests) {
    signal?.throwIfAborted();
    const dir = manifestPath.slice(0, manifestPath.length - 'run.json'.length);
    const label = `${source} › ${manifestPath}`;
    const broken: Problem[] = [];
    const extract = async (path: string): Promise<Uint8Array | null> => {
      const entry = files.get(path);
      if (!entry) return null;
      used.add(path);
      const got = await extractEntry(bytes, entry, signal);
      if (got.ok) return got.bytes;
      broken.push(got.problem);
      return null;
    };
    const manifest = await extract(manifestPath);
    if (!manifest) {
      refused.push({ source: label, id: null, problems: broken });
      continue;
    }
    const result = await checkRunFiles(new TextDecoder().decode(manifest), (file) => {
      const path = joinPath(dir, file);
      return path === null ? Promise.resolve(null) : extract(path);
    });
    // An entry that failed its CRC or size check is named, beside the manifest's "is missing".
    if (result.ok && broken.length === 0) runs.push({ source: label, run: result.run });
    else
      refused.push({
        source: label,
        id: result.ok ? result.run.manifest.id : result.id,
        problems: [...broken, ...(result.ok ? [] : result.problems)],
      });
  }
  const ignored = [...files.keys()]
    .filter((p) => !used.has(p))
    .map((p) => ({ source: `${source} › ${p}`, reason: 'not listed by a run manifest in the archive' }));
  return { runs, refused, ignored };
}

/** Stores checked runs in one transaction with the source's freshness row: a run whose id is
 *  stored with the same manifest is `known`; one whose id is stored with a different manifest is
 *  refused (runs are immutable). The freshness row is written only when runs were read (added,
 *  known or refused), so a drop of lone reports changes nothing stored. */
export async function storeCheckedRuns(
  db: KnhkDb,
  runs: SourcedRun[],
  opts: {
    /** The freshness row to write; none when the caller writes it once for a longer read. */
    source?: Pick<StoredSource, 'key' | 'kind' | 'label'>;
    /** Runs (or whole archives) refused by the checks before storing, for the freshness row. */
    refusedBefore: number;
    etag?: string | null;
    now?: Date;
  },
): Promise<StoreOutcome> {
  const now = opts.now ?? new Date();
  const outcome: StoreOutcome = { added: [], known: [], refused: [] };
  // Every table: storeRuns nests inside this transaction whatever tables it writes.
  await db.transaction('rw', db.tables, async () => {
    const stored = await db.runs.bulkGet(runs.map((r) => r.run.manifest.id));
    const fresh = new Map<string, SourcedRun>();
    runs.forEach((r, i) => {
      const id = r.run.manifest.id;
      const before = stored[i]?.manifest ?? fresh.get(id)?.run.manifest;
      if (!before) fresh.set(id, r);
      else if (canonicalJson(before) === canonicalJson(r.run.manifest)) outcome.known.push(id);
      else {
        outcome.refused.push({
          source: r.source,
          id,
          problems: [
            {
              path: '/id',
              message: `a different run with the id "${id}" is already stored (runs are immutable: clear it first to replace it)`,
            },
          ],
        });
      }
    });
    if (fresh.size)
      await storeRuns(
        db,
        [...fresh.values()].map((r) => r.run),
        now,
      );
    outcome.added = [...fresh.keys()];
    const read = outcome.added.length + outcome.known.length + outcome.refused.length + opts.refusedBefore;
    if (opts.source && read > 0) {
      const previous = await db.sources.get(opts.source.key);
      await db.sources.put({
        ...opts.source,
        fetched_at: now.toISOString(),
        runs_added: outcome.added.length,
        runs_refused: outcome.refused.length + opts.refusedBefore,
        etag: opts.etag !== undefined ? opts.etag : (previous?.etag ?? null),
      });
    }
  });
  return outcome;
}

/** JSON with object keys sorted, so two manifests compare by content, not key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

// ---------------------------------------------------------------------------------------------

type Kind = 'zip' | 'json' | { ignored: string };

function classify(path: string, bytes: Uint8Array): Kind {
  const lower = path.toLowerCase();
  if (lower.endsWith('.zip') || (bytes[0] === ZIP_MAGIC[0] && bytes[1] === ZIP_MAGIC[1])) return 'zip';
  if (lower.endsWith('.json') || lower.endsWith('.jsonl')) return 'json';
  if (/\.(tar\.gz|tgz|sha256)$/.test(lower) || lower.endsWith('sha256sums')) {
    return { ignored: 'a release tarball or checksum: check it on the Verify page' };
  }
  const first = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart()[0];
  if (first === '{' || first === '[') return 'json';
  return { ignored: 'not an artifact zip or a JSON report' };
}

/** Loose JSON files: each run manifest (by content, whatever its name) reads the files it lists
 *  from its own folder; what no manifest lists is a lone report. */
async function checkFolder(
  files: { path: string; bytes: Uint8Array }[],
  signal?: AbortSignal,
): Promise<Omit<FilesCheck, 'ignored'>> {
  const out: Omit<FilesCheck, 'ignored'> = { runs: [], refused: [], reports: [] };
  const byPath = new Map(files.map((f) => [f.path, f]));
  const texts = new Map(files.map((f) => [f.path, new TextDecoder().decode(f.bytes)]));
  const manifests = files.filter((f) => isRunManifest(texts.get(f.path) ?? ''));
  const used = new Set<string>(manifests.map((m) => m.path));
  for (const m of manifests) {
    signal?.throwIfAborted();
    const dir = m.path.slice(0, m.path.lastIndexOf('/') + 1);
    const result = await checkRunFiles(texts.get(m.path) ?? '', (file) => {
      const path = joinPath(dir, file);
      const found = path === null ? undefined : byPath.get(path);
      if (found) used.add(found.path);
      return Promise.resolve(found?.bytes ?? null);
    });
    if (result.ok) out.runs.push({ source: m.path, run: result.run });
    else out.refused.push({ source: m.path, id: result.id, problems: result.problems });
  }
  for (const f of files) {
    if (used.has(f.path)) continue;
    signal?.throwIfAborted();
    const checked = await checkDocument(texts.get(f.path) ?? '');
    out.reports.push({
      source: f.path,
      kind: checked.kind,
      valid: checked.valid,
      verdict: checked.verdict,
      problems: checked.problems,
    });
  }
  return out;
}

function isRunManifest(text: string): boolean {
  if (!text.includes('knhk.run/v1')) return false;
  try {
    const doc = JSON.parse(text) as unknown;
    return typeof doc === 'object' && doc !== null && (doc as { schema?: unknown }).schema === 'knhk.run/v1';
  } catch {
    // Not JSON: it will be checked, and its syntax problem shown, as a lone document.
    return false;
  }
}

/** `dir` + a manifest's relative `file`, or null when the file name would leave the folder. */
function joinPath(dir: string, file: string): string | null {
  const parts: string[] = [];
  for (const seg of `${dir}${file}`.split('/')) {
    if (seg === '..' || file.startsWith('/')) return null;
    if (seg !== '' && seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

function normalisePath(path: string): string {
  return path.replaceAll('\\', '/').replace(/^\.\//, '');
}
