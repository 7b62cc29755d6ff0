// Gate 1's readers: Weaver's JSON diagnostics and live-check reports, judged without ever passing on
// missing or invalid evidence.
import { describe, expect, it } from 'vitest';
import { judgeLiveCheck, judgeRegistryCheck, parseWeaverDiagnostics } from '../../../scripts/gates/weaver.ts';
import { fixture } from './helpers.ts';

describe('parseWeaverDiagnostics', () => {
  it('finds the JSON array among log lines', () => {
    const text =
      'Weaver Registry Check\n✔ `knhk` semconv registry loaded [model]\n' +
      JSON.stringify(
        [
          { error: { type: 'x' }, diagnostic: { message: 'first', severity: 'Error' } },
          { error: { type: 'y' }, diagnostic: { message: 'second', severity: 'Warning' } },
        ],
        null,
        2,
      ) +
      '\n';
    expect(parseWeaverDiagnostics(text)).toEqual([
      { message: 'first', severity: 'Error' },
      { message: 'second', severity: 'Warning' },
    ]);
  });

  it('takes a policy violation message when there is no diagnostic message', () => {
    const text = JSON.stringify([
      { error: { type: 'policy_violation', violation: { message: 'bad name' } } },
    ]);
    expect(parseWeaverDiagnostics(text)).toEqual([{ message: 'bad name', severity: 'Error' }]);
  });

  it('returns null when there is no diagnostics document', () => {
    expect(parseWeaverDiagnostics('✔ No `after_resolution` policy violation\n')).toBeNull();
  });
});

describe('judgeRegistryCheck', () => {
  it.each([
    ['exit 0, no output', { code: 0, stdout: '', stderr: '' }, 'pass', '0 errors, 0 warnings'],
    [
      'exit 0 with a warning',
      {
        code: 0,
        stdout: '',
        stderr: JSON.stringify([{ diagnostic: { message: 'w', severity: 'Warning' } }]),
      },
      'pass',
      '0 errors, 1 warning',
    ],
    [
      'exit 1 without diagnostics',
      { code: 1, stdout: '', stderr: 'registry not found\n' },
      'fail',
      'exit 1, 0 errors: registry not found',
    ],
  ])('judges %s as %s', (_name, result, status, reason) => {
    expect(judgeRegistryCheck(result)).toMatchObject({ status, reason });
  });
});

describe('judgeLiveCheck', () => {
  it.each([
    ['gates/valid-live-check-pass.json', 'pass', '26 entities, 0 violations, 0 improvements', true],
    [
      'gates/valid-live-check-violation.json',
      'fail',
      /^1 violation in 27 entities: missing_attribute: /,
      true,
    ],
    ['weaver/v0.24/report.json', 'fail', /^3 violations in 28 entities: knhk_tick_budget_exceeded/, true],
    ['weaver/v0.20/stream.jsonl', 'pass', /, 0 violations, 4 improvements$/, true],
    [
      'weaver/edge/valid-zero-entities.json',
      'no-evidence',
      '0 samples: no telemetry reached the live-check',
      true,
    ],
    ['weaver/edge/invalid-garbage.txt', 'no-evidence', /^not a Weaver live-check report/, false],
    ['weaver/edge/invalid-samples-not-array.json', 'no-evidence', /^invalid live-check report/, false],
  ] as const)('judges %s as %s', (file, status, reason, valid) => {
    const judged = judgeLiveCheck(fixture(file));
    expect(judged.status).toBe(status);
    if (typeof reason === 'string') expect(judged.reason).toBe(reason);
    else expect(judged.reason).toMatch(reason);
    expect(judged.valid).toBe(valid);
  });

  it.each([
    ['weaver/v0.24/report.json', 'document'],
    ['weaver/v0.20/stream.jsonl', 'stream'],
  ])('tells the form of %s: %s', (file, form) => {
    expect(judgeLiveCheck(fixture(file)).form).toBe(form);
  });

  it('fails on violations read from the samples even when the statistics disagree', () => {
    const judged = judgeLiveCheck(fixture('weaver/edge/invalid-statistics-disagree.json'));
    expect(judged.valid).toBe(false);
    expect(['fail', 'no-evidence']).toContain(judged.status);
    expect(judged.status).not.toBe('pass');
  });
});
