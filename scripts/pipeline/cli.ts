// `npm run pipeline`: one local pipeline run (bench + run manifest), then the data snapshot.
import { runPipeline } from './index.ts';

const samplesArg = process.argv.indexOf('--samples');
const samples = samplesArg > 0 ? Number(process.argv[samplesArg + 1]) : undefined;
if (samples !== undefined && !(Number.isInteger(samples) && samples > 0)) {
  console.error(
    `knhk: pipeline: --samples: expected a positive integer, got "${process.argv[samplesArg + 1] ?? ''}"`,
  );
  process.exit(2);
}
try {
  const result = await runPipeline({
    repoDir: process.cwd(),
    knhkBinary: 'native/build/knhk',
    runsDir: '.knhk/runs',
    snapshotDir: 'static/data',
    ...(samples ? { samples } : {}),
  });
  console.log(`pipeline: run ${result.runId} written to ${result.runDir}`);
  console.log(`pipeline: snapshot has ${result.snapshot.runs} run(s) in ${result.snapshot.outDir}`);
  for (const r of result.snapshot.refused) console.error(`pipeline: refused ${r.source}: ${r.reason}`);
} catch (err) {
  console.error(`knhk: pipeline: ${(err as Error).message}`);
  process.exit(1);
}
