// The ZIP reader: what real zippers write reads back byte for byte; every way an archive can lie
// about its paths or sizes is refused with a message naming the entry.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkEntryPath, extractEntry, readZip, type ZipEntry } from '../../../app/lib/zip/reader.ts';
import { crc32 } from '../../../app/lib/zip/crc32.ts';
import { makeZip, type ZipFileSpec } from './make-zip.ts';
import { tempDirs } from '../temp.ts';

const { tempDir } = tempDirs();

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const LONG = 'knhk hot path '.repeat(200);

function entriesOf(zip: Uint8Array): ZipEntry[] {
  const read = readZip(zip);
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return read.entries;
}

function messagesOf(zip: Uint8Array, limits?: Parameters<typeof readZip>[1]): string[] {
  const read = readZip(zip, limits);
  expect(read.ok).toBe(false);
  return read.ok ? [] : read.problems.map((p) => p.message);
}

function prepend(n: number, zip: Uint8Array): Uint8Array {
  const out = new Uint8Array(n + zip.length);
  out.set(zip, n);
  return out;
}

function hasZipCli(): boolean {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('crc32', () => {
  it.each([
    ['the empty string', '', 0],
    ['the check value of "123456789"', '123456789', 0xcbf43926],
    [
      '"The quick brown fox jumps over the lazy dog"',
      'The quick brown fox jumps over the lazy dog',
      0x414fa339,
    ],
  ])('matches %s', (_name, input, want) => expect(crc32(new TextEncoder().encode(input))).toBe(want));

  it('gives the same value fed in chunks as in one piece', () => {
    const bytes = randomBytes(1000);
    expect(crc32(bytes.subarray(300), crc32(bytes.subarray(0, 300)))).toBe(crc32(bytes));
  });
});

describe('readZip and extractEntry', () => {
  it('reads stored and deflate entries, folders and a comment, and extracts them byte for byte', async () => {
    const bin = new Uint8Array(randomBytes(4096));
    const zip = makeZip(
      [
        { name: 'run-1/', data: '', method: 'store' },
        { name: 'run-1/run.json', data: '{"a":1}', method: 'store' },
        { name: 'run-1/tick-bench.json', data: LONG },
        { name: './run-1/blob.bin', data: bin },
      ],
      { comment: 'made by a test' },
    );
    const entries = entriesOf(zip);
    expect(entries.map((e) => [e.path, e.isDirectory, e.method])).toEqual([
      ['run-1/', true, 0],
      ['run-1/run.json', false, 0],
      ['run-1/tick-bench.json', false, 8],
      ['run-1/blob.bin', false, 8],
    ]);
    const got = await Promise.all(entries.map((e) => extractEntry(zip, e)));
    expect(got.map((g) => g.ok)).toEqual([true, true, true, true]);
    expect(got[1]?.ok && text(got[1].bytes)).toBe('{"a":1}');
    expect(got[2]?.ok && text(got[2].bytes)).toBe(LONG);
    expect(got[3]?.ok && [...got[3].bytes]).toEqual([...bin]);
  });

  it('reads entries written with data descriptors (sizes after the data, as streaming zippers do)', async () => {
    const zip = makeZip([{ name: 'a.json', data: LONG, dataDescriptor: true }]);
    const [entry] = entriesOf(zip);
    const got = await extractEntry(zip, entry!);
    expect(got.ok && text(got.bytes)).toBe(LONG);
  });

  it.runIf(hasZipCli())('reads what Info-ZIP writes, including its streamed form', async () => {
    const dir = tempDir('knhk-zip-');
    mkdirSync(join(dir, 'run-9'));
    writeFileSync(join(dir, 'run-9', 'run.json'), LONG);
    writeFileSync(join(dir, 'run-9', 'empty.json'), '');
    execFileSync('zip', ['-q', '-r', 'plain.zip', 'run-9'], { cwd: dir });
    // `zip -` writes to a pipe: no seeking back, so sizes and CRCs follow each entry's data.
    const streamed = execFileSync('zip', ['-q', '-r', '-', 'run-9'], { cwd: dir });
    for (const zip of [new Uint8Array(readFileSync(join(dir, 'plain.zip'))), new Uint8Array(streamed)]) {
      const entries = entriesOf(zip);
      const run = entries.find((e) => e.path === 'run-9/run.json');
      const got = await extractEntry(zip, run!);
      expect(got.ok && text(got.bytes)).toBe(LONG);
      const empty = await extractEntry(
        zip,
        entries.find((e) => e.path === 'run-9/empty.json')!,
      );
      expect(empty.ok && empty.bytes.length).toBe(0);
    }
  });

  const ok: ZipFileSpec = { name: 'run.json', data: '{}' };
  it.each<[string, ZipFileSpec[], RegExp]>([
    ['an absolute path', [{ name: '/etc/passwd', data: 'x' }], /"\/etc\/passwd": has an absolute path/],
    ['a drive-letter path', [{ name: 'C:/x.json', data: 'x' }], /"C:\/x.json": has an absolute path/],
    ['a ".." segment', [{ name: 'run/../../x.json', data: 'x' }], /has a "\.\." segment/],
    ['a backslash', [{ name: 'run\\x.json', data: 'x' }], /uses "\\" in its path/],
    ['an empty segment', [{ name: 'run//x.json', data: 'x' }], /empty path segment/],
    [
      'a symbolic link',
      [{ name: 'link', data: '/etc/passwd', unixMode: 0o120777 }],
      /"link" is a symbolic link/,
    ],
    ['an encrypted entry', [{ name: 'secret.json', data: 'x', flags: 1 }], /"secret.json" is encrypted/],
    [
      'a stored entry whose sizes differ',
      [{ name: 'a.json', data: 'abc', method: 'store', declare: { size: 4 } }],
      /stored with 3 bytes but declares 4/,
    ],
    [
      'a local header that names another file',
      [{ name: 'a.json', data: 'x', localName: 'b.json' }],
      /local header names a different file/,
    ],
    [
      'a local header that is not there',
      [ok, { name: 'b.json', data: 'x', declare: { localOffset: 3 } }],
      /no local header at offset 3/,
    ],
    [
      'data that runs into the central directory',
      [{ name: 'a.json', data: 'abc', method: 'store', declare: { size: 500, compressedSize: 500 } }],
      /run into the central directory/,
    ],
    [
      'a folder that declares bytes',
      [{ name: 'dir/', data: 'abc', method: 'store' }],
      /"dir\/" is a folder but declares 3 bytes/,
    ],
    ['the same path twice', [ok, { name: './run.json', data: '{}' }], /"run.json" appears more than once/],
    [
      'two names for one local header',
      [ok, { name: 'b.json', data: '{}', declare: { localOffset: 0 } }],
      /"b.json" its local header names a different file/,
    ],
  ])('refuses %s', (_name, files, message) => {
    expect(messagesOf(makeZip(files)).join('\n')).toMatch(message);
  });

  it('refuses entries that share bytes (the overlapping zip bomb)', () => {
    const zip = makeZip([{ name: 'a.json', data: LONG }, ok]);
    const [a, b] = entriesOf(zip) as [ZipEntry, ZipEntry];
    // Stretch a's compressed size over b's local header, as overlapping bombs do.
    const cd = new DataView(zip.buffer).getUint32(zip.length - 22 + 16, true);
    new DataView(zip.buffer).setUint32(cd + 20, b.dataOffset - a.dataOffset + 1, true);
    expect(messagesOf(zip)).toEqual(['sizes do not add up: entries "a.json" and "run.json" overlap']);
  });

  it('refuses an unsupported compression method, naming it', () => {
    const zip = makeZip([{ name: 'a.json', data: 'x', method: 'store' }]);
    // Patch method 0 to 12 (bzip2) in both headers: local at 8, central at cd + 10.
    const view = new DataView(zip.buffer);
    const cd = view.getUint32(zip.length - 22 + 16, true);
    view.setUint16(8, 12, true);
    view.setUint16(cd + 10, 12, true);
    expect(messagesOf(zip)).toEqual([
      'entry "a.json" uses compression method 12; only stored (0) and deflate (8) are read',
    ]);
  });

  it('refuses a name that is not UTF-8', () => {
    const zip = makeZip([{ name: 'ab.json', data: 'x' }]);
    const cd = new DataView(zip.buffer).getUint32(zip.length - 22 + 16, true);
    zip[cd + 46] = 0xff; // the first byte of the central name
    expect(messagesOf(zip).join()).toMatch(/not valid UTF-8/);
  });

  it('reports every bad entry at once, not only the first', () => {
    const zip = makeZip([{ name: '/abs.json', data: 'x' }, ok, { name: '../up.json', data: 'x' }]);
    expect(messagesOf(zip)).toHaveLength(2);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['bytes that are no zip', new Uint8Array(randomBytes(100)), /not a ZIP archive/],
    ['an empty file', new Uint8Array(), /not a ZIP archive/],
    ['a truncated zip', makeZip([{ name: 'a.json', data: LONG }]).subarray(0, 60), /truncated/],
    [
      'an end record that counts more entries',
      makeZip([ok], { end: { total: 2 } }),
      /ends before entry 2 of 2/,
    ],
    [
      'a directory offset that is off',
      makeZip([ok], { end: { cdOffset: 1 } }),
      /sizes do not add up: the central directory is declared at offset 1/,
    ],
    [
      'bytes prepended to a zip (its offsets no longer add up)',
      prepend(16, makeZip([ok])),
      /sizes do not add up/,
    ],
  ])('refuses %s', (_name, zip, message) => {
    expect(messagesOf(zip).join('\n')).toMatch(message);
  });

  it('refuses ZIP64 and split archives', () => {
    const zip = makeZip([ok]);
    const split = zip.slice();
    new DataView(split.buffer).setUint16(split.length - 22 + 4, 1, true);
    expect(messagesOf(split)).toEqual(['split (multi-volume) archives are not supported']);
    const zip64 = makeZip([ok], { end: { cdOffset: 0xffffffff } });
    expect(messagesOf(zip64)).toEqual([
      'ZIP64 archives are not supported (a report artifact is far below 4 GiB)',
    ]);
  });

  it.each([
    [
      'too many entries',
      { maxEntries: 1, maxEntryBytes: 1e6, maxTotalBytes: 1e6 },
      /too many entries: 2, at most 1/,
    ],
    [
      'an entry too large',
      { maxEntries: 9, maxEntryBytes: 2, maxTotalBytes: 1e6 },
      /declares 7 bytes, more than the 2 allowed/,
    ],
    [
      'too many bytes in all',
      { maxEntries: 9, maxEntryBytes: 1e6, maxTotalBytes: 10 },
      /declare 14 bytes in all, more than 10/,
    ],
  ])('refuses %s (limits)', (_name, limits, message) => {
    const zip = makeZip([
      { name: 'a.json', data: '1234567' },
      { name: 'b.json', data: '1234567' },
    ]);
    expect(messagesOf(zip, limits).join('\n')).toMatch(message);
  });

  it.each<[string, ZipFileSpec, RegExp]>([
    [
      'a CRC-32 that does not match',
      { name: 'a.json', data: LONG, declare: { crc32: 1 } },
      /fails its CRC-32 check \([0-9a-f]{8}, expected 00000001\)/,
    ],
    [
      'more bytes than declared (a zip bomb stops there)',
      { name: 'a.json', data: LONG, declare: { size: 10 } },
      /inflates to more than its declared 10 bytes/,
    ],
    [
      'fewer bytes than declared',
      { name: 'a.json', data: 'short', declare: { size: 999 } },
      /holds 5 bytes, its header declares 999/,
    ],
  ])('extractEntry refuses %s', async (_name, file, message) => {
    const zip = makeZip([file]);
    const got = await extractEntry(zip, entriesOf(zip)[0]!);
    expect(got.ok).toBe(false);
    expect(!got.ok && got.problem.message).toMatch(message);
  });

  it('extractEntry refuses corrupt deflate data without throwing', async () => {
    const zip = makeZip([{ name: 'a.json', data: LONG }]);
    const entry = entriesOf(zip)[0]!;
    zip.fill(0xff, entry.dataOffset, entry.dataOffset + 8);
    const got = await extractEntry(zip, entry);
    expect(!got.ok && got.problem.message).toMatch(/"a.json" has corrupt deflate data/);
  });

  it('extractEntry throws AbortError when cancelled', async () => {
    const zip = makeZip([{ name: 'a.json', data: LONG }]);
    const controller = new AbortController();
    controller.abort();
    await expect(extractEntry(zip, entriesOf(zip)[0]!, controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('checkEntryPath', () => {
  it.each([
    ['a/b.json', { path: 'a/b.json', isDirectory: false }],
    ['./a/./b.json', { path: 'a/b.json', isDirectory: false }],
    ['a/', { path: 'a/', isDirectory: true }],
    ['./', { problem: 'names no file' }],
    ['', { problem: 'has an empty name' }],
    ['a\0b', { problem: 'has a NUL character in its name' }],
  ])('%j gives %j', (name, want) => expect(checkEntryPath(name)).toEqual(want));
});
