// The counting rules behind `npm test`: every green traces to evidence, and the last line is `N passed, M failed`.
import { describe, expect, it } from 'vitest';
import {
  formatSummary,
  neonSuiteCounts,
  parsePlaywrightJson,
  parseTap,
  parseVitestJson,
  stepCounts,
  sumSuites,
  tapSuiteCounts,
  withExitCode,
  type SuiteResult,
} from '../../../scripts/test-all/sum.ts';

function suite(name: SuiteResult['suite'], passed: number, failed: number, skipped = 0): SuiteResult {
  return { suite: name, passed, failed, skipped, failures: failed ? ['x'] : [], notes: [] };
}

// Trimmed from a real `make test` run: make's own lines around the TAP stream.
const TAP_PASS = `make: Entering directory '/work/main/native'
cc -O2 -fsanitize=address,undefined -o build/test/knhk_tests tests/test_main.c
1..4
ok 1 - ops_portable_ask_sp
ok 2 - ops_avx2_matches_portable
ok 3 - ops_avx512_matches_portable # SKIP CPU lacks avx512f
ok 4 - clock_calibration
make: Leaving directory '/work/main/native'
`;

describe('parseTap', () => {
  it.each<
    [
      string,
      string,
      { passed: number; failed: number; skipped: number; planned: number | null; seen: number },
    ]
  >([
    [
      'counts ok lines and SKIP directives',
      TAP_PASS,
      { passed: 3, failed: 0, skipped: 1, planned: 4, seen: 4 },
    ],
    [
      'counts a not ok line as one failure',
      '1..3\nok 1 - a\nnot ok 2 - b\n  # expected 1 got 0\nok 3 - c\n',
      { passed: 2, failed: 1, skipped: 0, planned: 3, seen: 3 },
    ],
    [
      'adds one failure when the plan promises more lines than seen (crash mid-run)',
      '1..5\nok 1 - a\nok 2 - b\nok 3 - c\n',
      { passed: 3, failed: 1, skipped: 0, planned: 5, seen: 3 },
    ],
    [
      'accepts a trailing plan',
      'ok 1 - a\nok 2 - b\n1..2\n',
      { passed: 2, failed: 0, skipped: 0, planned: 2, seen: 2 },
    ],
    [
      'adds one failure when test lines come without any plan',
      'ok 1 - a\n',
      { passed: 1, failed: 1, skipped: 0, planned: null, seen: 1 },
    ],
    [
      'treats not ok # TODO as skipped, not failed',
      '1..2\nok 1 - a\nnot ok 2 - b # TODO not written yet\n',
      { passed: 1, failed: 0, skipped: 1, planned: 2, seen: 2 },
    ],
    [
      'does not count indented subtest lines twice',
      '1..1\n    1..2\n    ok 1 - inner a\n    ok 2 - inner b\nok 1 - outer\n',
      { passed: 1, failed: 0, skipped: 0, planned: 1, seen: 1 },
    ],
    [
      'counts Bail out! as a failure',
      '1..3\nok 1 - a\nBail out! cannot allocate columns\n',
      { passed: 1, failed: 1, skipped: 0, planned: 3, seen: 1 },
    ],
    ['sees nothing in empty output', '', { passed: 0, failed: 0, skipped: 0, planned: null, seen: 0 }],
  ])('%s', (_name, text, want) => {
    const got = parseTap(text);
    expect({
      passed: got.passed,
      failed: got.failed,
      skipped: got.skipped,
      planned: got.planned,
      seen: got.seen,
    }).toEqual(want);
  });

  it('names the plan mismatch in the failure reason', () => {
    expect(parseTap('1..5\nok 1 - a\n').failures).toEqual(['TAP plan 1..5 but 1 test lines']);
  });

  it('names the failing test', () => {
    expect(parseTap('1..1\nnot ok 1 - variant=avx2 op=ASK_SP case=7\n').failures).toEqual([
      'not ok 1 - variant=avx2 op=ASK_SP case=7',
    ]);
  });
});

