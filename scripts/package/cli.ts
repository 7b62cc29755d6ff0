// `npm run package [-- --target TRIPLE] [--out DIR]`: the release tarball, its checksums and release.json
// in .knhk/dist/; `npm run package -- --checksums DIR`: SHA256SUMS and release.json over every target's
// tarball in DIR. Exit 1 when a check failed (nothing written), 2 on usage errors, 3 on internal errors.
import { resolve } from 'node:path';
import { exitInternalError, parseOrExitCode } from '../lib/cli.ts';
import { USAGE, parsePackageArgs } from './args.ts';
import { runChecksums } from './checksums.ts';
import { displayPath, runPackage } from './index.ts';

const parsed = parseOrExitCode(
  () => parsePackageArgs(process.argv.slice(2)),
  USAGE,
  (a) => a.help,
);
if (typeof parsed === 'number') process.exit(parsed);
const args = parsed;
// npm runs scripts in the package root; folders on the command line are relative to where it was typed.
const cwd = process.env.INIT_CWD ?? process.cwd();
try {
  if (args.mode === 'checksums') {
    const result = await runChecksums({ root: process.cwd(), dir: resolve(cwd, args.dir) });
    for (const w of result.warnings) console.error(`knhk: package: warning: ${w}`);
    for (const p of result.problems) console.error(`knhk: package: ${p}`);
    if (!result.ok) {
      console.error(`knhk: package: nothing written to ${displayPath(result.dir)}`);
      process.exit(1);
    }
    for (const a of result.assets) console.error(`package: checked ${a.name} ${a.sha256}`);
    for (const f of result.written) console.log(displayPath(f));
  } else {
    const result = await runPackage({
      root: process.cwd(),
      target: args.target,
      outDir: args.outDir === undefined ? undefined : resolve(cwd, args.outDir),
      log: (l) => console.error(l),
    });
    for (const w of result.warnings) console.error(`knhk: package: warning: ${w}`);
    for (const s of result.smoke) console.error(`package: smoke ${s.status}: ${s.command}: ${s.reason}`);
    for (const p of result.problems) console.error(`knhk: package: ${p}`);
    if (!result.ok) {
      if (result.asset)
        console.error(`knhk: package: nothing written; the refused tarball is ${result.asset.path}`);
      process.exit(1);
    }
    for (const f of result.written) console.log(displayPath(f));
    console.log(`${result.asset?.sha256}  ${result.asset?.name}`);
  }
} catch (err) {
  exitInternalError('package', err);
}
