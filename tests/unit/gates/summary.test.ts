// The summaries `npm run gates` prints (terminal) and writes to a GitHub Actions job summary (Markdown).
import { describe, expect, it } from 'vitest';
import { formatGatesMarkdown, formatGatesSummary } from '../../../scripts/gates/summary.ts';
import type { GatesResult } from '../../../scripts/gates/index.ts';
import type { GateReport, RunManifest } from '../../../app/lib/reports/types.ts';
import { fixture } from './helpers.ts';

function result(over: Partial<GatesResult> = {}): GatesResult {
  const report = JSON.parse(fixture('gate-report/valid-no-go-tick-budget.json')) as GateReport;
  return {
    report,
    manifest: {} as RunManifest,
    runId: report.run_id,
    runDir: '/repo/.knhk/runs/x',
    files: ['/repo/.knhk/runs/x/gate-report.json', '/repo/.knhk/runs/x/run.json'],
    notRun: [],
    exitCode: 1,
    ...over,
  };
}

describe('formatGatesSummary', () => {
  it('prints one line per gate, its checks, the verdict and the files written', () => {
    const text = formatGatesSummary(result(), '/repo');
    expect(text).toContain('gate report for run gh-12345678-1-x86_64-linux-gnu (commit 3f2a9c1e5b7d)');
    expect(text).toMatch(/^ {2}3 tests +fail +\(blocking\) tick budget exceeded$/m);
    expect(text).toMatch(
      /^ {6}fail +tick-budget +1\.2 s {2}\[run 19, passed 18, failed 1\] COUNT_SP_GE p95 9\.20 ticks > 8$/m,
    );
    expect(text).toMatch(/^ {2}4 security +fail +\(advisory\) 1 moderate advisory$/m);
    expect(text).toContain(
      'verdict: no-go\nwrote .knhk/runs/x/gate-report.json\nwrote .knhk/runs/x/run.json\n',
    );
  });

  it('says which gates --only left out', () => {
    expect(formatGatesSummary(result({ notRun: ['weaver', 'tests'] }), '/repo')).toContain(
      'not run (--only): weaver, tests: missing blocking gates are missing evidence',
    );
  });
});

describe('formatGatesMarkdown', () => {
  it('tabulates every check under its gate', () => {
    const md = formatGatesMarkdown(result());
    expect(md).toContain('### Gates: no-go (run `gh-12345678-1-x86_64-linux-gnu`, commit `3f2a9c1e5b7d`)');
    expect(md).toContain('| 3 tests | fail | unit | pass | 120 passed |');
    expect(md).toContain(
      '|  |  | tick-budget | fail | COUNT\\_SP\\_GE p95 9.20 ticks > 8 |'.replace('>', '\\>'),
    );
    expect(md).toContain('| 4 security (advisory) | fail | npm-audit | fail | 1 moderate advisory |');
  });

  it('escapes report text so it cannot break the table or inject markup', () => {
    const r = result();
    r.report.gates[0]!.checks[0]!.reason = 'a | b <img src=x>';
    expect(formatGatesMarkdown(r)).toContain('a \\| b \\<img src=x\\>');
  });
});
