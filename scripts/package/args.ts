// Command-line options of `npm run package` (scripts/package/cli.ts), parsed here so they can be tested.
import { UsageError } from '../lib/cli.ts';

/** Thrown for a bad command line (the shared CLI frame, scripts/lib/cli.ts). */
export { UsageError };

export const USAGE = `usage: npm run package -- [--target TRIPLE] [--out DIR]
       npm run package -- --checksums DIR
  (default)         build native/, pack knhk-v<version>-<target>.tar.gz, smoke-test it, and write it with
                    its .sha256, SHA256SUMS and release.json into --out (default .knhk/dist)
  --target TRIPLE   refuse unless the build is for this target (no cross builds)
  --out DIR         where the package goes (default .knhk/dist)
  --checksums DIR   after every target was packaged into DIR: check each tarball against its .sha256,
                    then write one SHA256SUMS and one release.json over all of them (nothing is built)
  Exit 0 written, 1 refused (nothing written), 2 usage, 3 internal error.`;

export type PackageArgs =
  | { mode: 'package'; target: string | undefined; outDir: string | undefined; help: false }
  | { mode: 'checksums'; dir: string; help: false }
  | { mode: 'help'; help: true };

/**
 * Parses `[--target T] [--out DIR]`, `--checksums DIR` or `--help` (`--flag value` or `--flag=value`).
 * @throws UsageError naming the flag and the bad value
 */
export function parsePackageArgs(argv: readonly string[]): PackageArgs {
  const values: Partial<Record<'--target' | '--out' | '--checksums', string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flag === '--help' || flag === '-h') return { mode: 'help', help: true };
    if (flag !== '--target' && flag !== '--out' && flag !== '--checksums') {
      throw new UsageError(
        `knhk: package: unknown argument: expected --target, --out, --checksums or --help, got ${arg}`,
      );
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      const expected = flag === '--target' ? 'a target such as x86_64-linux-gnu' : 'a folder';
      throw new UsageError(
        `knhk: package: ${flag} needs a value: expected ${expected}, got ${value || 'nothing'}`,
      );
    }
    if (values[flag] !== undefined) {
      throw new UsageError(
        `knhk: package: ${flag} is given twice: expected it once, got ${values[flag]} and ${value}`,
      );
    }
    values[flag] = value;
  }
  const dir = values['--checksums'];
  if (dir === undefined) {
    return { mode: 'package', target: values['--target'], outDir: values['--out'], help: false };
  }
  const other =
    values['--target'] !== undefined ? '--target' : values['--out'] !== undefined ? '--out' : null;
  if (other) {
    throw new UsageError(
      `knhk: package: --checksums builds nothing and writes into its own folder: expected --checksums DIR alone, got ${other} too`,
    );
  }
  return { mode: 'checksums', dir, help: false };
}
