// Release readiness per branch and tag: the case names state the rules.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  combine,
  readinessByRef,
  runReadiness,
  type RunEvidence,
} from '../../../app/lib/health/readiness.ts';
import type { GateReport, RunManifest, TickBench, Verdict } from '../../../app/lib/reports/types.ts';
import type { WeaverSummary } from '../../../app/lib/reports/weaver.ts';

const json = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const baseRun = json<RunManifest>('tests/fixtures/run/valid-github-actions.json');
const go = json<GateReport>('tests/fixtures/gate-report/valid-go-advisory-finding.json');
const noGo = json<GateReport>('tests/fixtures/gate-report/valid-no-go-tick-budget.json');
const noEvidence = json<GateReport>('tests/fixtures/gate-report/valid-no-evidence-weaver-missing.json');
const benchPass = json<TickBench>('tests/fixtures/tick-bench/valid-pass.json');
const benchOver = json<TickBench>('tests/fixtures/tick-bench/valid-over-budget.json');
const weaverFail = json<{ summary: WeaverSummary }>('tests/fixtures/weaver/v0.24/expected.json').summary;

function run(over: {
  target?: string;
  group?: string;
  branch?: string | null;
  tag?: string | null;
  started?: string;
  verdict?: Verdict;
  gateReport?: GateReport | null;
  bench?: TickBench | null;
  weaver?: WeaverSummary | null;
}): RunEvidence {
  const target = over.target ?? 'x86_64-linux-gnu';
  const group = over.group ?? 'gh-1-1';
  return {
    manifest: {
      ...baseRun,
      id: `${group}-${target}`,
      group,
      target,
      branch: over.branch === undefined ? 'main' : over.branch,
      tag: over.tag ?? null,
      started_at: over.started ?? '2026-12-04T10:00:00Z',
    },
    verdict: over.verdict ?? 'pass',
    gateReport: over.gateReport === undefined ? go : over.gateReport,
    bench: over.bench ?? null,
    weaver: over.weaver ?? null,
  };
}

describe('runReadiness', () => {
  it.each([
    ['every blocking gate passes', run({}), 'go'],
    ['a blocking gate failed', run({ verdict: 'fail', gateReport: noGo }), 'no-go'],
    [
      'a blocking gate has no evidence',
      run({ verdict: 'no-evidence', gateReport: noEvidence }),
      'no-evidence',
    ],
    ['there is no gate report', run({ verdict: 'no-evidence', gateReport: null }), 'no-evidence'],
    ['gates pass and the bench holds the budget', run({ bench: benchPass }), 'go'],
    ['gates pass but the bench in the run is over budget', run({ bench: benchOver }), 'no-go'],
    ['gates pass but the live-check holds violations', run({ weaver: weaverFail }), 'no-go'],
  ])('%s', (_name, r, want) => expect(runReadiness(r)).toBe(want));

  it('names the failing gate and check in the reasons', () => {
    const r = readinessByRef([run({ verdict: 'fail', gateReport: noGo })])[0]!;
    expect(r.reasons.map((x) => x.text)).toEqual([
      'Gate 3 Tests and tick budget: failed (tick budget exceeded)',
      'tick budget p95 <= 8: fail (COUNT_SP_GE p95 9.20 ticks > 8)',
    ]);
  });
});

describe('combine', () => {
  it.each([
    ['all targets go', ['go', 'go'], 'go'],
    ['one target no-go', ['go', 'no-go', 'no-evidence'], 'no-go'],
    ['one target without evidence', ['go', 'no-evidence'], 'no-evidence'],
    ['no targets', [], 'no-evidence'],
  ] as const)('%s', (_name, list, want) => expect(combine(list)).toBe(want));
});

describe('readinessByRef', () => {
  it('judges the newest group per branch across its targets, tags first', () => {
    const list = readinessByRef([
      run({ group: 'gh-1-1', started: '2026-12-01T10:00:00Z' }),
      run({ group: 'gh-2-1', started: '2026-12-02T10:00:00Z', target: 'x86_64-linux-gnu' }),
      run({
        group: 'gh-2-1',
        started: '2026-12-02T10:01:00Z',
        target: 'aarch64-linux-gnu',
        verdict: 'no-evidence',
        gateReport: null,
      }),
      run({ group: 'gh-3-1', started: '2026-11-30T10:00:00Z', branch: null, tag: 'v1.0.0' }),
    ]);
    expect(list.map((g) => [g.key, g.group, g.readiness])).toEqual([
      ['tag:v1.0.0', 'gh-3-1', 'go'],
      ['branch:main', 'gh-2-1', 'no-evidence'],
    ]);
    expect(list[1]!.targets.map((t) => [t.target, t.readiness])).toEqual([
      ['aarch64-linux-gnu', 'no-evidence'],
      ['x86_64-linux-gnu', 'go'],
    ]);
    expect(list[1]!.reasons[0]).toMatchObject({ target: 'aarch64-linux-gnu', severity: 'missing' });
  });
});
