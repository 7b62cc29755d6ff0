// `npm run --silent report -- check FILE...`: one JSON object per file on stdout; exit 0 when every
// file is valid, 1 otherwise, 2 on usage errors.
import { exitInternalError } from '../lib/cli.ts';
import { runReportCheck } from './index.ts';

const USAGE = 'usage: report check FILE...';
const [command, ...files] = process.argv.slice(2);
if (command !== 'check' || files.length === 0) {
  console.error(
    command === undefined || command === 'check'
      ? `knhk: report: no file given: expected at least one FILE\n${USAGE}`
      : `knhk: report: unknown command: expected "check", got "${command}"\n${USAGE}`,
  );
  process.exit(2);
}
try {
  const results = await runReportCheck(files);
  for (const r of results) console.log(JSON.stringify(r));
  process.exit(results.every((r) => r.valid) ? 0 : 1);
} catch (err) {
  exitInternalError('report', err);
}
