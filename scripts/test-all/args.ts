// Command-line options of `npm test` / scripts/test-all/cli.ts: parsed here so they can be tested.
import { UsageError } from '../lib/cli.ts';
import { SUITES, type SuiteName } from './sum.ts';

/** Thrown for a bad command line (the shared CLI frame, scripts/lib/cli.ts). */
export { UsageError };

export const USAGE = `usage: tsx scripts/test-all/cli.ts [--only <suites>]
  --only c,unit,build,e2e   run only these suites (comma-separated; they always run in the fixed order)
  suites, in order: ${SUITES.join(', ')}
    c         make -C native, then make -C native test (TAP)
    neon      make -C native test-neon: the arm64 build's TAP under qemu-aarch64 (natively on arm64), plus one
              check for its knhk selftest (neon against portable); no evidence without aarch64-linux-gnu-gcc
              and qemu-aarch64 on PATH
    wasm      bash wasm/build.sh (one check)
    pipeline  npm run pipeline (one check; not run when the native build failed)
    unit      npm run gen, then vitest (JSON report in .knhk/test-results/vitest.json)
    build     npm run build (one check)
    e2e       playwright test with CHROME_PATH from .knhk/toolchain.json (not run when the site build failed;
              not run and no evidence when chrome_path is null: setup ran with KNHK_NO_BROWSER=1)
  A suite that ran 0 tests or wrote no report counts as one failure ("no evidence").
  The last line is always "N passed, M failed"; exit 1 when M > 0.`;

export interface TestAllArgs {
  /** Suites named by --only (deduplicated), or undefined for all. */
  only: SuiteName[] | undefined;
  help: boolean;
}

function isSuiteName(name: string): name is SuiteName {
  return (SUITES as readonly string[]).includes(name);
}

/**
 * Parses `[--only a,b] [--only=c] [--help]`.
 * @throws UsageError naming the flag and the bad value
 */
export function parseTestAllArgs(argv: readonly string[]): TestAllArgs {
  let only: SuiteName[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { only, help: true };
    let value: string | undefined;
    if (arg === '--only') {
      value = argv[++i];
      if (value === undefined || value.startsWith('-')) {
        throw new UsageError(
          `knhk: test-all: --only needs a value: expected a list such as c,unit, got ${value ?? 'nothing'}`,
        );
      }
    } else if (arg.startsWith('--only=')) {
      value = arg.slice('--only='.length);
    } else {
      throw new UsageError(
        `knhk: test-all: unknown argument: expected --only <suites> or --help, got ${arg}`,
      );
    }
    const names = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length === 0) {
      throw new UsageError(
        `knhk: test-all: --only is empty: expected one or more of ${SUITES.join(', ')}, got "${value}"`,
      );
    }
    for (const name of names) {
      if (!isSuiteName(name)) {
        throw new UsageError(
          `knhk: test-all: --only has an unknown suite: expected one of ${SUITES.join(', ')}, got ${name}`,
        );
      }
      only = only ?? [];
      if (!only.includes(name)) only.push(name);
    }
  }
  return { only, help: false };
}
