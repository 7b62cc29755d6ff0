// parsePackageArgs: the two modes of `npm run package`, and a message naming the flag for each mistake.
import { describe, expect, it } from 'vitest';
import { parsePackageArgs, UsageError } from '../../../scripts/package/args.ts';

describe('parsePackageArgs', () => {
  it.each<[string, string[], ReturnType<typeof parsePackageArgs>]>([
    ['packages with defaults', [], { mode: 'package', target: undefined, outDir: undefined, help: false }],
    [
      'reads --target and --out',
      ['--target', 'x86_64-linux-gnu', '--out=dist'],
      { mode: 'package', target: 'x86_64-linux-gnu', outDir: 'dist', help: false },
    ],
    [
      'reads --checksums DIR',
      ['--checksums', '.knhk/dist'],
      { mode: 'checksums', dir: '.knhk/dist', help: false },
    ],
    [
      'reads --checksums=DIR',
      ['--checksums=.knhk/dist'],
      { mode: 'checksums', dir: '.knhk/dist', help: false },
    ],
    ['stops at --help', ['--help', '--nonsense'], { mode: 'help', help: true }],
  ])('%s', (_name, argv, want) => expect(parsePackageArgs(argv)).toEqual(want));

  it.each<[string, string[], string]>([
    [
      'an unknown flag',
      ['--sums', 'x'],
      'knhk: package: unknown argument: expected --target, --out, --checksums or --help, got --sums',
    ],
    [
      '--checksums without a value',
      ['--checksums'],
      'knhk: package: --checksums needs a value: expected a folder, got nothing',
    ],
    [
      '--checksums followed by a flag',
      ['--checksums', '--out', 'x'],
      'knhk: package: --checksums needs a value: expected a folder, got --out',
    ],
    [
      '--target given twice',
      ['--target', 'a-b', '--target', 'c-d'],
      'knhk: package: --target is given twice: expected it once, got a-b and c-d',
    ],
    [
      '--checksums with --target',
      ['--checksums', 'd', '--target', 'x86_64-linux-gnu'],
      'knhk: package: --checksums builds nothing and writes into its own folder: expected --checksums DIR alone, got --target too',
    ],
  ])('refuses %s', (_name, argv, message) => {
    expect(() => parsePackageArgs(argv)).toThrow(UsageError);
    expect(() => parsePackageArgs(argv)).toThrow(message);
  });
});
