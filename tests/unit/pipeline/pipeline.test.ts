// runPipeline on a temporary folder with a faked knhk binary: the run it writes validates, its
// tick-bench report is listed with its SHA-256, and a failing or invalid bench is refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPipeline, type PipelineOptions } from '../../../scripts/pipeline/index.ts';
import type { Exec } from '../../../scripts/lib/exec.ts';
import { checkDocument } from '../../../app/lib/reports/check.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BENCH = readFileSync(join(ROOT, 'tests/fixtures/tick-bench/valid-pass.json'), 'utf8');
const COMMIT = {
  sha: '3f2a9c1e5b7d4a6f8e0c2b4d6f8a1c3e5b7d9f0a',
  message: 'subject',
  author: 'A',
  time: '2026-12-04T15:00:00Z',
  branch: 'main',
  tag: null,
};

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'knhk-pipeline-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function options(exec: Exec, over: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    repoDir: dir,
    knhkBinary: 'native/build/knhk',
    runsDir: join(dir, 'runs'),
    snapshotDir: join(dir, 'data'),
    now: () => new Date('2026-12-04T16:00:00Z'),
    env: {},
    exec,
    commit: COMMIT,
    host: 'box',
    ...over,
  };
}

const benchExec =
  (stdout: string, code = 0): Exec =>
  async () => ({ code, stdout, stderr: code ? 'knhk: bench: failed' : '', duration_ms: 1 });

describe('runPipeline', () => {
  it('writes a local run whose manifest and tick-bench report check as valid', async () => {
    const calls: string[] = [];
    const exec: Exec = async (command, args, opts) => {
      calls.push([command, ...args].join(' '));
      return benchExec(BENCH)(command, args, opts);
    };
    const result = await runPipeline(options(exec, { samples: 50 }));
    expect(calls).toEqual([`native/build/knhk bench --json --commit ${COMMIT.sha} --samples 50`]);
    expect(result.runId).toBe('local-box-20261204T160000Z');
    expect(result.manifest).toMatchObject({
      source: 'local',
      event: 'local',
      group: result.runId,
      target: 'x86_64-linux-gnu',
    });
    expect(result.manifest.reports.map((r) => [r.kind, r.file])).toEqual([['tick-bench', 'tick-bench.json']]);
    const checked = await checkDocument(
      readFileSync(join(result.runDir, 'run.json'), 'utf8'),
      async (file) => new Uint8Array(readFileSync(join(result.runDir, file))),
    );
    expect(checked.problems).toEqual([]);
    expect(checked.valid).toBe(true);
    expect(result.snapshot.runs).toBe(1);
  });

  it('names the run after the GitHub Actions job when GITHUB_ACTIONS=true', async () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_RUN_ID: '77',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_REPOSITORY: 'o/r',
    };
    const result = await runPipeline(options(benchExec(BENCH), { env }));
    expect(result.runId).toBe('gh-77-1-x86_64-linux-gnu');
    expect(result.manifest).toMatchObject({ group: 'gh-77-1', source: 'github-actions', repo: 'o/r' });
  });

  it.each([
    [
      'a bench that fails',
      benchExec('', 1),
      /knhk bench --json --commit \S+ failed: expected exit 0, got 1 \(knhk: bench: failed\)/,
    ],
    ['a bench that writes no JSON', benchExec('ticks: 3'), /knhk bench wrote no JSON/],
    [
      'an invalid report',
      benchExec('{"schema": "knhk.tick-bench/v1"}'),
      /knhk bench wrote an invalid tick-bench report:\n {2}\/generated_at: missing required property/,
    ],
  ])('refuses %s', async (_name, exec, message) => {
    await expect(runPipeline(options(exec))).rejects.toThrow(message);
  });
});
