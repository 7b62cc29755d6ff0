// scripts/lib/tar.ts: the ustar writer gives what GNU tar gives for the same files (sorted names,
// fixed mtime, root owner), the reader lists any such archive and reports damage instead of throwing.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  BLOCK,
  createTar,
  gzipDeterministic,
  readTar,
  readTarGz,
  type TarEntry,
} from '../../../scripts/lib/tar.ts';
import { tempDirs } from '../temp.ts';

const { tempDir } = tempDirs();

const MTIME = 1_796_400_000; // 2026-12-04T16:00:00Z
const LONG_DIR = `top/${'d'.repeat(60)}/${'e'.repeat(60)}/`;

const ENTRIES: TarEntry[] = [
  { path: 'top/lib/libx.a', type: 'file', mode: 0o644, data: Buffer.from('!<arch>\n') },
  { path: 'top/', type: 'directory', mode: 0o755 },
  { path: 'top/bin/', type: 'directory', mode: 0o755 },
  { path: 'top/bin/tool', type: 'file', mode: 0o755, data: Buffer.alloc(1000, 0x41) },
  { path: 'top/empty', type: 'file', mode: 0o644, data: Buffer.alloc(0) },
  { path: 'top/lib/', type: 'directory', mode: 0o755 },
  { path: 'top/exact-block', type: 'file', mode: 0o600, data: Buffer.alloc(BLOCK, 0x42) },
];

describe('createTar', () => {
  it('writes sorted entries that readTar lists back with their modes, owner and mtime', () => {
    const tar = createTar(ENTRIES, { mtime: MTIME });
    expect(tar.length % BLOCK).toBe(0);
    expect(tar.subarray(-2 * BLOCK).every((b) => b === 0)).toBe(true);
    const { entries, problems } = readTar(tar);
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.path, e.typeflag, e.mode.toString(8), e.size])).toEqual([
      ['top/', '5', '755', 0],
      ['top/bin/', '5', '755', 0],
      ['top/bin/tool', '0', '755', 1000],
      ['top/empty', '0', '644', 0],
      ['top/exact-block', '0', '600', 512],
      ['top/lib/', '5', '755', 0],
      ['top/lib/libx.a', '0', '644', 8],
    ]);
    for (const e of entries) {
      expect([e.uid, e.gid, e.uname, e.gname, e.mtime, e.linkname]).toEqual([
        0,
        0,
        'root',
        'root',
        MTIME,
        '',
      ]);
    }
  });

  it('gives the bytes GNU tar gives with --sort=name --mtime --owner=root:0 --group=root:0 --format=ustar', () => {
    const dir = tempDir('knhk-tar-');
    for (const e of [...ENTRIES].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const p = join(dir, e.path);
      if (e.type === 'directory') mkdirSync(p, { recursive: true });
      else writeFileSync(p, e.data ?? '');
      chmodSync(p, e.mode);
    }
    const gnu = execFileSync(
      'tar',
      [
        '--format=ustar',
        '--sort=name',
        `--mtime=@${MTIME}`,
        '--owner=root:0',
        '--group=root:0',
        '-C',
        dir,
        '-cf',
        '-',
        'top',
      ],
      { maxBuffer: 1 << 24 },
    );
    const ours = createTar(ENTRIES, { mtime: MTIME });
    // GNU tar pads the archive to a whole record (20 blocks); everything before is the same.
    expect(gnu.subarray(0, ours.length).equals(ours)).toBe(true);
    expect(gnu.subarray(ours.length).every((b) => b === 0)).toBe(true);
  });

  it('splits a path over 100 bytes into the ustar prefix, and GNU tar reads it back', () => {
    const path = `${LONG_DIR}file.txt`;
    expect(path.length).toBeGreaterThan(100);
    const tar = createTar(
      [
        { path: LONG_DIR, type: 'directory', mode: 0o755 },
        { path, type: 'file', mode: 0o644, data: Buffer.from('hi\n') },
      ],
      { mtime: MTIME },
    );
    expect(readTar(tar).entries.map((e) => e.path)).toEqual([LONG_DIR, path]);
    const dir = tempDir('knhk-tar-long-');
    writeFileSync(join(dir, 'a.tar'), tar);
    expect(
      execFileSync('tar', ['-tf', join(dir, 'a.tar')], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean),
    ).toEqual([LONG_DIR, path]);
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
    expect(readFileSync(join(dir, path), 'utf8')).toBe('hi\n');
  });

  it.each([
    ['a parent reference', { path: 'top/../etc/passwd', type: 'file', mode: 0o644 }, /unsafe/],
    ['an absolute path', { path: '/etc/passwd', type: 'file', mode: 0o644 }, /unsafe/],
    ['an empty path segment', { path: 'top//x', type: 'file', mode: 0o644 }, /unsafe/],
    ['a non-ASCII name', { path: 'top/é', type: 'file', mode: 0o644 }, /unsafe or non-ASCII/],
    ['a directory without its slash', { path: 'top/bin', type: 'directory', mode: 0o755 }, /ends in "\/"/],
    ['a setuid bit', { path: 'top/x', type: 'file', mode: 0o4755 }, /mode must be 0\.\.0o777, got 4755/],
  ] as [string, TarEntry, RegExp][])('refuses %s', (_name, entry, message) => {
    expect(() => createTar([entry], { mtime: MTIME })).toThrow(message);
  });

  it('refuses a duplicate entry', () => {
    const e: TarEntry = { path: 'a', type: 'file', mode: 0o644 };
    expect(() => createTar([e, e], { mtime: MTIME })).toThrow(/duplicate entry a/);
  });
});

describe('readTar', () => {
  const good = () => createTar(ENTRIES, { mtime: MTIME });
  it.each([
    [
      'a header byte changed',
      (t: Buffer) => {
        t[BLOCK + 1] = (t[BLOCK + 1] ?? 0) ^ 1;
        return t;
      },
      /^header at byte 512: checksum expected \d+, got \d+$/,
    ],
    [
      'data cut short',
      (t: Buffer) => t.subarray(0, 3 * BLOCK + 100),
      /expected 1000 bytes of data, got end of archive|truncated/,
    ],
    [
      'one end block',
      (t: Buffer) => t.subarray(0, t.length - BLOCK),
      /one zero block at byte \d+: expected two zero blocks/,
    ],
    [
      'no end blocks',
      (t: Buffer) => t.subarray(0, t.length - 2 * BLOCK),
      /truncated archive: expected two zero blocks/,
    ],
  ])('reports %s instead of throwing', (_name, damage, problem) => {
    const { problems } = readTar(damage(good()));
    expect(problems).toEqual([expect.stringMatching(problem)]);
  });

  it('reports a stream that is not gzip', () => {
    expect(readTarGz(Buffer.from('plain text')).problems).toEqual([
      expect.stringMatching(/^not a gzip stream: /),
    ]);
  });
});

describe('gzipDeterministic', () => {
  it('writes a fixed header (no name, mtime 0, OS 3) and the same bytes every time', () => {
    const tar = createTar(ENTRIES, { mtime: MTIME });
    const a = gzipDeterministic(tar);
    const b = gzipDeterministic(Buffer.from(tar));
    expect(a.equals(b)).toBe(true);
    expect([...a.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
    expect(gunzipSync(a).equals(tar)).toBe(true);
    expect(readTarGz(a).entries).toHaveLength(ENTRIES.length);
  });
});
