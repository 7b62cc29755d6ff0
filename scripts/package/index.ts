// `npm run package`: build native/ in a scratch copy, pack the release tarball reproducibly (the same
// commit gives the same bytes in any folder, under any umask), smoke-test the packed tarball, then
// write it with its checksums and the `release` report. A refused package leaves the out dir unchanged.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { readHeadCommit } from '../lib/git.ts';
import { isSemver, releaseTag } from '../lib/semver.ts';
import { createTar, gzipDeterministic, type TarEntry } from '../lib/tar.ts';
import { validateAs } from '../../app/lib/reports/validate.ts';
import type { ReleaseReport } from '../../app/lib/reports/types.ts';

/** The release notes file `npm run release-notes` writes into the dist dir by default. */
export const NOTES_FILE = 'RELEASE_NOTES.md';
export const SUMS_FILE = 'SHA256SUMS';
export const RELEASE_FILE = 'release.json';

/** The tarball's files below its top folder (DESIGN §7), and where each comes from relative to the
 *  repository. `native/` files are read from the scratch copy that was built, never from native/build. */
export const LAYOUT = [
  { path: 'bin/knhk', from: 'native/build/knhk', mode: 0o755 },
  { path: 'docs/LICENSE', from: 'LICENSE', mode: 0o644 },
  { path: 'docs/README.md', from: 'native/README.md', mode: 0o644 },
  { path: 'include/knhk.h', from: 'native/include/knhk.h', mode: 0o644 },
  { path: 'lib/libknhk.a', from: 'native/build/libknhk.a', mode: 0o644 },
] as const;

/** Directories of the tarball below its top folder; they and the top folder are mode 0755. */
const DIRS = ['bin/', 'docs/', 'include/', 'lib/'];

