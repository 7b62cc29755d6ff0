// `npm test` (after setup): runs every suite, prints a table, and ends with exactly `N passed, M failed`.
// Exit codes: 0 all passed, 1 something failed or had no evidence, 2 usage, 3 internal error.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOrExitCode, runCli } from '../lib/cli.ts';
import { USAGE, parseTestAllArgs } from './args.ts';
import { runTestAll } from './index.ts';
import { formatSummary } from './sum.ts';

async function main(): Promise<number> {
  const args = parseOrExitCode(
    () => parseTestAllArgs(process.argv.slice(2)),
    USAGE,
    (a) => a.help,
  );
  if (typeof args === 'number') return args;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const result = await runTestAll({ root, only: args.only });
  if (result.notSelected.length > 0) {
    process.stdout.write(`\nnot selected (--only): ${result.notSelected.join(', ')}\n`);
  }
  process.stdout.write(formatSummary(result.summary));
  return result.summary.exitCode;
}

runCli('test-all', main);
