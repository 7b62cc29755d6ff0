// package: the release tarball is byte-identical for one commit whatever the folder, umask and file
// times; it holds exactly the release layout; SHA256SUMS checks; a failed smoke test writes nothing.
// Stub native/ trees (a tiny Makefile and CLI) test the packaging rules quickly and without the C
// engineer's work in progress; the real native/ proves reproducibility and the real smoke test.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  checkDeterministicArchive,
  normaliseTriple,
  runPackage,
  sha256,
  type PackageResult,
} from '../../../scripts/package/index.ts';
import { readTarGz } from '../../../scripts/lib/tar.ts';
import { validateAs } from '../../../app/lib/reports/validate.ts';
import { commitAll, tempDirs } from '../temp.ts';

const REPO = join(import.meta.dirname, '../../..');
const COMMIT_DATE = '2026-12-04T16:00:00Z';
const COMMIT_EPOCH = Date.parse(COMMIT_DATE) / 1000;
const HOST = normaliseTriple(execFileSync('cc', ['-dumpmachine'], { encoding: 'utf8' }));
const LAYOUT_FILES = ['bin/knhk', 'docs/LICENSE', 'docs/README.md', 'include/knhk.h', 'lib/libknhk.a'];

/** Temporary folders of this file (stub repositories, copies, kept scratch builds), removed at the end. */
const { tempDir, removeLater } = tempDirs();

/** Runs the package and remembers a kept scratch folder for removal. */
async function pack(opts: Parameters<typeof runPackage>[0]): Promise<PackageResult> {
  const result = await runPackage(opts);
  if (result.scratchDir) removeLater(result.scratchDir);
  return result;
}

/** Commits everything in `root` with fixed names and dates: equal trees give equal commit SHAs. */
const commit = (root: string) => commitAll(root, 'chore(release): package test', COMMIT_DATE);

interface StubOptions {
  version?: string;
  /** The version knhk.h declares (default: `version`). */
  headerVersion?: string;
  /** What `knhk selftest` exits with; null: the CLI has no selftest command. */
  selftestExit?: number | null;
  /** Extra -D flags for the CLI (e.g. one that embeds the build folder). */
  defs?: string;
}

/** A repository with a stub native/: `knhk version`, optionally `selftest`, no `bench`. */
function stubRepo(opts: StubOptions = {}): string {
  const version = opts.version ?? '0.3.0';
  const root = tempDir('knhk-package-stub-');
  const selftest = opts.selftestExit === null ? '' : `-DSELFTEST_EXIT=${opts.selftestExit ?? 0}`;
  const files: Record<string, string> = {
    'package.json': `{\n  "name": "knhk-stub",\n  "version": "${version}"\n}\n`,
    LICENSE: 'MIT License\n\nstub\n',
    '.gitignore': 'native/build/\n',
    'native/README.md': '# stub native\n',
    'native/include/knhk.h': `#define KNHK_VERSION "${opts.headerVersion ?? version}"\n`,
    'native/src/lib.c': 'int knhk_stub(void) { return 42; }\n',
    'native/cli/main.c': [
      '#include <stdio.h>',
      '#include <string.h>',
      '#include "knhk.h"',
      '#ifndef WHERE',
      '#define WHERE ""',
      '#endif',
      'int main(int argc, char **argv) {',
      '  const char *cmd = argc > 1 ? argv[1] : "";',
      '  if (strcmp(cmd, "version") == 0) { printf("knhk %s (variant: portable)%s\\n", KNHK_VERSION, WHERE); return 0; }',
      '#ifdef SELFTEST_EXIT',
      '  if (strcmp(cmd, "selftest") == 0) { printf("selftest: 3 passed, 0 failed\\n"); return SELFTEST_EXIT; }',
      '#endif',
      '  fprintf(stderr, "knhk: usage: unknown command: expected version, got \'%s\'\\n", cmd);',
      '  return 2;',
      '}',
      '',
    ].join('\n'),
    'native/Makefile': [
      'CC ?= cc',
      'all: build/knhk build/libknhk.a',
      'build/knhk: cli/main.c include/knhk.h',
      `\t@mkdir -p build`,
      `\t$(CC) -O2 -Iinclude ${selftest} ${opts.defs ?? ''} -o $@ cli/main.c`,
      'build/libknhk.a: src/lib.c',
      `\t@mkdir -p build`,
      `\t$(CC) -O2 -c src/lib.c -o build/lib.o`,
      `\trm -f $@`,
      `\t$(AR) rcsD $@ build/lib.o`,
      '',
    ].join('\n'),
    // A developer's stale build output: never shipped (the package builds a fresh copy).
    'native/build/knhk': 'stale\n',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  commit(root);
  return root;
}

/** A repository holding what the real package needs, as committed at HEAD: package.json, LICENSE, native/. */
function realRepo(parent: string, mode: { file: number; dir: number; mtime: number }): string {
  const root = join(parent, 'knhk');
  mkdirSync(root, { recursive: true });
  // The committed files, not the working tree: native/ may be mid-rewrite, and a release is a commit.
  const archive = execFileSync(
    'git',
    ['archive', '--format=tar', 'HEAD', '--', 'package.json', 'LICENSE', 'native'],
    {
      cwd: REPO,
      maxBuffer: 1 << 28,
    },
  );
  execFileSync('tar', ['-xf', '-', '-C', root], { input: archive });
  writeFileSync(join(root, '.gitignore'), 'native/build/\n');
  // Permissions and times differ between the copies; git records only the executable bit.
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
        chmodSync(p, mode.dir);
      } else {
        chmodSync(p, (statSync(p).mode & 0o100) | mode.file);
      }
      utimesSync(p, mode.mtime, mode.mtime);
    }
  };
  walk(root);
  commit(root);
  return root;
}

