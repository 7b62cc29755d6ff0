// `npm run release-notes -- [--from TAG] [--to REF] [--out FILE]`: notes from git history into
// .knhk/dist/RELEASE_NOTES.md (`--out -` prints them instead). Exit 2 on usage errors or bad refs.
import { exitInternalError } from '../lib/cli.ts';
import { runGenValidators } from '../gen-validators/index.ts';

const USAGE = 'usage: release-notes [--from TAG] [--to REF] [--out FILE|-]';
const FLAGS = ['--from', '--to', '--out'] as const;
type Flag = (typeof FLAGS)[number];

const args = process.argv.slice(2);
const values: Partial<Record<Flag, string>> = {};
for (let i = 0; i < args.length; i++) {
  const flag = args[i] as Flag;
  const value = args[i + 1];
  if (!FLAGS.includes(flag)) {
    console.error(
      `knhk: release-notes: unknown argument: expected ${FLAGS.join(', ')}, got "${args[i]}"\n${USAGE}`,
    );
    process.exit(2);
  }
  if (value === undefined || (value.startsWith('--') && value !== '-')) {
    console.error(
      `knhk: release-notes: ${flag} needs a value: expected ${flag} VALUE, got nothing\n${USAGE}`,
    );
    process.exit(2);
  }
  values[flag] = value;
  i++;
}
try {
  // The npm script does not run `gen` first: compile the validators (a no-op when they are current)
  // before the module that imports them is loaded.
  runGenValidators({ schemaDir: 'registry/schemas', outDir: 'app/lib/reports/generated' });
  const { runReleaseNotes } = await import('./index.ts');
  const toStdout = values['--out'] === '-';
  const result = await runReleaseNotes({
    root: process.cwd(),
    from: values['--from'],
    to: values['--to'],
    out: toStdout ? null : (values['--out'] ?? '.knhk/dist/RELEASE_NOTES.md'),
  });
  if (!result.ok) {
    for (const p of result.problems) console.error(`knhk: release-notes: ${p}`);
    if (result.code === 2) console.error(USAGE);
    process.exit(result.code);
  }
  for (const w of result.warnings) console.error(`knhk: release-notes: warning: ${w}`);
  if (toStdout) process.stdout.write(result.markdown);
  else {
    const range = `${result.from.ref ?? 'the first commit'}..${result.to.ref}`;
    console.error(`release-notes: ${result.commits} commit(s) in ${range}`);
    for (const f of result.written) console.log(f);
  }
} catch (err) {
  exitInternalError('release-notes', err);
}
