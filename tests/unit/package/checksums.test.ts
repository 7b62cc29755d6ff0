// package --checksums: over every target's tarball, one SHA256SUMS that `sha256sum -c` accepts and one
// valid release.json, byte-identical for the same inputs; a tampered, unchecked or misnamed tarball is
// refused with the file named, and nothing is written. Two tiny real .tar.gz stand in for the targets.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseAssetName, parseSumFile, runChecksums } from '../../../scripts/package/checksums.ts';
import { sha256 } from '../../../scripts/package/index.ts';
import { createTar, gzipDeterministic } from '../../../scripts/lib/tar.ts';
import { validateAs } from '../../../app/lib/reports/validate.ts';
import { commitAll, tempDirs } from '../temp.ts';

const VERSION = '0.3.0';
const COMMIT_DATE = '2026-12-04T16:00:00Z';
const TARGETS = ['x86_64-linux-gnu', 'aarch64-linux-gnu'];
const nameOf = (target: string, version = VERSION) => `knhk-v${version}-${target}.tar.gz`;

const { tempDir } = tempDirs();

/** A git checkout with only package.json, committed with fixed names and date. @return [root, sha]. */
function repo(version = VERSION): [string, string] {
  const root = tempDir('knhk-checksums-repo-');
  writeFileSync(join(root, 'package.json'), `{\n  "name": "knhk-stub",\n  "version": "${version}"\n}\n`);
  return [root, commitAll(root, 'chore(release): v0.3.0', COMMIT_DATE)];
}

/** A small real .tar.gz per target (different bytes each), as the build jobs upload it. */
function tarball(target: string): Buffer {
  const top = `knhk-v${VERSION}-${target}`;
  return gzipDeterministic(
    createTar(
      [
        { path: `${top}/`, type: 'directory', mode: 0o755 },
        { path: `${top}/bin/knhk`, type: 'file', mode: 0o755, data: Buffer.from(`#!/bin/sh\n# ${target}\n`) },
      ],
      { mtime: Date.parse(COMMIT_DATE) / 1000 },
    ),
  );
}

/** The folder the release workflow downloads: each target's tarball and its `<hex>  <name>` line. */
function dist(targets = TARGETS): string {
  const dir = tempDir('knhk-checksums-dist-');
  for (const target of targets) {
    const bytes = tarball(target);
    writeFileSync(join(dir, nameOf(target)), bytes);
    writeFileSync(join(dir, `${nameOf(target)}.sha256`), `${sha256(bytes)}  ${nameOf(target)}\n`);
  }
  return dir;
}

