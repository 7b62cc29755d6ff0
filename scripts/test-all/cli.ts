// `npm test` (after setup): runs every suite, prints a table, and ends with exactly `N passed, M failed`.
// Exit codes: 0 all passed, 1 something failed or had no evidence, 2 usage, 3 internal error.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, UsageError, parseTestAllArgs, type TestAllArgs } from './args.ts';
import { runTestAll } from './index.ts';
import { formatSummary } from './sum.ts';

async function main(): Promise<number> {
  let args: TestAllArgs;
  try {
    args = parseTestAllArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const result = await runTestAll({ root, only: args.only });
  if (result.notSelected.length > 0) {
    process.stdout.write(`\nnot selected (--only): ${result.notSelected.join(', ')}\n`);
  }
  process.stdout.write(formatSummary(result.summary));
  return result.summary.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `knhk: test-all: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 3;
  },
);
