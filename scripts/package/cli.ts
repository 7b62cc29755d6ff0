// `npm run package [-- --target TRIPLE] [--out DIR]`: the release tarball, its checksums and
// release.json in .knhk/dist/. Exit 1 when the build, a reproducibility check or the smoke test failed.
import { displayPath, runPackage } from './index.ts';

const USAGE = 'usage: package [--target TRIPLE] [--out DIR]';
const args = process.argv.slice(2);
let target: string | undefined;
let outDir: string | undefined;
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  const value = args[i + 1];
  if ((flag === '--target' || flag === '--out') && value && !value.startsWith('--')) {
    if (flag === '--target') target = value;
    else outDir = value;
    i++;
  } else {
    const what =
      flag === '--target' || flag === '--out'
        ? `${flag} needs a value`
        : `unknown argument: expected --target or --out`;
    console.error(
      `knhk: package: ${what}, got "${flag === '--target' || flag === '--out' ? (value ?? '') : flag}"\n${USAGE}`,
    );
    process.exit(2);
  }
}
try {
  const result = await runPackage({ root: process.cwd(), target, outDir, log: (l) => console.error(l) });
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
} catch (err) {
  console.error(`knhk: package: internal error: ${(err as Error).stack ?? String(err)}`);
  process.exit(3);
}