/** Every file of a folder with its bytes, to prove a refusal changed nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((f) => {
      const path = join(dir, f);
      const link = lstatSync(path).isSymbolicLink() ? `-> ${readlinkSync(path)}` : null;
      return [f, link ?? readFileSync(path).toString('hex')];
    }),
  );
}

describe('runChecksums', () => {
  it('writes a SHA256SUMS that sha256sum -c accepts and a valid release.json over every tarball', async () => {
    const [root, sha] = repo();
    const dir = dist();
    const result = await runChecksums({ root, dir });
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.written).toEqual([join(dir, 'SHA256SUMS'), join(dir, 'release.json')]);

    // Sorted by name: aarch64 before x86_64. The real tool checks both.
    const sorted = [...TARGETS].sort();
    const check = spawnSync('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
    expect([check.status, check.stdout]).toEqual([0, sorted.map((t) => `${nameOf(t)}: OK\n`).join('')]);

    const release = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8')) as unknown;
    expect(validateAs('release', release)).toEqual({ ok: true, value: release });
    const file = (name: string) => readFileSync(join(dir, name));
    expect(release).toEqual({
      schema: 'knhk.release/v1',
      version: VERSION,
      tag: `v${VERSION}`,
      commit_sha: sha,
      created_at: COMMIT_DATE,
      assets: sorted.map((target) => ({
        name: nameOf(target),
        target,
        size_bytes: file(nameOf(target)).length,
        sha256: sha256(file(nameOf(target))),
      })),
      checksum_files: [
        ...sorted.map((t) => ({ name: `${nameOf(t)}.sha256`, sha256: sha256(file(`${nameOf(t)}.sha256`)) })),
        { name: 'SHA256SUMS', sha256: sha256(file('SHA256SUMS')) },
      ],
      notes: { file: null, sha256: null },
    });
    expect(result.release).toEqual(release);
  });

  it('gives byte-identical outputs for the same inputs, in another folder and with other file times', async () => {
    const [root] = repo();
    const a = dist();
    const b = join(tempDir('knhk-checksums-copy-'), 'deeper');
    cpSync(a, b, { recursive: true });
    for (const f of readdirSync(b)) utimesSync(join(b, f), 1_800_000_000, 1_800_000_000);
    await runChecksums({ root, dir: a });
    const first = snapshot(a);
    await runChecksums({ root, dir: a }); // a second run over its own outputs changes nothing
    await runChecksums({ root, dir: b });
    expect(snapshot(a)).toEqual(first);
    expect(snapshot(b)).toEqual(first);
  });

  it('names RELEASE_NOTES.md of the folder when it is about this commit, else leaves notes null', async () => {
    const [root, sha] = repo();
    const dir = dist();
    writeFileSync(join(dir, 'RELEASE_NOTES.md'), `# KNHK v${VERSION}\n\nRelease commit \`${sha}\`\n`);
    const withNotes = await runChecksums({ root, dir });
    expect(withNotes.release?.notes).toEqual({
      file: 'RELEASE_NOTES.md',
      sha256: sha256(readFileSync(join(dir, 'RELEASE_NOTES.md'))),
    });
    // The notes are not a checksum file and not in SHA256SUMS.
    expect(withNotes.release?.checksum_files.map((c) => c.name)).not.toContain('RELEASE_NOTES.md');
    expect(readFileSync(join(dir, 'SHA256SUMS'), 'utf8')).not.toContain('RELEASE_NOTES.md');

    writeFileSync(join(dir, 'RELEASE_NOTES.md'), `# KNHK v0.2.0\n\nRelease commit \`${'a'.repeat(40)}\`\n`);
    const stale = await runChecksums({ root, dir });
    expect(stale.ok).toBe(true);
    expect(stale.release?.notes).toEqual({ file: null, sha256: null });
    expect(stale.warnings).toEqual([
      expect.stringMatching(/RELEASE_NOTES\.md is not about commit [0-9a-f]{12}/),
    ]);
  });

  const X86 = nameOf('x86_64-linux-gnu');
  it.each<[string, (dir: string) => void, (string | RegExp)[]]>([
    [
      'a tarball was changed after its checksum was made',
      (dir) => {
        const bytes = readFileSync(join(dir, X86));
        const last = bytes.length - 1;
        bytes.writeUInt8(bytes.readUInt8(last) ^ 0xff, last);
        writeFileSync(join(dir, X86), bytes);
      },
      [
        new RegExp(
          `^${X86} does not match ${X86}\\.sha256 \\(a corrupted or tampered file\\): expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}$`,
        ),
      ],
    ],
    [
      'a tarball has no .sha256',
      (dir) => rmSync(join(dir, `${X86}.sha256`)),
      [`${X86} has no checksum file: expected ${X86}.sha256 beside it, got no such file`],
    ],
    [
      'a .sha256 names another file',
      (dir) => writeFileSync(join(dir, `${X86}.sha256`), `${'0'.repeat(64)}  other.tar.gz\n`),
      [`${X86}.sha256 names another file: expected ${X86}, got other.tar.gz`],
    ],
    [
      'a .sha256 is not a sha256sum line',
      (dir) => writeFileSync(join(dir, `${X86}.sha256`), 'deadbeef\n'),
      [`${X86}.sha256 is not a sha256sum line: expected "<64 hex digits>  ${X86}", got "deadbeef"`],
    ],
    [
      'a tarball is of another version',
      (dir) => {
        writeFileSync(join(dir, nameOf('riscv64-linux-gnu', '0.2.9')), tarball('riscv64-linux-gnu'));
      },
      [
        `${nameOf('riscv64-linux-gnu', '0.2.9')} is another version than package.json: expected knhk-v${VERSION}-<target>.tar.gz, got version 0.2.9`,
      ],
    ],
    [
      'a tarball is not named for a target',
      (dir) => writeFileSync(join(dir, 'knhk-latest.tar.gz'), tarball('x')),
      [
        `knhk-latest.tar.gz is not a release tarball name: expected knhk-v${VERSION}-<target>.tar.gz (a target such as x86_64-linux-gnu), got knhk-latest.tar.gz`,
      ],
    ],
    [
      'a tarball is not gzip data',
      (dir) => {
        writeFileSync(join(dir, X86), 'not gzip');
        writeFileSync(join(dir, `${X86}.sha256`), `${sha256(Buffer.from('not gzip'))}  ${X86}\n`);
      },
      [`${X86} is not gzip data: expected bytes 1f 8b first, got 6e 6f`],
    ],
    [
      'a tarball is a dangling link',
      (dir) => {
        rmSync(join(dir, X86));
        symlinkSync(join(dir, 'gone.tar.gz'), join(dir, X86));
      },
      [`${X86} is not a file: expected a release tarball, got a folder, special file or dangling link`],
    ],
    [
      'a .sha256 has no tarball',
      (dir) => rmSync(join(dir, X86)),
      [`${X86}.sha256 has no tarball: expected ${X86} beside it, got no such file`],
    ],
  ])('refuses the folder and writes nothing when %s', async (_name, spoil, problems) => {
    const [root] = repo();
    const dir = dist();
    // An earlier run's outputs must survive a refusal untouched.
    writeFileSync(join(dir, 'SHA256SUMS'), 'earlier\n');
    spoil(dir);
    const before = snapshot(dir);
    const result = await runChecksums({ root, dir });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      problems.map((p) => (typeof p === 'string' ? p : expect.stringMatching(p))),
    );
    expect(result.written).toEqual([]);
    expect(result.release).toBeNull();
    expect(snapshot(dir)).toEqual(before);
  });

  it('reports every problem of the folder at once', async () => {
    const [root] = repo();
    const dir = dist();
    for (const t of TARGETS)
      writeFileSync(join(dir, `${nameOf(t)}.sha256`), `${'0'.repeat(64)}  ${nameOf(t)}\n`);
    const result = await runChecksums({ root, dir });
    expect(result.problems).toEqual(
      [...TARGETS].sort().map((t) => expect.stringMatching(new RegExp(`^${nameOf(t)} does not match `))),
    );
  });

  it('refuses a folder without tarballs, and one that does not exist', async () => {
    const [root] = repo();
    const empty = tempDir('knhk-checksums-empty-');
    expect((await runChecksums({ root, dir: empty })).problems).toEqual([
      `no release tarball in ${empty}: expected knhk-v${VERSION}-<target>.tar.gz files, got none`,
    ]);
    expect(readdirSync(empty)).toEqual([]);
    const missing = join(empty, 'nope');
    expect((await runChecksums({ root, dir: missing })).problems).toEqual([
      `--checksums is not a folder: expected the folder of the tarballs, got ${missing}`,
    ]);
  });

  it('accepts binary-mode lines and a symlinked tarball, and warns about files that are not the release', async () => {
    const [root] = repo();
    const dir = dist(['x86_64-linux-gnu']);
    const bytes = readFileSync(join(dir, X86));
    writeFileSync(join(dir, `${X86}.sha256`), `${sha256(bytes)} *${X86}\n`);
    const elsewhere = join(tempDir('knhk-checksums-link-'), 'real.tar.gz');
    writeFileSync(elsewhere, bytes);
    rmSync(join(dir, X86));
    symlinkSync(elsewhere, join(dir, X86));
    writeFileSync(join(dir, 'notes.txt'), 'scratch\n');
    const result = await runChecksums({ root, dir });
    expect(result.problems).toEqual([]);
    expect(result.release?.assets.map((a) => a.sha256)).toEqual([sha256(bytes)]);
    expect(result.warnings).toEqual([
      'notes.txt is not part of the release: left as is, and not in SHA256SUMS',
    ]);
  });
});

describe('parseAssetName', () => {
  it.each<[string, string, string, string | RegExp]>([
    ['a plain release', 'knhk-v1.2.3-x86_64-linux-gnu.tar.gz', '1.2.3', 'x86_64-linux-gnu'],
    ['a pre-release', 'knhk-v1.0.0-rc.1-aarch64-apple-darwin.tar.gz', '1.0.0-rc.1', 'aarch64-apple-darwin'],
    [
      'another version',
      'knhk-v1.2.2-x86_64-linux-gnu.tar.gz',
      '1.2.3',
      /another version .*got version 1\.2\.2$/,
    ],
    [
      'a pre-release of another version',
      'knhk-v1.0.0-rc.1-x86_64-linux-gnu.tar.gz',
      '1.0.0',
      /got version 1\.0\.0-rc\.1$/,
    ],
    ['no target', 'knhk-v1.2.3.tar.gz', '1.2.3', /is not a release tarball name/],
    ['an upper-case target', 'knhk-v1.2.3-X86_64-Linux.tar.gz', '1.2.3', /is not a release tarball name/],
  ])('reads %s', (_name, file, version, want) => {
    const got = parseAssetName(file, version);
    if (typeof want === 'string') expect(got).toEqual({ ok: true, value: want });
    else expect(got.ok ? got.value : got.problem).toMatch(want);
  });
});

describe('parseSumFile', () => {
  const HEX = 'ab'.repeat(32);
  it.each<[string, string, { ok: true; value: string } | RegExp]>([
    ['a text-mode line', `${HEX}  f.tar.gz\n`, { ok: true, value: HEX }],
    ['a binary-mode line', `${HEX} *f.tar.gz\n`, { ok: true, value: HEX }],
    ['upper-case hex and CRLF', `${HEX.toUpperCase()}  f.tar.gz\r\n`, { ok: true, value: HEX }],
    ['an empty file', '', /^is not one sha256sum line: .*got 0 line\(s\)$/],
    ['two lines', `${HEX}  f.tar.gz\n${HEX}  f.tar.gz\n`, /got 2 line\(s\)$/],
    ['a short hash', 'abc  f.tar.gz\n', /^is not a sha256sum line: /],
    ['one space', `${HEX} f.tar.gz\n`, /^is not a sha256sum line: /],
  ])('reads %s', (_name, text, want) => {
    const got = parseSumFile(text, 'f.tar.gz');
    if (want instanceof RegExp) expect(got.ok ? got.value : got.problem).toMatch(want);
    else expect(got).toEqual(want);
  });
});