describe('tapSuiteCounts', () => {
  it.each<[string, string, number, number, number]>([
    ['passes a clean run', TAP_PASS, 0, 3, 0],
    ['adds one failure when the command fails with no not ok line', TAP_PASS, 2, 3, 1],
    ['does not add a failure when a not ok line explains the exit', '1..1\nnot ok 1 - a\n', 1, 0, 1],
    [
      'fails a missing Makefile once, not twice',
      "make: *** No rule to make target 'test'.  Stop.\n",
      2,
      0,
      1,
    ],
  ])('%s', (_name, text, code, passed, failed) => {
    const got = tapSuiteCounts(text, 'make -C native test', code);
    expect([got.passed, got.failed]).toEqual([passed, failed]);
  });
});

describe('neonSuiteCounts', () => {
  // Trimmed from a real `make -C native test-neon` run: the TAP stream, then both selftest runs.
  const SELFTEST = (variant: string) =>
    `knhk selftest: variant in use ${variant}; seed 0x6b6e686b5e1f7e57; every supported variant against portable\n` +
    'neon     ASK_SP                   100000 cases ok\n' +
    'selftest passed: 1 variant(s) x 19 ops x 100000 cases per op, each through the per-call, batch and inline entry points\n';
  const GREEN = `aarch64-linux-gnu-gcc -O1 -c src/knhk.c\n1..2\nok 1 - a\nok 2 - b\n# 2 passed, 0 failed\n# knhk selftest\n${SELFTEST('neon')}# KNHK_FORCE_VARIANT=neon knhk selftest\n${SELFTEST('neon')}`;

  it.each<[string, string, number, number, number, RegExp | null]>([
    ['counts the TAP lines and one check for the selftest', GREEN, 0, 3, 0, null],
    [
      'fails the selftest check when a run did not pass',
      GREEN.replace(
        /selftest passed:[^\n]*\n$/,
        'knhk: selftest: variant neon, op ASK_SP, case 3: expected 1, got 0\n',
      ),
      1,
      2,
      1,
      /expected 2 "selftest passed" lines .*got 1$/,
    ],
    [
      'keeps a failing TAP test as the reason for the exit',
      GREEN.replace('ok 2 - b', 'not ok 2 - b'),
      1,
      2,
      1,
      /^not ok 2 - b$/,
    ],
    [
      'fails a build that printed no TAP, and the selftest that never ran',
      'aarch64-linux-gnu-gcc: error: unrecognized option\nmake: *** [cross.mk:30: test-neon] Error 2\n',
      2,
      0,
      2,
      /printed no TAP plan \(exit 2\): the arm64 build or its test binary failed/,
    ],
  ])('%s', (_name, text, code, passed, failed, reason) => {
    const got = neonSuiteCounts(text, code);
    expect([got.passed, got.failed]).toEqual([passed, failed]);
    if (reason) expect(got.failures).toContainEqual(expect.stringMatching(reason));
  });
});

describe('stepCounts', () => {
  it.each<[string, number, number, number]>([
    ['counts a build that exits 0 as one passed check', 0, 1, 0],
    ['counts a build that exits non-zero as one failed check', 2, 0, 1],
  ])('%s', (_name, code, passed, failed) => {
    const got = stepCounts('bash wasm/build.sh', code);
    expect([got.passed, got.failed]).toEqual([passed, failed]);
    if (failed) expect(got.failures).toEqual([`bash wasm/build.sh exited ${code}`]);
  });
});

