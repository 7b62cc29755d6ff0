// The local pipeline: benchmark this machine's build with `knhk bench --json`, write a run manifest
// for this machine and commit under .knhk/runs/<run-id>/, then assemble the data snapshot.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readHeadCommit, type CommitInfo } from '../lib/git.ts';
import { commandLine, exec as defaultExec, type Exec } from '../lib/exec.ts';
import {
  buildRunManifest,
  describeRunner,
  runIdentity,
  writeReport,
  writeRunManifest,
} from '../lib/run-manifest.ts';
import { validateAs } from '../../app/lib/reports/validate.ts';
import type { RunManifest, RunReportRef, TickBench } from '../../app/lib/reports/types.ts';
import { runSnapshot, type SnapshotResult } from '../snapshot/index.ts';

export { localRunId } from '../lib/run-manifest.ts';

export interface PipelineOptions {
  repoDir: string;
  knhkBinary: string;
  runsDir: string;
  snapshotDir: string;
  samples?: number;
  now?: () => Date;
  /** Environment (GITHUB_ACTIONS=true gives the CI run identity). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Command runner. Default: scripts/lib/exec.ts. */
  exec?: Exec;
  /** The commit the run is about. Default: the repository's HEAD. */
  commit?: CommitInfo;
  /** Host name in a local run id. Default: this machine's. */
  host?: string;
}

export interface PipelineResult {
  runId: string;
  runDir: string;
  manifest: RunManifest;
  snapshot: SnapshotResult;
}

export async function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const now = opts.now ?? (() => new Date());
  const exec = opts.exec ?? defaultExec;
  const started = now();
  const commit = opts.commit ?? readHeadCommit(opts.repoDir);

  const args = [
    'bench',
    '--json',
    '--commit',
    commit.sha,
    ...(opts.samples ? ['--samples', String(opts.samples)] : []),
  ];
  const run = await exec(opts.knhkBinary, args, { cwd: opts.repoDir });
  if (run.code !== 0) {
    const detail = run.stderr.trim().split('\n').pop() ?? '';
    throw new Error(
      `${commandLine(opts.knhkBinary, args)} failed: expected exit 0, got ${run.code}${detail ? ` (${detail})` : ''}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch (error) {
    throw new Error(`knhk bench wrote no JSON: ${(error as Error).message}`);
  }
  const bench = validateAs('tick-bench', parsed);
  if (!bench.ok) {
    const list = bench.issues.map((i) => `  ${i.path || '/'}: ${i.message}`).join('\n');
    throw new Error(`knhk bench wrote an invalid tick-bench report:\n${list}`);
  }
  const tb: TickBench = bench.value;

  const identity = runIdentity({
    env: opts.env ?? process.env,
    host: opts.host ?? hostname(),
    at: started,
    target: tb.target,
  });
  const runDir = join(opts.runsDir, identity.id);
  mkdirSync(runDir, { recursive: true });
  const reports: RunReportRef[] = [writeReport(runDir, 'tick-bench', 'tick-bench.json', run.stdout)];

  const manifest = writeRunManifest(
    runDir,
    buildRunManifest({
      identity,
      commit,
      target: tb.target,
      runner: describeRunner(tb.cpu.model),
      startedAt: started,
      finishedAt: now(),
      reports,
    }),
  );

  const snapshot = await runSnapshot({ runsDirs: [opts.runsDir], outDir: opts.snapshotDir });
  return { runId: identity.id, runDir, manifest, snapshot };
}
