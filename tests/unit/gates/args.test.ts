// parseGatesArgs: gate names and numbers, flags with values, and usage errors that name flag and value.
import { describe, expect, it } from 'vitest';
import { UsageError, parseGatesArgs } from '../../../scripts/gates/args.ts';

describe('parseGatesArgs', () => {
  it.each([
    ['nothing', [], { only: undefined, quick: false, weaverReport: undefined }],
    ['a gate number', ['--only', '1'], { only: ['weaver'] }],
    ['gate names and numbers, comma-separated', ['--only', 'tests,2'], { only: ['tests', 'build'] }],
    ['--only repeated, deduplicated', ['--only=4', '--only', 'security,3'], { only: ['security', 'tests'] }],
    ['--quick', ['--quick'], { quick: true }],
    ['--weaver-report FILE', ['--weaver-report', 'r.json'], { weaverReport: 'r.json' }],
    ['--weaver-report=FILE', ['--weaver-report=r.jsonl'], { weaverReport: 'r.jsonl' }],
    ['--runs-dir and --verbose', ['--runs-dir', 'out', '--verbose'], { runsDir: 'out', verbose: true }],
    ['--help', ['--quick', '--help'], { help: true }],
  ])('parses %s', (_name, argv, want) => {
    expect(parseGatesArgs(argv)).toMatchObject(want);
  });

  it.each([
    [
      'an unknown gate',
      ['--only', 'lint'],
      'knhk: gates: --only has an unknown gate: expected 1..4 or weaver, build, tests, security, got "lint"',
    ],
    [
      'a gate number out of range',
      ['--only', '5'],
      'knhk: gates: --only has an unknown gate: expected 1..4 or weaver, build, tests, security, got "5"',
    ],
    [
      '--only without a value',
      ['--only'],
      'knhk: gates: --only needs a value: expected 1..4 or weaver, build, tests, security, got nothing',
    ],
    [
      'a flag where a value belongs',
      ['--weaver-report', '--quick'],
      'knhk: gates: --weaver-report needs a value: expected a Weaver live-check report file, got --quick',
    ],
    [
      'a value on --quick',
      ['--quick=yes'],
      'knhk: gates: --quick takes no value: expected --quick, got --quick=yes',
    ],
    [
      'an unknown flag',
      ['--fast'],
      'knhk: gates: unknown argument: expected --only, --quick, --weaver-report, --runs-dir, --verbose or --help, got --fast',
    ],
  ])('refuses %s', (_name, argv, message) => {
    expect(() => parseGatesArgs(argv)).toThrow(UsageError);
    expect(() => parseGatesArgs(argv)).toThrow(message);
  });
});