export interface PackageOptions {
  /** Repository root: package.json, LICENSE, native/ and the git checkout whose HEAD is released. */
  root: string;
  /** Where the tarball, checksums and release.json go; default `<root>/.knhk/dist`. */
  outDir?: string;
  /** The GNU triple the tarball is named for; refused when it is not the build's. */
  target?: string;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export type StepStatus = 'pass' | 'fail' | 'no-evidence';

export interface SmokeStep {
  command: string;
  status: StepStatus;
  /** One line: what was expected and what happened. */
  reason: string;
}

export interface PackagedAsset {
  name: string;
  target: string;
  size_bytes: number;
  sha256: string;
  /** Where the tarball is: in the out dir when written, else in the kept scratch folder. */
  path: string;
}

export interface PackageResult {
  /** True when everything passed and the out dir holds the release. */
  ok: boolean;
  version: string;
  target: string | null;
  commit_sha: string | null;
  asset: PackagedAsset | null;
  smoke: SmokeStep[];
  /** The `release` report written, or null when the package was refused. */
  release: ReleaseReport | null;
  /** Files written to the out dir (absolute paths). */
  written: string[];
  outDir: string;
  /** Every reason the package was refused, each `<what is wrong>: expected <x>, got <y>`. */
  problems: string[];
  /** What did not refuse the package but should be known (uncommitted sources, stale notes). */
  warnings: string[];
  /** The scratch folder, kept when the package was refused so the build can be inspected. */
  scratchDir: string | null;
}

export async function runPackage(opts: PackageOptions): Promise<PackageResult> {
  const root = resolve(opts.root);
  const outDir = resolve(opts.outDir ?? join(root, '.knhk', 'dist'));
  const log = opts.log ?? (() => {});
  const result: PackageResult = {
    ok: false,
    version: '',
    target: null,
    commit_sha: null,
    asset: null,
    smoke: [],
    release: null,
    written: [],
    outDir,
    problems: [],
    warnings: [],
    scratchDir: null,
  };
  const refuse = (problem: string): PackageResult => {
    result.problems.push(problem);
    return result;
  };

  // 1. Inputs: the version (package.json and knhk.h agree), the commit, the files to ship.
  const version = readPackageVersion(root);
  if (!version.ok) return refuse(version.problem);
  result.version = version.value;
  for (const f of LAYOUT.filter((l) => !l.from.startsWith('native/build/'))) {
    if (!existsSync(join(root, f.from))) return refuse(`missing input: expected ${f.from}, got no such file`);
  }
  const head = readReleaseCommit(root);
  if (!head.ok) return refuse(head.problem);
  const commit = head.value;
  result.commit_sha = commit.sha;
  const mtime = Math.floor(Date.parse(commit.time) / 1000);
  const dirty = uncommitted(root, ['native', 'LICENSE', 'package.json']);
  if (dirty.length) {
    result.warnings.push(
      `uncommitted changes in ${dirty.join(', ')}: the tarball holds the working tree, not commit ${commit.sha.slice(0, 12)}`,
    );
  }

  // 2. Build in a scratch copy: native/build stays the developer's, and the build folder's path
  //    differs on every run, which the reproducibility check below relies on.
  const scratch = mkdtempSync(join(tmpdir(), 'knhk-package-'));
  result.scratchDir = scratch;
  const native = join(scratch, 'native');
  copyNativeSources(join(root, 'native'), native);
  const headerVersion = readHeaderVersion(join(native, 'include/knhk.h'));
  if (headerVersion !== version.value) {
    return refuse(
      `native/include/knhk.h KNHK_VERSION differs from package.json (run npm run bump-version): expected "${version.value}", got ${headerVersion === null ? 'no #define KNHK_VERSION "x.y.z" line' : `"${headerVersion}"`}`,
    );
  }
  log(`package: building a copy of native/ in ${native}`);
  const build = buildNative(native, mtime);
  if (build) return refuse(build);
  const read = (from: string) =>
    readFileSync(from.startsWith('native/') ? join(scratch, from) : join(root, from));
  const binary = read('native/build/knhk');
  const archive = read('native/build/libknhk.a');
  for (const [name, bytes] of [
    ['bin/knhk', binary],
    ['lib/libknhk.a', archive],
  ] as const) {
    for (const path of new Set([scratch, root])) {
      if (bytes.includes(Buffer.from(path))) {
        return refuse(
          `${name} embeds the build path ${path}: expected no absolute paths (a reproducible build), got one`,
        );
      }
    }
  }
  const arProblem = checkDeterministicArchive(archive);
  if (arProblem) return refuse(`lib/libknhk.a is not deterministic: ${arProblem}`);

  // 3. Target: what the build says it is (knhk bench), else the compiler's triple.
  const detected = detectTarget(join(native, 'build/knhk'), result.warnings);
  if (!detected)
    return refuse(
      'cannot tell the build target: expected knhk bench or cc -dumpmachine to name it, got neither',
    );
  if (opts.target && opts.target !== detected) {
    return refuse(
      `--target does not match the build (no cross builds): expected "${detected}", got "${opts.target}"`,
    );
  }
  if (!/^[a-z0-9_]+(-[a-z0-9_.]+){1,3}$/.test(detected)) {
    return refuse(
      `the build target is not a GNU triple: expected such as x86_64-linux-gnu, got "${detected}"`,
    );
  }
  result.target = detected;

  // 4. Pack.
  const top = `knhk-v${version.value}-${detected}`;
  const name = `${top}.tar.gz`;
  const entries: TarEntry[] = ['', ...DIRS].map((d) => ({
    path: `${top}/${d}`,
    type: 'directory',
    mode: 0o755,
  }));
  for (const f of LAYOUT) {
    entries.push({ path: `${top}/${f.path}`, type: 'file', mode: f.mode, data: read(f.from) });
  }
  const tarball = gzipDeterministic(createTar(entries, { mtime }));
  const staged = join(scratch, 'dist', name);
  mkdirSync(join(scratch, 'dist'));
  writeFileSync(staged, tarball);
  result.asset = {
    name,
    target: detected,
    size_bytes: tarball.length,
    sha256: sha256(tarball),
    path: staged,
  };
  log(`package: ${name} ${result.asset.sha256}`);

  // 5. Smoke test the packed file as a user would: list it, unpack it, run it.
  result.smoke = smokeTest(staged, top, version.value, join(scratch, 'smoke'));
  for (const step of result.smoke.filter((s) => s.status !== 'pass')) {
    result.problems.push(`smoke test ${step.status}: ${step.command}: ${step.reason}`);
  }
  if (result.problems.length) return result;

  // 6. Publish: tarball, its .sha256, SHA256SUMS, release.json (validated first).
  const sumLine = `${result.asset.sha256}  ${name}\n`;
  const files: [string, Buffer][] = [
    [name, tarball],
    [`${name}.sha256`, Buffer.from(sumLine)],
    [SUMS_FILE, Buffer.from(sumLine)],
  ];
  const notes = readNotes(outDir, commit.sha, result.warnings);
  const release: ReleaseReport = {
    schema: 'knhk.release/v1',
    version: version.value,
    tag: releaseTag(version.value),
    commit_sha: commit.sha,
    created_at: commit.time,
    assets: [{ name, target: detected, size_bytes: tarball.length, sha256: result.asset.sha256 }],
    checksum_files: files.slice(1).map(([file, bytes]) => ({ name: file, sha256: sha256(bytes) })),
    notes,
  };
  const valid = validateAs('release', release);
  if (!valid.ok) {
    throw new Error(
      `package built an invalid release report:\n${valid.issues.map((i) => `  ${i.path || '/'}: ${i.message}`).join('\n')}`,
    );
  }
  files.push([RELEASE_FILE, Buffer.from(`${JSON.stringify(release, null, 2)}\n`)]);
  mkdirSync(outDir, { recursive: true });
  for (const [file, bytes] of files) result.written.push(writeAtomic(join(outDir, file), bytes));
  result.asset.path = join(outDir, name);
  result.release = release;
  result.ok = true;
  rmSync(scratch, { recursive: true, force: true });
  result.scratchDir = null;
  return result;
}

/** Reads the notes file of the out dir when it is about this commit (it names the full SHA). */
export function readNotes(outDir: string, sha: string, warnings: string[]): ReleaseReport['notes'] {
  const path = join(outDir, NOTES_FILE);
  if (!existsSync(path)) return { file: null, sha256: null };
  const bytes = readFileSync(path);
  if (!bytes.includes(Buffer.from(sha))) {
    warnings.push(`${path} is not about commit ${sha.slice(0, 12)} (it does not name it): notes left null`);
    return { file: null, sha256: null };
  }
  return { file: NOTES_FILE, sha256: sha256(bytes) };
}

export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The commit being released (HEAD of `root`), or the problem when there is none. */
export function readReleaseCommit(root: string): Read<{ sha: string; time: string }> {
  try {
    return { ok: true, value: readHeadCommit(root) };
  } catch (err) {
    return {
      ok: false,
      problem: `no commit to release: expected a git checkout with a commit, got ${(err as Error).message}`,
    };
  }
}

/** The version of `<root>/package.json`, or the problem (`<what is wrong>: expected <x>, got <y>`). */
export function readPackageVersion(root: string): Read<string> {
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
  } catch (err) {
    return {
      ok: false,
      problem: `cannot read package.json: expected a JSON file, got ${(err as Error).message}`,
    };
  }
  if (typeof version !== 'string' || !isSemver(version)) {
    return {
      ok: false,
      problem: `package.json version is not a semantic version: expected X.Y.Z such as 1.2.3, got ${JSON.stringify(version ?? null)}`,
    };
  }
  return { ok: true, value: version };
}

