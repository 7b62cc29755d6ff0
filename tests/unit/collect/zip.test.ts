// The artifact zip reader: what it reads, and what it refuses rather than extracts.
import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { readZip, unsafePathReason } from '../../../scripts/collect/zip.ts';
import { makeZip } from './make-zip.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('readZip', () => {
  it.each([
    ['stored', false],
    ['deflated', true],
  ])('reads %s entries and skips directory entries', (_name, deflate) => {
    const zip = makeZip([
      { name: 'gh-1-1-x86_64-linux-gnu/', data: '' },
      { name: 'gh-1-1-x86_64-linux-gnu/run.json', data: '{"a":1}', deflate },
      { name: 'gh-1-1-x86_64-linux-gnu/sub/tick-bench.json', data: 'x'.repeat(5000), deflate },
    ]);
    const read = readZip(zip);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.entries.map((e) => [e.name, e.data.length])).toEqual([
      ['gh-1-1-x86_64-linux-gnu/run.json', 7],
      ['gh-1-1-x86_64-linux-gnu/sub/tick-bench.json', 5000],
    ]);
    expect(text(read.entries[0]!.data)).toBe('{"a":1}');
  });

  it.each([
    [
      'a file that is not a zip',
      new TextEncoder().encode('PK? not really'),
      /no end-of-central-directory record/,
    ],
    [
      'a symbolic link',
      makeZip([{ name: 'run/link', data: '/etc/passwd', mode: 0o120777 }]),
      /entry "run\/link": symbolic links are refused/,
    ],
    [
      'a duplicate name',
      makeZip([
        { name: 'run/run.json', data: '1' },
        { name: 'run/run.json', data: '2' },
      ]),
      /the name appears twice/,
    ],
    [
      'more than the size limit',
      makeZip([{ name: 'run/big.json', data: 'x'.repeat(2048) }]),
      /inflates beyond 1024 bytes/,
    ],
  ])('refuses %s', (_name, zip, problem) => {
    const read = readZip(zip, 1024);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problems.join('\n')).toMatch(problem);
  });

  it('refuses an entry whose data does not match its CRC-32', () => {
    const zip = makeZip([{ name: 'run/run.json', data: 'hello world', deflate: false }]);
    const corrupt = new Uint8Array(zip);
    const first = 30 + 'run/run.json'.length; // the first byte of the stored data
    corrupt[first] = corrupt[first]! ^ 0xff;
    const read = readZip(corrupt);
    expect(read.ok).toBe(false);
    if (!read.ok)
      expect(read.problems).toEqual(['entry "run/run.json": CRC-32 mismatch: the data is corrupt']);
  });

  it('refuses a deflated entry that inflates to more than its declared size (a zip bomb)', () => {
    const zip = makeZip([{ name: 'run/run.json', data: 'x'.repeat(10) }]);
    // Swap in a stream that inflates to 100 kB while the headers still say 10 bytes.
    const bomb = deflateRawSync(Buffer.alloc(100_000));
    const name = 'run/run.json';
    const view = new DataView(zip.buffer);
    const cd = view.getUint32(zip.length - 22 + 16, true);
    const rebuilt = new Uint8Array([...zip.subarray(0, 30 + name.length), ...bomb, ...zip.subarray(cd)]);
    const rview = new DataView(rebuilt.buffer);
    const newCd = 30 + name.length + bomb.length;
    rview.setUint32(18, bomb.length, true);
    rview.setUint32(newCd + 20, bomb.length, true);
    rview.setUint32(rebuilt.length - 22 + 16, newCd, true);
    const read = readZip(rebuilt);
    expect(read.ok).toBe(false);
    if (!read.ok)
      expect(read.problems.join('\n')).toMatch(/entry "run\/run.json": (cannot inflate|expected 10 bytes)/);
  });
});

describe('unsafePathReason', () => {
  it.each([
    ['gh-1-1-x86_64-linux-gnu/run.json', null],
    ['run/reports/tick-bench.json', null],
    ['/etc/passwd', 'absolute paths are refused'],
    ['C:/Windows/win.ini', 'absolute paths are refused'],
    ['run/../../etc/passwd', '".." in a path is refused: it could leave the folder'],
    ['..', '".." in a path is refused: it could leave the folder'],
    ['run\\..\\x', 'backslashes are refused: expected "/" separators'],
    ['run/./x', 'empty or "." path segments are refused'],
    ['run//x', 'empty or "." path segments are refused'],
  ])('%s -> %s', (name, want) => expect(unsafePathReason(name)).toBe(want));
});
