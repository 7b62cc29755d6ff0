// `npm run package -- --checksums DIR`: once every target was packaged, check each tarball of DIR against
// its `.sha256`, then write one SHA256SUMS and one release.json over all of them. Deterministic (no clock
// is read: the same files and commit give the same bytes); a refused DIR is left unchanged.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isSemver, releaseTag } from '../lib/semver.ts';
import { validateAs } from '../../app/lib/reports/validate.ts';
import type { ReleaseReport } from '../../app/lib/reports/types.ts';
import {
  NOTES_FILE,
  RELEASE_FILE,
  SUMS_FILE,
  readNotes,
  readPackageVersion,
  readReleaseCommit,
  sha256,
  writeAtomic,
  type Read,
} from './index.ts';

/** A target as the release schema names it (common.schema.json#/definitions/target). */
const TARGET_RE = /^[a-z0-9_]+(-[a-z0-9_.]+){1,3}$/;
/** One GNU `sha256sum` line: text mode (two spaces) or binary mode (` *`). */
const SUM_LINE_RE = /^([0-9a-fA-F]{64}) [ *](.+)$/;
const TARBALL_EXT = '.tar.gz';
const SUM_EXT = '.sha256';
/** Files of DIR that are ours besides the tarballs and their `.sha256`: outputs and the notes. */
const KNOWN_FILES = new Set([SUMS_FILE, RELEASE_FILE, NOTES_FILE]);

export interface ChecksumsOptions {
  /** Repository root: its package.json gives the version, its HEAD the commit released. */
  root: string;
  /** The folder holding every target's `knhk-v<version>-<target>.tar.gz` and its `.sha256`. */
  dir: string;
}

export interface ChecksumsResult {
  /** True when every tarball checked and SHA256SUMS and release.json were written. */
  ok: boolean;
  dir: string;
  version: string;
  commit_sha: string | null;
  /** Every tarball that checked, sorted by name. */
  assets: ReleaseReport['assets'];
  /** The `release` report written, or null when refused. */
  release: ReleaseReport | null;
  /** Files written (absolute paths): SHA256SUMS, then release.json. */
  written: string[];
  /** Every reason DIR was refused, each naming the file: `<what is wrong>: expected <x>, got <y>`. */
  problems: string[];
  /** What did not refuse DIR but should be known (notes about another commit, stray files). */
  warnings: string[];
}

/**
 * Checks every release tarball of `opts.dir` and writes SHA256SUMS and release.json beside them.
 * @pre the tarballs were written by `npm run package` (one per target, each with its `.sha256`).
 * @return the result; `ok: false` lists every problem at once and nothing was written. Never throws
 *   on the folder's content; throws only on a failed write.
 */