function listTarball(path: string): string[] {
  return execFileSync('tar', ['-tzf', path], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

function expectedListing(top: string): string[] {
  return [
    `${top}/`,
    `${top}/bin/`,
    `${top}/docs/`,
    `${top}/include/`,
    `${top}/lib/`,
    ...LAYOUT_FILES.map((f) => `${top}/${f}`),
  ].sort();
}

function problemsBesidesSmoke(r: PackageResult): string[] {
  return r.problems.filter((p) => !p.startsWith('smoke test '));
}

describe('runPackage with a stub native/', () => {
  it('writes the tarball, its .sha256, SHA256SUMS and a valid release report for the commit', async () => {
    const root = stubRepo();
    const out = join(root, 'dist');
    const result = await pack({ root, outDir: out });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    const top = `knhk-v0.3.0-${HOST}`;
    const name = `${top}.tar.gz`;
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', name, `${name}.sha256`, 'release.json'].sort());

    // Exactly the release layout (the stale native/build/knhk is not in it).
    expect(listTarball(join(out, name))).toEqual(expectedListing(top));
    // sha256sum -c accepts both checksum files.
    for (const sums of ['SHA256SUMS', `${name}.sha256`]) {
      const check = spawnSync('sha256sum', ['-c', sums], { cwd: out, encoding: 'utf8' });
      expect([check.status, check.stdout]).toEqual([0, `${name}: OK\n`]);
    }

    // Headers: fixed owner, modes and mtime (the commit time), whatever the files on disk had.
    const listing = readTarGz(readFileSync(join(out, name)));
    expect(listing.problems).toEqual([]);
    for (const e of listing.entries) {
      const exec = e.path.endsWith('/') || e.path.endsWith('/bin/knhk');
      expect([e.path, e.mode.toString(8), e.uid, e.gid, e.uname, e.gname, e.mtime]).toEqual([
        e.path,
        exec ? '755' : '644',
        0,
        0,
        'root',
        'root',
        COMMIT_EPOCH,
      ]);
    }
    const gz = readFileSync(join(out, name));
    expect([gz.readUInt32LE(4), gz[9]]).toEqual([0, 3]);

    const release = JSON.parse(readFileSync(join(out, 'release.json'), 'utf8')) as unknown;
    expect(validateAs('release', release)).toEqual({ ok: true, value: release });
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    expect(release).toEqual({
      schema: 'knhk.release/v1',
      version: '0.3.0',
      tag: 'v0.3.0',
      commit_sha: sha,
      created_at: COMMIT_DATE,
      assets: [{ name, target: HOST, size_bytes: gz.length, sha256: sha256(gz) }],
      checksum_files: [
        { name: `${name}.sha256`, sha256: sha256(readFileSync(join(out, `${name}.sha256`))) },
        { name: 'SHA256SUMS', sha256: sha256(readFileSync(join(out, 'SHA256SUMS'))) },
      ],
      notes: { file: null, sha256: null },
    });
    expect(result.smoke.map((s) => [s.command, s.status])).toEqual([
      [`tar -tzf ${name}`, 'pass'],
      [`tar -xzf ${name}`, 'pass'],
      ['bin/knhk version', 'pass'],
      ['bin/knhk selftest', 'pass'],
    ]);
    // The stub has no bench: the target came from the compiler, and the package says so.
    expect(result.warnings).toEqual([
      expect.stringMatching(/^knhk bench --json did not name the target .*cc -dumpmachine/),
    ]);
  });

  it('names the release notes of the out dir when they are about this commit', async () => {
    const root = stubRepo();
    const out = join(root, 'dist');
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    mkdirSync(out);
    writeFileSync(join(out, 'RELEASE_NOTES.md'), `# KNHK v0.3.0\n\nRelease commit \`${sha}\`\n`);
    const withNotes = await pack({ root, outDir: out });
    expect(withNotes.release?.notes).toEqual({
      file: 'RELEASE_NOTES.md',
      sha256: sha256(readFileSync(join(out, 'RELEASE_NOTES.md'))),
    });
    writeFileSync(join(out, 'RELEASE_NOTES.md'), `# KNHK v0.2.0\n\nRelease commit \`${'a'.repeat(40)}\`\n`);
    const stale = await pack({ root, outDir: out });
    expect(stale.release?.notes).toEqual({ file: null, sha256: null });
    expect(stale.warnings).toContainEqual(
      expect.stringMatching(/RELEASE_NOTES\.md is not about commit [0-9a-f]{12}/),
    );
  });

  it.each([
    [
      'the CLI has no selftest command',
      { selftestExit: null },
      'no-evidence',
      /^smoke test no-evidence: bin\/knhk selftest: this build has no selftest command: expected exit 0, got exit 2/,
    ],
    [
      'selftest fails',
      { selftestExit: 1 },
      'fail',
      /^smoke test fail: bin\/knhk selftest: expected exit 0, got exit 1/,
    ],
  ])('writes nothing when %s', async (_name, stub, status, problem) => {
    const root = stubRepo(stub);
    const out = join(root, 'dist');
    const result = await pack({ root, outDir: out });
    expect(result.ok).toBe(false);
    expect(result.smoke.find((s) => s.command === 'bin/knhk selftest')?.status).toBe(status);
    expect(result.problems).toEqual([expect.stringMatching(problem)]);
    expect(existsSync(out)).toBe(false);
    // The refused tarball stays in the scratch folder for inspection.
    expect(result.asset && existsSync(result.asset.path)).toBe(true);
  });

  it.each([
    [
      'knhk.h declares another version',
      { headerVersion: '0.2.9' },
      {},
      'native/include/knhk.h KNHK_VERSION differs from package.json (run npm run bump-version): expected "0.3.0", got "0.2.9"',
    ],
    [
      'the binary embeds its build folder',
      { defs: '-DWHERE=\\"$(CURDIR)\\"' },
      {},
      /^bin\/knhk embeds the build path \/.*: expected no absolute paths \(a reproducible build\), got one$/,
    ],
    [
      '--target is not the build',
      {},
      { target: HOST === 'riscv64-linux-gnu' ? 'aarch64-linux-gnu' : 'riscv64-linux-gnu' },
      /^--target does not match the build \(no cross builds\): expected ".*", got ".*"$/,
    ],
  ])('refuses the package when %s', async (_name, stub, extra, problem) => {
    const root = stubRepo(stub);
    const out = join(root, 'dist');
    const result = await pack({ root, outDir: out, ...extra });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([typeof problem === 'string' ? problem : expect.stringMatching(problem)]);
    expect(existsSync(out)).toBe(false);
  });

  it('warns that uncommitted sources are not the commit', async () => {
    const root = stubRepo();
    writeFileSync(join(root, 'native/README.md'), '# changed\n');
    const result = await pack({ root, outDir: join(root, 'dist') });
    expect(result.warnings).toContainEqual(
      expect.stringMatching(/^uncommitted changes in native\/README\.md: the tarball holds the working tree/),
    );
  });
});

describe('runPackage with the real native/', () => {
  const umask = process.umask();
  afterEach(() => void process.umask(umask));

  it('gives byte-identical tarballs from two folders with different umasks, permissions and file times', async () => {
    const a = realRepo(tempDir('knhk-repro-a-'), {
      file: 0o644,
      dir: 0o755,
      mtime: 1_700_000_000,
    });
    const b = realRepo(join(tempDir('knhk-repro-b-'), 'deeper', 'folder'), {
      file: 0o600,
      dir: 0o700,
      mtime: 1_800_000_000,
    });
    process.umask(0o022);
    const ra = await pack({ root: a, outDir: join(a, 'dist') });
    process.umask(0o077);
    const rb = await pack({ root: b, outDir: join(b, 'dist') });
    process.umask(umask);
    expect(problemsBesidesSmoke(ra)).toEqual([]);
    expect(problemsBesidesSmoke(rb)).toEqual([]);
    expect(ra.asset?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rb.asset?.sha256).toBe(ra.asset?.sha256);
    expect(readFileSync(rb.asset!.path).equals(readFileSync(ra.asset!.path))).toBe(true);
    const top = ra.asset!.name.replace(/\.tar\.gz$/, '');
    expect(listTarball(ra.asset!.path)).toEqual(expectedListing(top));
  });

  it('passes the smoke test: the unpacked bin/knhk runs version and selftest', async () => {
    const parent = tempDir('knhk-smoke-');
    const root = realRepo(parent, { file: 0o644, dir: 0o755, mtime: 1_700_000_000 });
    const result = await pack({ root, outDir: join(root, 'dist') });
    const report = result.smoke.map((s) => `${s.status}: ${s.command}: ${s.reason}`);
    // A CLI without `selftest` is reported as no evidence here; it must not pass as a release.
    expect(report).toEqual([
      expect.stringMatching(/^pass: tar -tzf /),
      expect.stringMatching(/^pass: tar -xzf /),
      expect.stringMatching(/^pass: bin\/knhk version: knhk \d+\.\d+\.\d+/),
      expect.stringMatching(/^pass: bin\/knhk selftest: /),
    ]);
    expect(result.ok).toBe(true);
    const out = join(root, 'dist');
    const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    expect(check.status).toBe(0);
  });
});

describe('checkDeterministicArchive', () => {
  /** One-member ar archive with the given header fields. */
  const ar = (mtime: string, uid: string, gid: string) => {
    const field = (s: string, n: number) => s.padEnd(n, ' ');
    const header =
      field('x.o/', 16) +
      field(mtime, 12) +
      field(uid, 6) +
      field(gid, 6) +
      field('100644', 8) +
      field('2', 10) +
      '`\n';
    return Buffer.concat([Buffer.from('!<arch>\n'), Buffer.from(header, 'latin1'), Buffer.from('hi')]);
  };
  it.each([
    ['zero mtime and owner', ar('0', '0', '0'), null],
    ['a real mtime', ar('1764864000', '0', '0'), /member x\.o\/ has mtime 1764864000: expected 0/],
    ['a real uid', ar('0', '1000', '0'), /has uid 1000: expected 0/],
    ['not an archive', Buffer.from('ELF'), /expected an ar archive/],
  ])('judges an archive with %s', (_name, bytes, want) => {
    const got = checkDeterministicArchive(bytes);
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatch(want);
  });
});

describe('normaliseTriple', () => {
  it.each([
    ['x86_64-linux-gnu', 'x86_64-linux-gnu'],
    ['x86_64-pc-linux-gnu\n', 'x86_64-linux-gnu'],
    ['aarch64-unknown-linux-gnu', 'aarch64-linux-gnu'],
    ['arm64-apple-darwin23.1.0', 'aarch64-apple-darwin'],
    ['x86_64-alpine-linux-musl', 'x86_64-alpine-linux-musl'],
  ])('%j -> %s', (raw, want) => expect(normaliseTriple(raw)).toBe(want));
});
