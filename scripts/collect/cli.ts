// `npm run collect -- --repo OWNER/NAME [--workflow ci.yml] [--out DIR] [--max-runs N] [--published URL]`:
// downloads the report artifacts of a workflow's runs (and restores a published snapshot's runs) into
// DIR (default .knhk/artifacts) for `npm run snapshot -- --from DIR`. Token: GITHUB_TOKEN.
// Exit 0 when nothing was refused or failed, 1 otherwise (or on a GitHub error), 2 usage, 3 internal.
import { exitInternalError, exitUsage } from '../lib/cli.ts';
import { CollectError, runCollect, type CollectOptions } from './index.ts';

const USAGE = `usage: npm run collect -- --repo OWNER/NAME [--workflow ci.yml] [--out DIR] [--max-runs N] [--published URL]
  --repo OWNER/NAME  repository whose workflow runs are collected (GITHUB_TOKEN: needed to download artifacts)
  --workflow FILE    workflow file name or id (default ci.yml)
  --out DIR          where run folders go (default .knhk/artifacts); also holds collect-state.json, etag-cache.json
  --max-runs N       latest completed workflow runs to look at (default 30)
  --published URL    a published snapshot (the folder holding index.json) whose runs are restored first`;

function usage(message: string): never {
  return exitUsage('collect', message, USAGE);
}

const opts: CollectOptions = { outDir: '.knhk/artifacts' };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const flag = args[i]!;
  if (flag === '--help' || flag === '-h') {
    console.log(USAGE);
    process.exit(0);
  }
  const value = args[i + 1];
  if (!['--repo', '--workflow', '--out', '--max-runs', '--published'].includes(flag)) {
    usage(`unknown argument: expected --repo, --workflow, --out, --max-runs or --published, got "${flag}"`);
  }
  if (value === undefined || value.startsWith('--')) usage(`${flag}: expected a value, got none`);
  i++;
  if (flag === '--repo') {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value))
      usage(`--repo: expected OWNER/NAME, got "${value}"`);
    opts.repo = value;
  } else if (flag === '--workflow') opts.workflow = value;
  else if (flag === '--out') opts.outDir = value;
  else if (flag === '--published') {
    if (!/^https?:\/\//.test(value)) usage(`--published: expected an http(s) URL, got "${value}"`);
    opts.published = value;
  } else {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      usage(`--max-runs: expected an integer 1..1000, got "${value}"`);
    opts.maxRuns = n;
  }
}
if (!opts.repo && !opts.published) usage('expected --repo OWNER/NAME (or --published URL), got neither');

const token = process.env.GITHUB_TOKEN?.trim();
if (token) opts.token = token;
else if (opts.repo) {
  console.error(
    'knhk: collect: GITHUB_TOKEN is not set: public repositories are listed at 60 requests per hour, and artifacts cannot be downloaded without a token',
  );
}

try {
  const r = await runCollect({ ...opts, log: (line) => console.error(`collect: ${line}`) });
  if (r.published) console.log(`collect: published snapshot: ${r.published} run(s) listed`);
  if (r.repo) {
    console.log(
      `collect: ${r.repo} ${r.workflow}: ${r.listed} workflow run(s), ${r.artifacts} report artifact(s)` +
        (r.notModified ? ` (${r.notModified} request(s) answered 304 Not Modified)` : ''),
    );
  }
  console.log(
    `collect: ${r.downloaded.length} downloaded, ${r.skipped.length} skipped, ${r.expired.length} expired, ` +
      `${r.refused.length} refused, ${r.failed.length} failed -> ${opts.outDir}`,
  );
  for (const id of r.downloaded) console.log(`collect: stored ${id}`);
  for (const e of r.expired) console.log(`collect: expired: ${e.source}: ${e.reason}`);
  const notDownloaded = r.skipped.filter((s) => s.reason.startsWith('no GITHUB_TOKEN')).length;
  if (notDownloaded) console.log(`collect: ${notDownloaded} artifact(s) not downloaded: no GITHUB_TOKEN`);
  for (const x of r.refused) console.error(`knhk: collect: refused ${x.source}: ${x.reason}`);
  for (const x of r.failed) console.error(`knhk: collect: could not fetch ${x.source}: ${x.reason}`);
  process.exit(r.refused.length || r.failed.length ? 1 : 0);
} catch (err) {
  if (err instanceof CollectError) {
    console.error(`knhk: collect: ${err.message}`);
    process.exit(1);
  }
  exitInternalError('collect', err);
}
