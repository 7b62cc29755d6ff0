// `npm run bump-version -- X.Y.Z`: one version in package.json, native/include/knhk.h (KNHK_VERSION),
// registry/registry_manifest.yaml (semconv_version) and package-lock.json when present. All or
// nothing: every file is checked before any is written, and a failed write restores the others.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareSemver, parseSemver } from '../lib/semver.ts';

export interface BumpVersionOptions {
  /** Repository root. */
  root: string;
  /** The new version, `X.Y.Z` or `X.Y.Z-PRE`. */
  version: string;
  /** Compute and return the diff; write nothing. */
  dryRun?: boolean;
}

export interface FileChange {
  /** Path relative to the root. */
  file: string;
  /** The version the file held. */
  from: string;
  before: string;
  after: string;
}

export type BumpVersionResult =
  | {
      ok: true;
      version: string;
      dryRun: boolean;
      changes: FileChange[];
      /** Unified-style diff of every change (`--- a/file`, `+++ b/file`, `@@ -l,n +l,n @@`). */
      diff: string;
    }
  | { ok: false; code: 1 | 2; problems: string[] };

const HEADER = 'native/include/knhk.h';
const MANIFEST = 'registry/registry_manifest.yaml';
const HEADER_RE = /^(#define KNHK_VERSION ")([^"\n]*)("[ \t]*)$/gm;
const MANIFEST_RE = /^(semconv_version:[ \t]*)([^\s#]+)([ \t]*(?:#.*)?)$/gm;

export function runBumpVersion(opts: BumpVersionOptions): BumpVersionResult {
  const root = resolve(opts.root);
  const next = parseSemver(opts.version);
  if (!next) {
    return {
      ok: false,
      code: 2,
      problems: [
        `not a semantic version: expected X.Y.Z or X.Y.Z-PRE such as 1.2.3 (no "v", no build metadata), got "${opts.version}"`,
      ],
    };
  }

  const problems: string[] = [];
  const changes: FileChange[] = [];
  const plan = (file: string, edit: (text: string) => { from: string; after: string } | string) => {
    const path = join(root, file);
    if (!existsSync(path)) {
      problems.push(`${file} is missing: expected the file, got nothing`);
      return;
    }
    const before = readFileSync(path, 'utf8');
    const r = edit(before);
    if (typeof r === 'string') problems.push(`${file}: ${r}`);
    else changes.push({ file, from: r.from, before, after: r.after });
  };

  plan('package.json', (text) => editJsonVersions(text, [['version']], opts.version));
  if (existsSync(join(root, 'package-lock.json'))) {
    // lockfileVersion 2 and 3 hold the version twice; version 1 only at the top.
    plan('package-lock.json', (text) => editJsonVersions(text, lockVersionPaths(text), opts.version));
  }
  plan(HEADER, (text) => editOneLine(text, HEADER_RE, opts.version, 'one line #define KNHK_VERSION "x.y.z"'));
  plan(MANIFEST, (text) => editOneLine(text, MANIFEST_RE, opts.version, 'one line semconv_version: x.y.z'));

  // The new version must be above every version the files hold now (they should all agree).
  const filesAt = new Map<string, string[]>();
  for (const c of changes) filesAt.set(c.from, [...(filesAt.get(c.from) ?? []), c.file]);
  for (const [from, files] of filesAt) {
    const current = parseSemver(from);
    if (!current) {
      problems.push(
        `${files.join(', ')} hold "${from}": expected a semantic version X.Y.Z (fix it by hand first)`,
      );
    } else if (compareSemver(next, current) <= 0) {
      const same = compareSemver(next, current) === 0 ? ' (the current version)' : '';
      problems.push(
        `version must go up: expected a version above ${from} (${files.join(', ')}), got "${opts.version}"${same}`,
      );
    }
  }
  if (problems.length) return { ok: false, code: 1, problems };

  const diff = changes.map((c) => unifiedDiff(c.file, c.before, c.after)).join('');
  if (!opts.dryRun) writeAll(root, changes);
  return { ok: true, version: opts.version, dryRun: Boolean(opts.dryRun), changes, diff };
}

/**
 * Replaces the string values at `paths` (each must exist) with `version`, editing the text in place
 * so the file's layout is kept, and proves the edit by parsing: the result must equal the parsed
 * original with exactly those values changed. @return the old version and the new text, or why not.
 */
export function editJsonVersions(
  text: string,
  paths: string[][],
  version: string,
): { from: string; after: string } | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return `not JSON: expected a JSON object, got ${(err as Error).message}`;
  }
  const olds = paths.map((p) => getPath(doc, p));
  const missing = paths.filter((_, i) => typeof olds[i] !== 'string');
  if (missing.length) {
    return `no version to update: expected a string at ${missing.map((p) => `/${p.join('/')}`).join(', ')}, got none`;
  }
  const want = structuredClone(doc);
  for (const p of paths) setPath(want, p, version);
  const wantText = JSON.stringify(want);

  // Try each `"version": "..."` in order; keep a replacement when it changes one wanted value and
  // nothing else. The wanted values come first in npm's files, so this stops early.
  let current = text;
  let done = 0;
  const re = /("version"\s*:\s*")([^"\\]*)(")/g;
  let m: RegExpExecArray | null;
  let state = structuredClone(doc);
  while (done < paths.length && (m = re.exec(current)) !== null) {
    const [whole, head = '', , tail = ''] = m;
    const candidate =
      current.slice(0, m.index) + head + version + tail + current.slice(m.index + whole.length);
    const parsed = JSON.parse(candidate) as unknown;
    const hit = paths.find((p) => {
      const expected = structuredClone(state);
      setPath(expected, p, version);
      return getPath(state, p) !== version && JSON.stringify(expected) === JSON.stringify(parsed);
    });
    if (hit) {
      current = candidate;
      state = parsed;
      done++;
      re.lastIndex = m.index + head.length + version.length + tail.length;
    }
  }
  if (JSON.stringify(JSON.parse(current)) !== wantText) {
    return `cannot update ${paths.map((p) => `/${p.join('/')}`).join(', ')} in place: expected "version": "..." entries, got another layout`;
  }
  return { from: olds[0] as string, after: current };
}

/** The project-version fields a package-lock.json has: `/version`, and `/packages//version` (the
 *  root package) when present. */
function lockVersionPaths(text: string): string[][] {
  const paths = [['version']];
  try {
    const lock = JSON.parse(text) as { packages?: Record<string, { version?: unknown }> };
    if (typeof lock.packages?.['']?.version === 'string') paths.push(['packages', '', 'version']);
  } catch {
    // editJsonVersions reports the parse error with the file's name.
  }
  return paths;
}

/** Replaces the version captured by `re` (group 2) on the one line it must match. */
function editOneLine(
  text: string,
  re: RegExp,
  version: string,
  what: string,
): { from: string; after: string } | string {
  const matches = [...text.matchAll(re)];
  if (matches.length !== 1) return `expected ${what}, got ${matches.length} such lines`;
  const m = matches[0] as RegExpExecArray;
  const after = text.slice(0, m.index) + m[1] + version + m[3] + text.slice(m.index + m[0].length);
  return { from: m[2] as string, after };
}

function getPath(doc: unknown, path: string[]): unknown {
  let at: unknown = doc;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function setPath(doc: unknown, path: string[], value: string): void {
  const parent = getPath(doc, path.slice(0, -1)) as Record<string, unknown>;
  parent[path[path.length - 1] as string] = value;
}

/**
 * Writes every change through a temporary file, then renames them all; when any step fails the
 * files already renamed get their old text back, and the error is rethrown (an internal error).
 */
function writeAll(root: string, changes: FileChange[]): void {
  const tmps = changes.map((c) => `${join(root, c.file)}.bump-${process.pid}`);
  const done: FileChange[] = [];
  try {
    changes.forEach((c, i) => writeFileSync(tmps[i] as string, c.after));
    changes.forEach((c, i) => {
      renameSync(tmps[i] as string, join(root, c.file));
      done.push(c);
    });
  } catch (err) {
    for (const c of done) writeFileSync(join(root, c.file), c.before);
    for (const t of tmps) if (existsSync(t)) renameSync(t, `${t}.failed`);
    throw err;
  }
}

/**
 * A unified-style diff of two texts with the same number of lines (a version bump changes lines,
 * never adds any), `context` lines around each change; changes whose context touches share a hunk.
 */
export function unifiedDiff(file: string, before: string, after: string, context = 1): string {
  // A final newline ends the last line; it does not start an empty one.
  const lines = (text: string) => (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const a = lines(before);
  const b = lines(after);
  if (a.length !== b.length) throw new Error(`unifiedDiff: ${file} changed its line count`);
  const changed = a.map((line, i) => line !== b[i]);
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let i = changed.indexOf(true);
  while (i >= 0) {
    const start = Math.max(0, i - context);
    let last = i;
    for (let j = i + 1; j < a.length && j <= last + 2 * context + 1; j++) if (changed[j]) last = j;
    const stop = Math.min(a.length - 1, last + context);
    out.push(`@@ -${start + 1},${stop - start + 1} +${start + 1},${stop - start + 1} @@`);
    for (let j = start; j <= stop;) {
      if (!changed[j]) {
        out.push(` ${a[j]}`);
        j++;
        continue;
      }
      let end = j;
      while (end + 1 <= stop && changed[end + 1]) end++;
      for (let k = j; k <= end; k++) out.push(`-${a[k]}`);
      for (let k = j; k <= end; k++) out.push(`+${b[k]}`);
      j = end + 1;
    }
    const next = changed.indexOf(true, stop + 1);
    i = next;
  }
  return `${out.join('\n')}\n`;
}
