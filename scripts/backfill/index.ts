// `backfill`: benchmarks the last N commits of HEAD's first-parent history, each built in its own
// temporary git worktree, and stores each as a run folder (event `backfill`) so trends have history
// from day one. A commit that does not build or bench is recorded and skipped; one already
// backfilled on this host is skipped. The worktree is always removed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, hostname, tmpdir, type } from 'node:os';
import { join, resolve } from 'node:path';
import { checkDocument } from '../../app/lib/reports/check.ts';
import type { RunManifest, TickBench } from '../../app/lib/reports/types.ts';
import { writeJsonAtomic } from '../lib/github.ts';
import { toUtc } from '../lib/git.ts';
import { checkRunFiles, formatProblems, isStored, storeRun } from '../collect/run-folder.ts';

const STATE_FORMAT = 'knhk.backfill-state/v1';

export interface BackfillOptions {
  /** The git checkout whose history is benchmarked. */
  repoDir: string;
  /** How many commits of HEAD's first-parent history, newest first. */
  commits: number;
  /** Where run folders go (default for the CLI: .knhk/runs, what `snapshot` reads). */
  outDir: string;
  /** The host name in run ids and manifests (default: this machine's). */
  host?: string;
  /** `--samples` passed to `knhk bench` (fewer samples: a faster, noisier backfill). */
  samples?: number;
  /** Where temporary worktrees are made (default: the OS temporary folder). */
  tmpDir?: string;
  /** Limit for each build and each bench, in milliseconds (default 10 minutes). */
  timeoutMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

export type BackfillStage = 'worktree' | 'build' | 'bench' | 'report';

export interface BackfillResult {
  /** The commits considered, oldest first (the order they were benchmarked in). */
  commits: string[];
  /** Run ids written by this call. */
  backfilled: string[];
  skipped: { sha: string; run_id: string; reason: string }[];
  /** Commits that did not build or bench; recorded in backfill-state.json and tried again next time
   *  (a failure may be the machine's, such as a missing compiler, rather than the commit's). */
  failed: { sha: string; stage: BackfillStage; reason: string }[];
}

/** A usage or environment problem that stops the backfill (not a git checkout, too few commits). */
export class BackfillError extends Error {
  override name = 'BackfillError';
}

interface Commit {
  sha: string;
  author: string;
  time: string;
  message: string;
}

/** `local-<host>.backfill.<sha12>-<commit time>`: unique and stable per host and commit, and within
 *  the run id pattern (`local-[A-Za-z0-9_.-]+-YYYYMMDDTHHMMSSZ`). The time is the commit's (committer
 *  time, UTC), so ids sort in history order; the run's own started_at says when it was measured. */
export function backfillRunId(host: string, sha: string, commitTime: string): string {
  const safeHost = host.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^-+|-+$/g, '') || 'host';
  const stamp = toUtc(commitTime).replace(/[-:]/g, '');
  return `local-${safeHost}.backfill.${sha.slice(0, 12)}-${stamp}`;
}

export async function runBackfill(opts: BackfillOptions): Promise<BackfillResult> {
  if (!Number.isInteger(opts.commits) || opts.commits < 1) {
    throw new BackfillError(`--commits: expected a positive integer, got ${opts.commits}`);
  }
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const host = opts.host ?? hostname();
  const repoDir = resolve(opts.repoDir);
  const timeout = opts.timeoutMs ?? 10 * 60_000;
  const commits = listCommits(repoDir, opts.commits);
  const branch = git(repoDir, ['symbolic-ref', '--short', '-q', 'HEAD']) || null;
  const statePath = join(opts.outDir, 'backfill-state.json');
  const state = loadState(statePath);
  const result: BackfillResult = {
    commits: commits.map((c) => c.sha),
    backfilled: [],
    skipped: [],
    failed: [],
  };

  for (const commit of commits) {
    const id = backfillRunId(host, commit.sha, commit.time);
    if (await isStored(opts.outDir, id)) {
      result.skipped.push({ sha: commit.sha, run_id: id, reason: 'already backfilled' });
      continue;
    }
    log(`${commit.sha.slice(0, 12)} ${commit.message}`);
    const started = now();
    const outcome = benchInWorktree(repoDir, commit.sha, { ...opts, timeout });
    if (!outcome.ok) {
      result.failed.push({ sha: commit.sha, stage: outcome.stage, reason: outcome.reason });
      state.failed[commit.sha] = { stage: outcome.stage, reason: outcome.reason, at: utc(now()) };
      log(`  ${outcome.stage} failed: ${outcome.reason}`);
      continue;
    }
    const stored = await storeBackfilledRun(opts.outDir, {
      id,
      commit,
      branch,
      tag: git(repoDir, ['describe', '--tags', '--exact-match', commit.sha]) || null,
      host,
      benchText: outcome.benchText,
      started,
      finished: now(),
    });
    if (!stored.ok) {
      result.failed.push({ sha: commit.sha, stage: 'report', reason: stored.reason });
      state.failed[commit.sha] = { stage: 'report', reason: stored.reason, at: utc(now()) };
      continue;
    }
    delete state.failed[commit.sha];
    result.backfilled.push(id);
  }
  writeJsonAtomic(statePath, state);
  return result;
}

/** The last `n` commits of HEAD's first-parent history, oldest first. */
function listCommits(repoDir: string, n: number): Commit[] {
  const out = git(repoDir, ['log', '--first-parent', `-n${n}`, '--format=%H%x00%an%x00%cI%x00%s', 'HEAD']);
  if (out === null) throw new BackfillError(`not a git checkout with commits: ${repoDir}`);
  const commits = out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha = '', author = '', time = '', message = ''] = line.split('\u0000');
      return { sha, author, time: toUtc(time), message };
    });
  return commits.reverse();
}