// Shape of `vitest run --reporter=json` (Vitest 4): one file passing/failing/skipped/todo, one that failed to load.
const VITEST_SAMPLE = {
  numTotalTestSuites: 3,
  numPassedTestSuites: 0,
  numFailedTestSuites: 3,
  numPendingTestSuites: 0,
  numTotalTests: 4,
  numPassedTests: 1,
  numFailedTests: 1,
  numPendingTests: 1,
  numTodoTests: 1,
  startTime: 1796400031960,
  success: false,
  testResults: [
    {
      assertionResults: [
        {
          ancestorTitles: ['x'],
          fullName: 'x passes',
          status: 'passed',
          title: 'passes',
          failureMessages: [],
        },
        {
          ancestorTitles: ['x'],
          fullName: 'x fails',
          status: 'failed',
          title: 'fails',
          failureMessages: ['AssertionError: expected 1 to be 2'],
        },
        {
          ancestorTitles: ['x'],
          fullName: 'x skipped',
          status: 'skipped',
          title: 'skipped',
          failureMessages: [],
        },
        { ancestorTitles: ['x'], fullName: 'x todo', status: 'todo', title: 'todo', failureMessages: [] },
      ],
      status: 'failed',
      message: '',
      name: '/work/main/tests/unit/a.test.ts',
    },
    {
      assertionResults: [],
      status: 'failed',
      message: "Cannot find module './nope' imported from /work/main/tests/unit/b.test.ts",
      name: '/work/main/tests/unit/b.test.ts',
    },
  ],
};

const VITEST_GREEN = {
  numPassedTests: 12,
  numFailedTests: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  success: true,
  testResults: [
    {
      assertionResults: [{ fullName: 'a', status: 'passed' }],
      status: 'passed',
      message: '',
      name: 'a.test.ts',
    },
  ],
};

describe('parseVitestJson', () => {
  it.each<[string, unknown, { passed: number; failed: number; skipped: number }]>([
    ['counts a green run', VITEST_GREEN, { passed: 12, failed: 0, skipped: 0 }],
    [
      'counts a file that failed to load as one more failure; pending and todo as skipped',
      VITEST_SAMPLE,
      { passed: 1, failed: 2, skipped: 2 },
    ],
    ['fails a document without counts', { testResults: [] }, { passed: 0, failed: 1, skipped: 0 }],
    ['fails a non-object', [1, 2], { passed: 0, failed: 1, skipped: 0 }],
  ])('%s', (_name, json, want) => {
    const got = parseVitestJson(json);
    expect({ passed: got.passed, failed: got.failed, skipped: got.skipped }).toEqual(want);
  });

  it('names the failing test and the file that failed to load', () => {
    expect(parseVitestJson(VITEST_SAMPLE).failures).toEqual([
      'x fails (/work/main/tests/unit/a.test.ts)',
      "/work/main/tests/unit/b.test.ts failed outside any test: Cannot find module './nope' imported from /work/main/tests/unit/b.test.ts",
    ]);
  });

  it('adds a failure when vitest exits non-zero with all tests green (an unhandled error)', () => {
    const got = withExitCode(parseVitestJson(VITEST_GREEN), 'vitest run', 1);
    expect([got.passed, got.failed]).toEqual([12, 1]);
  });
});

// Shape of `playwright test --reporter=list,json` (Playwright 1.65) with retries: 1.
function playwrightTest(status: string, projectName = 'chromium') {
  return {
    timeout: 30000,
    annotations: [],
    expectedStatus: 'passed',
    projectId: projectName,
    projectName,
    results: [],
    status,
  };
}
const PLAYWRIGHT_SAMPLE = {
  config: { version: '1.65.2' },
  suites: [
    {
      title: 'verify.spec.ts',
      file: 'verify.spec.ts',
      specs: [
        { title: 'hashes a dropped file', ok: true, tests: [playwrightTest('expected')] },
        { title: 'flags an unsafe tar entry', ok: false, tests: [playwrightTest('unexpected')] },
      ],
      suites: [
        {
          title: 'checksum formats',
          specs: [
            { title: 'reads SHA256SUMS', ok: true, tests: [playwrightTest('flaky')] },
            { title: 'reads a GitHub digest', ok: true, tests: [playwrightTest('skipped')] },
          ],
        },
      ],
    },
  ],
  errors: [],
  stats: {
    startTime: '2026-12-04T16:00:38.706Z',
    duration: 3291.5,
    expected: 1,
    skipped: 1,
    unexpected: 1,
    flaky: 1,
  },
};
const PLAYWRIGHT_LOAD_ERROR = {
  config: {},
  suites: [],
  errors: [
    {
      message: "Error: Cannot find module './nope'\nRequire stack:\n- tests/e2e/b.spec.ts",
      location: { file: 'b.spec.ts', line: 1, column: 1 },
    },
  ],
  stats: {
    startTime: '2026-12-04T16:00:45.772Z',
    duration: 176.6,
    expected: 0,
    skipped: 0,
    unexpected: 0,
    flaky: 0,
  },
};

