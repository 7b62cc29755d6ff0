// `npm run bump-version -- X.Y.Z [--dry-run]`: set the version in package.json, knhk.h and the Weaver
// manifest together. Exit 2 for a malformed version, 1 when the files refuse it (lower, unreadable).
import { exitInternalError } from '../lib/cli.ts';
import { runBumpVersion } from './index.ts';

const USAGE = 'usage: bump-version X.Y.Z [--dry-run]';
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const rest = args.filter((a) => a !== '--dry-run');
const unknown = rest.filter((a) => a.startsWith('--'));
if (unknown.length || rest.length !== 1) {
  const got = unknown.length
    ? `"${unknown[0]}"`
    : rest.length
      ? rest.map((a) => `"${a}"`).join(' ')
      : 'nothing';
  const what = unknown.length ? 'unknown option: expected --dry-run' : 'expected one version X.Y.Z';
  console.error(`knhk: bump-version: ${what}, got ${got}\n${USAGE}`);
  process.exit(2);
}
try {
  const result = runBumpVersion({ root: process.cwd(), version: rest[0] as string, dryRun });
  if (!result.ok) {
    for (const p of result.problems) console.error(`knhk: bump-version: ${p}`);
    if (result.code === 2) console.error(USAGE);
    process.exit(result.code);
  }
  process.stdout.write(result.diff);
  const files = result.changes.map((c) => c.file).join(', ');
  console.error(
    result.dryRun
      ? `bump-version: dry run: would set ${result.version} in ${files}; nothing changed`
      : `bump-version: ${result.version} in ${files}`,
  );
} catch (err) {
  exitInternalError('bump-version', err);
}