type BenchOutcome = { ok: true; benchText: string } | { ok: false; stage: BackfillStage; reason: string };

/** `git worktree add --detach`, `make -C native`, `knhk bench --json --commit <sha>`; the worktree
 *  and its temporary folder are removed whatever happens. */
function benchInWorktree(
  repoDir: string,
  sha: string,
  opts: BackfillOptions & { timeout: number },
): BenchOutcome {
  const base = mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'knhk-backfill-'));
  const tree = join(base, 'tree');
  let added = false;
  try {
    const add = run('git', ['-C', repoDir, 'worktree', 'add', '--detach', tree, sha], opts.timeout);
    if (!add.ok) return { ok: false, stage: 'worktree', reason: add.reason };
    added = true;
    if (!existsSync(join(tree, 'native', 'Makefile'))) {
      return { ok: false, stage: 'build', reason: 'native/Makefile does not exist at this commit' };
    }
    const build = run('make', ['-C', join(tree, 'native')], opts.timeout);
    if (!build.ok) return { ok: false, stage: 'build', reason: build.reason };
    const knhk = join(tree, 'native', 'build', 'knhk');
    if (!existsSync(knhk))
      return { ok: false, stage: 'build', reason: 'the build made no native/build/knhk' };
    const args = [
      'bench',
      '--json',
      '--commit',
      sha,
      ...(opts.samples ? ['--samples', String(opts.samples)] : []),
    ];
    const bench = run(knhk, args, opts.timeout, tree);
    if (!bench.ok) return { ok: false, stage: 'bench', reason: bench.reason };
    return { ok: true, benchText: bench.stdout };
  } finally {
    if (added) {
      const removed = run('git', ['-C', repoDir, 'worktree', 'remove', '--force', tree], opts.timeout);
      if (!removed.ok) {
        rmSync(tree, { recursive: true, force: true });
        run('git', ['-C', repoDir, 'worktree', 'prune'], opts.timeout);
      }
    }
    rmSync(base, { recursive: true, force: true });
  }
}

interface RunInput {
  id: string;
  commit: Commit;
  branch: string | null;
  tag: string | null;
  host: string;
  benchText: string;
  started: Date;
  finished: Date;
}

/** Checks the bench output, writes the manifest, checks the whole folder, and only then stores it. */
async function storeBackfilledRun(
  outDir: string,
  input: RunInput,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const benchBytes = Buffer.from(input.benchText.endsWith('\n') ? input.benchText : `${input.benchText}\n`);
  const bench = await checkDocument(benchBytes.toString('utf8'));
  if (bench.kind !== 'tick-bench' || !bench.valid || !bench.report) {
    const why = bench.problems.length ? formatProblems(bench.problems) : `kind ${String(bench.kind)}`;
    return { ok: false, reason: `knhk bench wrote no valid tick-bench report: ${why}` };
  }
  const tb = bench.report as TickBench;
  if (tb.commit_sha !== null && tb.commit_sha !== input.commit.sha) {
    return {
      ok: false,
      reason: `the bench report names commit ${tb.commit_sha}, expected ${input.commit.sha}`,
    };
  }
  const manifest: RunManifest = {
    schema: 'knhk.run/v1',
    id: input.id,
    group: input.id,
    source: 'local',
    repo: null,
    workflow: null,
    event: 'backfill',
    commit: input.commit,
    branch: input.branch,
    tag: input.tag,
    base_sha: null,
    target: tb.target,
    runner: { os: type(), arch: arch(), cpu_model: tb.cpu.model, hostname: input.host },
    started_at: utc(input.started),
    finished_at: utc(input.finished),
    url: null,
    reports: [
      {
        kind: 'tick-bench',
        file: 'tick-bench.json',
        sha256: createHash('sha256').update(benchBytes).digest('hex'),
        bytes: benchBytes.length,
      },
    ],
  };
  const runJson = `${JSON.stringify(manifest, null, 2)}\n`;
  const read = (f: string) => (f === 'tick-bench.json' ? new Uint8Array(benchBytes) : null);
  const checked = await checkRunFiles(runJson, read);
  if (!checked.ok)
    return { ok: false, reason: `the run manifest is invalid: ${formatProblems(checked.problems)}` };
  storeRun(outDir, checked.run, runJson, read);
  return { ok: true };
}

type Ran = { ok: true; stdout: string } | { ok: false; reason: string };

function run(cmd: string, args: string[], timeout: number, cwd?: string): Ran {
  try {
    const stdout = execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      timeout,
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, stdout };
  } catch (err) {
    const e = err as { status?: number | null; signal?: string | null; stderr?: string; message: string };
    const tail = (e.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    const how = e.status != null ? `exit ${e.status}` : e.signal ? `signal ${e.signal}` : e.message;
    return {
      ok: false,
      reason: `${[cmd, ...args].join(' ')}: expected exit 0, got ${how}${tail ? `: ${tail}` : ''}`,
    };
  }
}

function git(cwd: string, args: string[]): string | null {
  const ran = run('git', ['-C', cwd, ...args], 60_000);
  return ran.ok ? ran.stdout.trim() : null;
}

interface BackfillState {
  format: typeof STATE_FORMAT;
  failed: Record<string, { stage: BackfillStage; reason: string; at: string }>;
}

function loadState(path: string): BackfillState {
  if (!existsSync(path)) return { format: STATE_FORMAT, failed: {} };
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<BackfillState>;
    if (doc.format === STATE_FORMAT && doc.failed) return { format: STATE_FORMAT, failed: doc.failed };
  } catch {
    // The state only lists past failures for people to read; a broken one is rebuilt from this run.
  }
  return { format: STATE_FORMAT, failed: {} };
}

function utc(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
