// `npm run gates`: runs the gates, prints a summary and the files written. Exit codes: 0 every blocking
// gate that ran passed, 1 one failed or has no evidence, 2 usage, 3 internal error.
import { appendFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOrExitCode, runCli } from '../lib/cli.ts';
import { USAGE, parseGatesArgs } from './args.ts';
import { runGates } from './index.ts';
import { formatGatesMarkdown, formatGatesSummary } from './summary.ts';

async function main(): Promise<number> {
  const args = parseOrExitCode(
    () => parseGatesArgs(process.argv.slice(2)),
    USAGE,
    (a) => a.help,
  );
  if (typeof args === 'number') return args;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  // npm runs scripts in the package root; paths on the command line are relative to where it was typed.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const result = await runGates({
    root,
    quick: args.quick,
    verbose: args.verbose,
    ...(args.only ? { only: args.only } : {}),
    ...(args.weaverReport ? { weaverReport: resolve(cwd, args.weaverReport) } : {}),
    ...(args.runsDir ? { runsDir: resolve(cwd, args.runsDir) } : {}),
  });
  process.stdout.write(formatGatesSummary(result));
  // In GitHub Actions the same summary goes to the job's summary page.
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) appendFileSync(stepSummary, formatGatesMarkdown(result));
  return result.exitCode;
}

runCli('gates', main);
