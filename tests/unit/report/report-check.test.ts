// `report check`: one result per file, kind detected, verdict per the vocabulary, never a crash.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { runReportCheck } from '../../../scripts/report/index.ts';

describe('runReportCheck', () => {
  it.each([
    ['tests/fixtures/tick-bench/valid-pass.json', 'tick-bench', true, 'pass'],
    ['tests/fixtures/tick-bench/valid-over-budget.json', 'tick-bench', true, 'fail'],
    ['tests/fixtures/tick-bench/valid-no-evidence-short-samples.json', 'tick-bench', true, 'no-evidence'],
    ['tests/fixtures/tick-bench/valid-interference-kept.json', 'tick-bench', true, 'pass'],
    ['tests/fixtures/tick-bench/valid-no-evidence-busy-machine.json', 'tick-bench', true, 'no-evidence'],
    ['tests/fixtures/gate-report/valid-go-advisory-finding.json', 'gate-report', true, 'pass'],
    ['tests/fixtures/gate-report/valid-no-go-tick-budget.json', 'gate-report', true, 'fail'],
    ['tests/fixtures/gate-report/valid-no-evidence-weaver-missing.json', 'gate-report', true, 'no-evidence'],
    ['tests/fixtures/release/valid-without-notes.json', 'release', true, 'no-evidence'],
    ['tests/fixtures/gate-report/invalid-pass-over-vacuous-suite.json', 'gate-report', false, 'no-evidence'],
  ])('judges %s as %s, valid=%s, verdict %s', async (file, kind, valid, verdict) => {
    const [result] = await runReportCheck([file]);
    expect(result).toMatchObject({ file, kind, valid, verdict });
  });

  it('reports a run manifest whose listed reports are missing, per report', async () => {
    const [result] = await runReportCheck(['tests/fixtures/run/valid-github-actions.json']);
    expect(result!.valid).toBe(false);
    expect(result!.problems.map((p) => p.path)).toEqual(['/reports/0/file', '/reports/1/file']);
  });

  it('reports an unreadable file instead of throwing', async () => {
    const [result] = await runReportCheck(['does/not/exist.json']);
    expect(result).toMatchObject({ valid: false, kind: null, verdict: 'no-evidence' });
    expect(result!.problems[0]!.message).toMatch(/ENOENT/);
  });

  it('reports a document of no known kind', async () => {
    const [result] = await runReportCheck(['package.json']);
    expect(result).toMatchObject({ valid: false, kind: null });
  });
});

describe('report CLI', () => {
  const cli = (...args: string[]) =>
    spawnSync('npx', ['tsx', 'scripts/report/cli.ts', ...args], { encoding: 'utf8' });

  it('prints one JSON object per file and exits 1 when one is invalid', () => {
    const r = cli(
      'check',
      'tests/fixtures/release/valid-two-targets.json',
      'tests/fixtures/release/invalid-empty-asset.json',
    );
    expect(r.status).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { valid: boolean });
    expect(lines.map((l) => l.valid)).toEqual([true, false]);
  });

  it('exits 0 when every file is valid', () => {
    expect(() =>
      execFileSync('npx', [
        'tsx',
        'scripts/report/cli.ts',
        'check',
        'tests/fixtures/release/valid-two-targets.json',
      ]),
    ).not.toThrow();
  });

  it.each([[[]], [['check']], [['verify', 'x.json']]])('exits 2 on usage error %j', (args) => {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^knhk: report: /);
  });
});
