// `npm run snapshot [-- --from DIR ...] [--out DIR]`: assemble static/data/ from .knhk/runs/ and any
// folders of downloaded runs. Exit 1 when a run was refused (the reason is printed).
import { exitInternalError } from '../lib/cli.ts';
import { runSnapshot } from './index.ts';

const args = process.argv.slice(2);
const from: string[] = [];
let out = 'static/data';
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  const value = args[i + 1];
  if ((flag === '--from' || flag === '--out') && value) {
    if (flag === '--from') from.push(value);
    else out = value;
    i++;
  } else {
    console.error(`knhk: snapshot: unknown argument: expected --from DIR or --out DIR, got "${flag}"`);
    process.exit(2);
  }
}
try {
  const result = await runSnapshot({ runsDirs: from.length ? from : ['.knhk/runs'], outDir: out });
  console.log(`snapshot: ${result.runs} run(s) in ${result.outDir}; added ${result.added.length}`);
  for (const r of result.refused) console.error(`knhk: snapshot: refused ${r.source}: ${r.reason}`);
  process.exit(result.refused.length ? 1 : 0);
} catch (err) {
  exitInternalError('snapshot', err);
}