export async function runChecksums(opts: ChecksumsOptions): Promise<ChecksumsResult> {
  const root = resolve(opts.root);
  const dir = resolve(opts.dir);
  const result: ChecksumsResult = {
    ok: false,
    dir,
    version: '',
    commit_sha: null,
    assets: [],
    release: null,
    written: [],
    problems: [],
    warnings: [],
  };
  const refuse = (problem: string): ChecksumsResult => {
    result.problems.push(problem);
    return result;
  };

  const version = readPackageVersion(root);
  if (!version.ok) return refuse(version.problem);
  result.version = version.value;
  const head = readReleaseCommit(root);
  if (!head.ok) return refuse(head.problem);
  const commit = head.value;
  result.commit_sha = commit.sha;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return refuse(`--checksums is not a folder: expected the folder of the tarballs, got ${dir}`);
  }

  // Byte order, not the locale's: the same names give the same order on every machine.
  const names = readdirSync(dir).sort(byCodeUnit);
  const isFile = (name: string) => {
    try {
      return statSync(join(dir, name)).isFile();
    } catch {
      return false; // a dangling symlink: not a file, reported as such by the caller
    }
  };
  const tarballs = names.filter((n) => n.endsWith(TARBALL_EXT));
  const pattern = `knhk-v${version.value}-<target>${TARBALL_EXT}`;
  const sumFiles: { name: string; bytes: Buffer }[] = [];

  for (const name of tarballs) {
    if (!isFile(name)) {
      result.problems.push(
        `${name} is not a file: expected a release tarball, got a folder, special file or dangling link`,
      );
      continue;
    }
    const parsed = parseAssetName(name, version.value);
    if (!parsed.ok) {
      result.problems.push(parsed.problem);
      continue;
    }
    const target = parsed.value;
    const bytes = readFileSync(join(dir, name));
    if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      result.problems.push(
        `${name} is not gzip data: expected bytes 1f 8b first, got ${
          bytes.length
            ? bytes
                .subarray(0, 2)
                .toString('hex')
                .replace(/^(..)(..)$/, '$1 $2')
            : 'an empty file'
        }`,
      );
      continue;
    }
    const actual = sha256(bytes);
    const sumName = `${name}${SUM_EXT}`;
    if (!names.includes(sumName) || !isFile(sumName)) {
      result.problems.push(`${name} has no checksum file: expected ${sumName} beside it, got no such file`);
      continue;
    }
    const sumBytes = readFileSync(join(dir, sumName));
    const claimed = parseSumFile(sumBytes.toString('utf8'), name);
    if (!claimed.ok) {
      result.problems.push(`${sumName} ${claimed.problem}`);
      continue;
    }
    if (claimed.value !== actual) {
      result.problems.push(
        `${name} does not match ${sumName} (a corrupted or tampered file): expected sha256 ${claimed.value}, got ${actual}`,
      );
      continue;
    }
    result.assets.push({ name, target, size_bytes: bytes.length, sha256: actual });
    sumFiles.push({ name: sumName, bytes: sumBytes });
  }

  const tarballSet = new Set(tarballs);
  for (const name of names) {
    if (name.endsWith(SUM_EXT) && !tarballSet.has(name.slice(0, -SUM_EXT.length))) {
      result.problems.push(
        `${name} has no tarball: expected ${name.slice(0, -SUM_EXT.length)} beside it, got no such file`,
      );
    } else if (!name.endsWith(TARBALL_EXT) && !name.endsWith(SUM_EXT) && !KNOWN_FILES.has(name)) {
      result.warnings.push(`${name} is not part of the release: left as is, and not in ${SUMS_FILE}`);
    }
  }
  if (!tarballs.length) {
    result.problems.push(`no release tarball in ${dir}: expected ${pattern} files, got none`);
  }
  if (result.problems.length) {
    result.assets = [];
    return result;
  }

  const sums = Buffer.from(result.assets.map((a) => `${a.sha256}  ${a.name}\n`).join(''));
  const release: ReleaseReport = {
    schema: 'knhk.release/v1',
    version: version.value,
    tag: releaseTag(version.value),
    commit_sha: commit.sha,
    created_at: commit.time,
    assets: result.assets,
    checksum_files: [
      ...sumFiles.map((f) => ({ name: f.name, sha256: sha256(f.bytes) })),
      { name: SUMS_FILE, sha256: sha256(sums) },
    ],
    notes: readNotes(dir, commit.sha, result.warnings),
  };
  const valid = validateAs('release', release);
  if (!valid.ok) {
    for (const i of valid.issues) {
      result.problems.push(`${RELEASE_FILE} would be invalid at ${i.path || '/'}: ${i.message}`);
    }
    return result;
  }
  result.written.push(writeAtomic(join(dir, SUMS_FILE), sums));
  result.written.push(
    writeAtomic(join(dir, RELEASE_FILE), Buffer.from(`${JSON.stringify(release, null, 2)}\n`)),
  );
  result.release = release;
  result.ok = true;
  return result;
}

/**
 * Reads a release tarball name `knhk-v<version>-<target>.tar.gz`.
 * @param version the version every tarball must carry (package.json's)
 * @return the target, or the problem naming the file (another version, or not such a name at all)
 */
export function parseAssetName(name: string, version: string): Read<string> {
  const pattern = `knhk-v${version}-<target>${TARBALL_EXT}`;
  const body =
    name.startsWith('knhk-v') && name.endsWith(TARBALL_EXT) ? name.slice(6, -TARBALL_EXT.length) : null;
  if (body !== null && body.startsWith(`${version}-`) && TARGET_RE.test(body.slice(version.length + 1))) {
    return { ok: true, value: body.slice(version.length + 1) };
  }
  // `0.2.0-rc.1-x86_64-linux-gnu` splits more than one way; the shortest version is the likely one.
  for (let at = body?.indexOf('-') ?? -1; body !== null && at > 0; at = body.indexOf('-', at + 1)) {
    const other = body.slice(0, at);
    if (isSemver(other) && TARGET_RE.test(body.slice(at + 1))) {
      return {
        ok: false,
        problem: `${name} is another version than package.json: expected ${pattern}, got version ${other}`,
      };
    }
  }
  return {
    ok: false,
    problem: `${name} is not a release tarball name: expected ${pattern} (a target such as x86_64-linux-gnu), got ${name}`,
  };
}

/**
 * Reads a `.sha256` file: exactly one GNU `sha256sum` line for `name`.
 * @return the lowercase SHA-256 it claims, or the problem (to follow the file's name in a message).
 */
export function parseSumFile(text: string, name: string): Read<string> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const want = `"<64 hex digits>  ${name}"`;
  if (lines.length !== 1) {
    return {
      ok: false,
      problem: `is not one sha256sum line: expected ${want}, got ${lines.length} line(s)`,
    };
  }
  const line = (lines[0] as string).replace(/\r$/, '');
  const m = SUM_LINE_RE.exec(line);
  if (!m) {
    const shown = line.length > 100 ? `${line.slice(0, 100)}…` : line;
    return { ok: false, problem: `is not a sha256sum line: expected ${want}, got ${JSON.stringify(shown)}` };
  }
  if (m[2] !== name) {
    return { ok: false, problem: `names another file: expected ${name}, got ${m[2]}` };
  }
  return { ok: true, value: (m[1] as string).toLowerCase() };
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