/** The version in `#define KNHK_VERSION "x.y.z"`, or null without exactly one such line. */
export function readHeaderVersion(path: string): string | null {
  if (!existsSync(path)) return null;
  const matches = [...readFileSync(path, 'utf8').matchAll(/^#define KNHK_VERSION "([^"]*)"[ \t]*$/gm)];
  return matches.length === 1 ? (matches[0]?.[1] ?? null) : null;
}

/** Copies native/ without its build/ folder (the developer's outputs are never shipped). */
function copyNativeSources(from: string, to: string): void {
  const buildDir = join(from, 'build');
  cpSync(from, to, { recursive: true, filter: (src) => src !== buildDir && !src.startsWith(buildDir + sep) });
}

/**
 * Runs make in `dir` with what a reproducible build needs: SOURCE_DATE_EPOCH (GCC uses it for
 * __DATE__ and __TIME__), the build folder mapped to `.` in anything the compiler records
 * (-ffile-prefix-map, passed through CC so that the flags the bench reports stay the Makefile's),
 * the C locale and UTC. @return null when build/knhk and build/libknhk.a were built, else the problem.
 */
function buildNative(dir: string, epoch: number): string | null {
  const cc = `${process.env.CC || 'cc'} -ffile-prefix-map=${dir}=.`;
  const env = { ...process.env, SOURCE_DATE_EPOCH: String(epoch), LC_ALL: 'C', TZ: 'UTC' };
  const jobs = `-j${Math.max(1, Math.min(availableParallelism(), 8))}`;
  const make = spawnSync('make', ['-C', dir, '--no-print-directory', jobs, `CC=${cc}`], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (make.status !== 0) {
    const tail = `${make.stdout ?? ''}${make.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    return `make failed in a copy of native/: expected exit 0, got ${make.error ? make.error.message : `exit ${make.status}`}\n${tail}`;
  }
  for (const out of ['build/knhk', 'build/libknhk.a']) {
    if (!existsSync(join(dir, out)))
      return `make did not build ${out}: expected native/${out}, got no such file`;
  }
  return null;
}

/**
 * An `ar` archive is deterministic when every member header has mtime 0, uid 0, gid 0 (GNU ar's `D`
 * modifier, the default on Debian). @return the first problem, or null.
 */
export function checkDeterministicArchive(ar: Buffer): string | null {
  const MAGIC = '!<arch>\n';
  if (ar.subarray(0, 8).toString('latin1') !== MAGIC) return 'expected an ar archive, got other data';
  let at = 8;
  while (at + 60 <= ar.length) {
    const field = (from: number, len: number) =>
      ar
        .subarray(at + from, at + from + len)
        .toString('latin1')
        .trim();
    const member = field(0, 16);
    const size = Number(field(48, 10));
    for (const [label, value] of [
      ['mtime', field(16, 12)],
      ['uid', field(28, 6)],
      ['gid', field(34, 6)],
    ] as const) {
      if (Number(value) !== 0) {
        return `member ${member} has ${label} ${value}: expected 0 (build it with "ar D", e.g. ARFLAGS/AR rcsD)`;
      }
    }
    if (!Number.isInteger(size) || size < 0) return `member ${member} has a bad size field`;
    at += 60 + size + (size % 2);
  }
  return null;
}

/** `x86_64-pc-linux-gnu` -> `x86_64-linux-gnu`; `arm64-apple-darwin23.1.0` -> `aarch64-apple-darwin`. */
export function normaliseTriple(triple: string): string {
  const parts = triple.trim().toLowerCase().split('-');
  if (parts.length === 4 && ['pc', 'unknown', 'none'].includes(parts[1] as string)) parts.splice(1, 1);
  if (parts[0] === 'arm64') parts[0] = 'aarch64';
  if (parts[0] === 'amd64') parts[0] = 'x86_64';
  return parts.map((p) => p.replace(/^(darwin|freebsd)[\d.]+$/, '$1')).join('-');
}

function detectTarget(knhk: string, warnings: string[]): string | null {
  const bench = spawnSync(knhk, ['bench', '--json', '--samples', '1000', '--op', 'ASK_SP'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (bench.status === 0) {
    try {
      const target = (JSON.parse(bench.stdout) as { target?: unknown }).target;
      if (typeof target === 'string' && target) return target;
    } catch {
      // Not JSON: fall through to the compiler's triple, with the warning below.
    }
  }
  const cc = spawnSync(process.env.CC || 'cc', ['-dumpmachine'], { encoding: 'utf8' });
  if (cc.status !== 0 || !cc.stdout.trim()) return null;
  warnings.push(
    `knhk bench --json did not name the target (exit ${bench.status}): used cc -dumpmachine (${cc.stdout.trim()})`,
  );
  return normaliseTriple(cc.stdout);
}

/**
 * Lists the tarball with `tar -tzf` (exactly the release layout), unpacks it with `tar -xzf`, runs
 * `bin/knhk version` (must name the version) and `bin/knhk selftest` (must exit 0). A binary without
 * a selftest command is no evidence, not a pass.
 */
export function smokeTest(tarball: string, top: string, version: string, workDir: string): SmokeStep[] {
  const steps: SmokeStep[] = [];
  mkdirSync(workDir, { recursive: true });
  const want = [...['', ...DIRS].map((d) => `${top}/${d}`), ...LAYOUT.map((f) => `${top}/${f.path}`)].sort();
  const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  const got = (list.stdout ?? '').split('\n').filter(Boolean).sort();
  const listOk = list.status === 0 && JSON.stringify(got) === JSON.stringify(want);
  steps.push({
    command: `tar -tzf ${basename(tarball)}`,
    status: listOk ? 'pass' : 'fail',
    reason: listOk
      ? `${got.length} entries, exactly the release layout`
      : `expected ${want.join(' ')}, got ${list.status === 0 ? got.join(' ') : `exit ${list.status}: ${list.stderr.trim()}`}`,
  });
  const unpack = spawnSync('tar', ['-xzf', tarball, '-C', workDir], { encoding: 'utf8' });
  steps.push({
    command: `tar -xzf ${basename(tarball)}`,
    status: unpack.status === 0 ? 'pass' : 'fail',
    reason:
      unpack.status === 0
        ? 'unpacked'
        : `expected exit 0, got exit ${unpack.status}: ${unpack.stderr.trim()}`,
  });
  const bin = join(workDir, top, 'bin/knhk');
  if (unpack.status !== 0 || !existsSync(bin)) return steps;

  const run = (args: string[]) => spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000, cwd: workDir });
  const v = run(['version']);
  const versionOk =
    v.status === 0 && new RegExp(`^knhk ${version.replace(/\./g, '\\.')}(\\s|$)`).test(v.stdout);
  steps.push({
    command: 'bin/knhk version',
    status: versionOk ? 'pass' : 'fail',
    reason: versionOk
      ? v.stdout.trim()
      : `expected exit 0 and "knhk ${version} ...", got exit ${v.status ?? v.signal}: ${(v.stdout + v.stderr).trim()}`,
  });
  const s = run(['selftest']);
  const output = `${s.stdout ?? ''}${s.stderr ?? ''}`.trim();
  const missing = s.status === 2 && /unknown command/i.test(output) && /selftest/.test(output);
  steps.push({
    command: 'bin/knhk selftest',
    status: s.status === 0 ? 'pass' : missing ? 'no-evidence' : 'fail',
    reason:
      s.status === 0
        ? lastLine(output) || 'exit 0'
        : missing
          ? `this build has no selftest command: expected exit 0, got exit 2 (${lastLine(output)})`
          : `expected exit 0, got exit ${s.status ?? s.signal}: ${lastLine(output)}`,
  });
  return steps;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/** Paths among `paths` with uncommitted changes (tracked or not, ignored files aside). */
function uncommitted(root: string, paths: string[]): string[] {
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--', ...paths], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    return [...new Set(files.map((f) => f.split('/').slice(0, 2).join('/')))].sort();
  } catch {
    return []; // Not a git checkout: readHeadCommit refuses the package with the reason.
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeAtomic(path: string, bytes: Uint8Array): string {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return path;
}

/** The out dir relative to the working directory, for messages. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