describe('parsePlaywrightJson', () => {
  it.each<[string, unknown, { passed: number; failed: number; skipped: number }]>([
    [
      'counts expected and flaky as passed, unexpected as failed',
      PLAYWRIGHT_SAMPLE,
      { passed: 2, failed: 1, skipped: 1 },
    ],
    [
      'counts a top-level error (spec failed to load) as a failure',
      PLAYWRIGHT_LOAD_ERROR,
      { passed: 0, failed: 1, skipped: 0 },
    ],
    ['fails a document without stats', { suites: [] }, { passed: 0, failed: 1, skipped: 0 }],
  ])('%s', (_name, json, want) => {
    const got = parsePlaywrightJson(json);
    expect({ passed: got.passed, failed: got.failed, skipped: got.skipped }).toEqual(want);
  });

  it('names failing and flaky tests with their describe path', () => {
    const got = parsePlaywrightJson(PLAYWRIGHT_SAMPLE);
    expect(got.failures).toEqual(['[chromium] verify.spec.ts › flags an unsafe tar entry']);
    expect(got.notes).toEqual([
      '1 flaky (passed on retry): [chromium] verify.spec.ts › checksum formats › reads SHA256SUMS',
    ]);
  });

  it('keeps the first line of a top-level error', () => {
    expect(parsePlaywrightJson(PLAYWRIGHT_LOAD_ERROR).failures).toEqual([
      "playwright error: Error: Cannot find module './nope'",
    ]);
  });
});

describe('sumSuites', () => {
  it.each<[string, SuiteResult[], string, 0 | 1]>([
    ['all green', [suite('c', 40, 0), suite('unit', 120, 0, 2)], '160 passed, 0 failed', 0],
    ['one failure makes the run fail', [suite('c', 40, 0), suite('unit', 119, 1)], '159 passed, 1 failed', 1],
    [
      'a suite that ran 0 tests is a failure',
      [suite('c', 40, 0), suite('e2e', 0, 0)],
      '40 passed, 1 failed',
      1,
    ],
    ['a suite with only skipped tests ran 0 tests', [suite('unit', 0, 0, 5)], '0 passed, 1 failed', 1],
    ['no suite at all is no evidence', [], '0 passed, 1 failed', 1],
  ])('%s', (_name, results, line, exitCode) => {
    const got = sumSuites(results);
    expect(got.line).toBe(line);
    expect(got.exitCode).toBe(exitCode);
  });

  it('says why a 0-test suite failed', () => {
    expect(sumSuites([suite('e2e', 0, 0)]).suites[0]?.failures).toEqual(['ran 0 tests: no evidence']);
  });
});

describe('formatSummary', () => {
  it('prints a table and ends with exactly the N passed, M failed line', () => {
    const text = formatSummary(sumSuites([suite('c', 40, 0), suite('unit', 119, 1, 2)]));
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('159 passed, 1 failed');
    expect(text).toContain('unit: FAILED x');
    expect(lines.some((l) => /^unit\s+119\s+1\s+2$/.test(l))).toBe(true);
    expect(lines.some((l) => /^total\s+159\s+1\s+2$/.test(l))).toBe(true);
  });
});
