// The rollups behind every green mark: each case states the rule it proves.
import { describe, expect, it } from 'vitest';
import { judgeBenchEntry, rollupBench, rollupGate, rollupRun } from '../../../app/lib/health/verdict.ts';
import type {
  BenchEntry,
  BudgetStatus,
  CheckStatus,
  Gate,
  GateStatus,
} from '../../../app/lib/reports/types.ts';

const checks = (...s: CheckStatus[]) => s.map((status) => ({ status }));
const gates = (...s: [Gate['id'], boolean, GateStatus][]) =>
  s.map(([id, blocking, status]) => ({ id, blocking, status }));

describe('rollupGate', () => {
  it.each([
    ['all checks pass', checks('pass', 'pass'), 'pass'],
    ['no check ran', checks(), 'no-evidence'],
    ['a check was skipped', checks('pass', 'skipped'), 'no-evidence'],
    ['a check had no evidence', checks('no-evidence', 'pass'), 'no-evidence'],
    ['a check errored', checks('pass', 'error'), 'fail'],
    ['a failure outranks missing evidence', checks('no-evidence', 'fail'), 'fail'],
  ])('%s', (_name, input, want) => expect(rollupGate(input)).toBe(want));
});

describe('rollupRun', () => {
  it.each([
    [
      'every blocking gate passes',
      gates(['weaver', true, 'pass'], ['build', true, 'pass'], ['tests', true, 'pass']),
      'go',
    ],
    [
      'an advisory gate fails',
      gates(
        ['weaver', true, 'pass'],
        ['build', true, 'pass'],
        ['tests', true, 'pass'],
        ['security', false, 'fail'],
      ),
      'go',
    ],
    [
      'one blocking gate has no evidence',
      gates(['weaver', true, 'no-evidence'], ['build', true, 'pass'], ['tests', true, 'pass']),
      'no-evidence',
    ],
    [
      'one blocking gate failed',
      gates(['weaver', true, 'no-evidence'], ['build', true, 'fail'], ['tests', true, 'pass']),
      'no-go',
    ],
    ['a blocking gate is missing', gates(['build', true, 'pass'], ['tests', true, 'pass']), 'no-evidence'],
    ['no gates at all', gates(), 'no-evidence'],
  ])('%s', (_name, input, want) => expect(rollupRun(input)).toBe(want));
});

describe('judgeBenchEntry', () => {
  const budget = { ticks: 8, min_sample_resolutions: 1000 };
  const entry = { tier: 'R1' as const, n: 1000, min_sample_ns: 500, p95_ns: 1.5, p95_ticks: 6 };
  // every timed sample, busy spells included: never judged, whatever its p95
  const all = (n: number) => ({ n, p50_ns: 1, p95_ns: 9, p99_ns: 12, p95_ticks: 36 });
  it.each([
    ['within budget', entry, 'pass'],
    ['exactly at budget', { ...entry, p95_ns: 2, p95_ticks: 8 }, 'pass'],
    ['over budget', { ...entry, p95_ns: 2.05, p95_ticks: 8.2 }, 'fail'],
    ['no samples', { ...entry, n: 0 }, 'no-evidence'],
    ['samples shorter than 1000 x resolution', { ...entry, min_sample_ns: 400 }, 'no-evidence'],
    ['a per-call figure of 0', { ...entry, p95_ns: 0, p95_ticks: 0 }, 'no-evidence'],
    ['a W1 operation', { ...entry, tier: 'W1' as const }, 'skipped'],
    ['1000 samples kept by the probe of 1400', { ...entry, all_samples: all(1400) }, 'pass'],
    [
      '999 samples kept by the probe: a busy machine',
      { ...entry, n: 999, all_samples: all(4000) },
      'no-evidence',
    ],
    [
      'a busy machine, even for a W1 operation',
      { ...entry, tier: 'W1' as const, n: 10, all_samples: all(4000) },
      'no-evidence',
    ],
    ['999 samples without interference control', { ...entry, n: 999 }, 'pass'],
  ])('%s', (_name, e, want) => expect(judgeBenchEntry(e, 0.43, budget).status).toBe(want));
});

describe('rollupBench', () => {
  const scope = { variant: 'avx512' as const, call_mode: 'batch' as const };
  const e = (
    within_budget: BudgetStatus,
    over: Partial<Pick<BenchEntry, 'tier' | 'variant' | 'call_mode'>> = {},
  ) => ({
    tier: 'R1' as const,
    variant: 'avx512' as const,
    call_mode: 'batch' as const,
    within_budget,
    ...over,
  });
  it.each([
    ['all entries in scope pass', [e('pass'), e('pass')], 'pass'],
    ['one entry in scope over budget', [e('pass'), e('fail')], 'fail'],
    ['one entry in scope without evidence', [e('pass'), e('no-evidence')], 'no-evidence'],
    ['no entries', [], 'no-evidence'],
    [
      'only entries outside the scope',
      [e('pass', { variant: 'portable' }), e('pass', { call_mode: 'api' })],
      'no-evidence',
    ],
    ['another variant over budget does not decide', [e('pass'), e('fail', { variant: 'portable' })], 'pass'],
    ['another call mode over budget does not decide', [e('pass'), e('fail', { call_mode: 'api' })], 'pass'],
    ['a W1 entry is outside the R1 budget', [e('pass'), e('skipped', { tier: 'W1' })], 'pass'],
  ])('%s', (_name, entries, want) => expect(rollupBench(entries, scope)).toBe(want));
});
