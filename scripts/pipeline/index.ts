// The local pipeline: benchmark this machine's build with `knhk bench --json`, write a run manifest
// for this machine and commit under .knhk/runs/<run-id>/, then assemble the data snapshot.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, hostname, type } from 'node:os';
import { join } from 'node:path';
import { readHeadCommit, toUtc } from '../lib/git.ts';
import { validateAs } from '../../app/lib/reports/validate.ts';
import type { RunManifest, RunReportRef, TickBench } from '../../app/lib/reports/types.ts';
import { runSnapshot, type SnapshotResult } from '../snapshot/index.ts';

export interface PipelineOptions {
  repoDir: string;
  knhkBinary: string;
  runsDir: string;
  snapshotDir: string;
  samples?: number;
  now?: () => Date;
}

export interface PipelineResult {
  runId: string;
  runDir: string;
  manifest: RunManifest;
  snapshot: SnapshotResult;
}

/** `local-<host>-<UTC time>`; the host reduced to the characters a run id allows. */
export function localRunId(host: string, at: Date): string {
  const safeHost = host.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^-+|-+$/g, '') || 'host';
  return `local-${safeHost}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}`;
}

export async function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const commit = readHeadCommit(opts.repoDir);
  const runId = localRunId(hostname(), started);
  const runDir = join(opts.runsDir, runId);
  mkdirSync(runDir, { recursive: true });

  const args = [
    'bench',
    '--json',
    '--commit',
    commit.sha,
    ...(opts.samples ? ['--samples', String(opts.samples)] : []),
  ];
  const benchText = execFileSync(opts.knhkBinary, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const bench = validateAs('tick-bench', JSON.parse(benchText));
  if (!bench.ok) {
    const list = bench.issues.map((i) => `  ${i.path || '/'}: ${i.message}`).join('\n');
    throw new Error(`knhk bench wrote an invalid tick-bench report:\n${list}`);
  }
  const reports: RunReportRef[] = [writeReport(runDir, 'tick-bench', 'tick-bench.json', benchText)];
  const tb: TickBench = bench.value;

  const manifest: RunManifest = {
    schema: 'knhk.run/v1',
    id: runId,
    group: runId,
    source: 'local',
    repo: null,
    workflow: null,
    event: 'local',
    commit: { sha: commit.sha, message: commit.message, author: commit.author, time: commit.time },
    branch: commit.branch,
    tag: commit.tag,
    base_sha: null,
    target: tb.target,
    runner: { os: type(), arch: arch(), cpu_model: tb.cpu.model, hostname: hostname() },
    started_at: toUtc(started.toISOString()),
    finished_at: toUtc(now().toISOString()),
    url: null,
    reports,
  };
  const checked = validateAs('run', manifest);
  if (!checked.ok)
    throw new Error(`internal: the run manifest is invalid: ${JSON.stringify(checked.issues)}`);
  writeFileSync(join(runDir, 'run.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const snapshot = await runSnapshot({ runsDirs: [opts.runsDir], outDir: opts.snapshotDir });
  return { runId, runDir, manifest, snapshot };
}

function writeReport(dir: string, kind: RunReportRef['kind'], file: string, text: string): RunReportRef {
  const bytes = Buffer.from(text.endsWith('\n') ? text : `${text}\n`);
  writeFileSync(join(dir, file), bytes);
  return { kind, file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}
