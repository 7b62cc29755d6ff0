// `npm run backfill -- --commits N [--repo-dir DIR] [--out DIR] [--samples N]`: benchmarks the last N
// commits of HEAD's first-parent history, each in a temporary worktree, into DIR (default .knhk/runs,
// which `npm run snapshot` reads). Exit 0 when every commit was backfilled or already was, 1 when one
// did not build or bench (recorded in DIR/backfill-state.json), 2 usage, 3 internal.
import { exitInternalError, exitUsage } from '../lib/cli.ts';
import { BackfillError, runBackfill, type BackfillOptions } from './index.ts';

const USAGE = `usage: npm run backfill -- --commits N [--repo-dir DIR] [--out DIR] [--samples N]
  --commits N     how many commits of HEAD's first-parent history (newest first)
  --repo-dir DIR  the git checkout (default: the current folder)
  --out DIR       where run folders go (default .knhk/runs)
  --samples N     samples per bench entry, passed to knhk bench (default: the bench's own)`;

function usage(message: string): never {
  return exitUsage('backfill', message, USAGE);
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`${flag}: expected a positive integer, got "${value}"`);
  return n;
}

const opts: Partial<BackfillOptions> = { repoDir: process.cwd(), outDir: '.knhk/runs' };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const flag = args[i]!;
  if (flag === '--help' || flag === '-h') {
    console.log(USAGE);
    process.exit(0);
  }
  if (!['--commits', '--repo-dir', '--out', '--samples'].includes(flag)) {
    usage(`unknown argument: expected --commits, --repo-dir, --out or --samples, got "${flag}"`);
  }
  const value = args[++i];
  if (value === undefined || value.startsWith('--')) usage(`${flag}: expected a value, got none`);
  if (flag === '--commits') opts.commits = positive(flag, value);
  else if (flag === '--samples') opts.samples = positive(flag, value);
  else if (flag === '--repo-dir') opts.repoDir = value;
  else opts.outDir = value;
}
if (opts.commits === undefined) usage('--commits: expected a positive integer, got none');

try {
  const r = await runBackfill({
    ...(opts as BackfillOptions),
    log: (line) => console.log(`backfill: ${line}`),
  });
  console.log(
    `backfill: ${r.commits.length} commit(s): ${r.backfilled.length} backfilled, ${r.skipped.length} already were, ${r.failed.length} failed -> ${opts.outDir}`,
  );
  for (const id of r.backfilled) console.log(`backfill: stored ${id}`);
  for (const f of r.failed)
    console.error(`knhk: backfill: ${f.sha.slice(0, 12)}: ${f.stage} failed: ${f.reason}`);
  process.exit(r.failed.length ? 1 : 0);
} catch (err) {
  if (err instanceof BackfillError) {
    console.error(`knhk: backfill: ${err.message}`);
    process.exit(1);
  }
  exitInternalError('backfill', err);
}
