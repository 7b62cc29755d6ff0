// runTestAll on a temporary folder with faked runners: order, prerequisites, environment, stale reports.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NO_BROWSER,
  PLAYWRIGHT_JSON,
  VITEST_JSON,
  isOnPath,
  noNeonTools,
  runTestAll,
  type Exec,
  type ExecOptions,
} from '../../../scripts/test-all/index.ts';
import { parseTestAllArgs, UsageError } from '../../../scripts/test-all/args.ts';

interface Call {
  line: string;
  env: ExecOptions['env'];
}

const GREEN_TAP = '1..3\nok 1 - a\nok 2 - b\nok 3 - c\n';
const SELFTEST_PASSED = 'selftest passed: 1 variant(s) x 19 ops x 100000 cases per op\n';
/** make -C native test-neon: the arm64 TAP, then knhk selftest as chosen and forced to neon. */
const GREEN_NEON = `1..2\nok 1 - a\nok 2 - b\n${SELFTEST_PASSED}${SELFTEST_PASSED}`;
/** An x86-64 machine with the arm64 cross compiler and qemu-aarch64. */
const CROSS_READY = { arch: 'x64', hasCommand: () => true };
const VITEST_OK = {
  numPassedTests: 10,
  numFailedTests: 0,
  numPendingTests: 1,
  numTodoTests: 0,
  testResults: [],
};
const PLAYWRIGHT_OK = { suites: [], errors: [], stats: { expected: 4, unexpected: 0, skipped: 0, flaky: 0 } };

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'knhk-test-all-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/**
 * A fake runner: `codes` maps a command line prefix to its exit code (default 0). vitest and playwright
 * write their JSON reports unless `noReports` is set.
 */
function fakeExec(
  calls: Call[],
  codes: Record<string, number> = {},
  opts: { noReports?: boolean; tap?: string; neon?: string } = {},
): Exec {
  return async (command, args, { cwd, env }) => {
    const line = [command, ...args].join(' ');
    calls.push({ line, env });
    const code = Object.entries(codes).find(([prefix]) => line.startsWith(prefix))?.[1] ?? 0;
    if (!opts.noReports && line.startsWith('npx vitest')) {
      writeFileSync(join(cwd, VITEST_JSON), JSON.stringify(VITEST_OK));
    }
    if (!opts.noReports && line.startsWith('npx playwright')) {
      writeFileSync(
        env.PLAYWRIGHT_JSON_OUTPUT_FILE ?? join(cwd, PLAYWRIGHT_JSON),
        JSON.stringify(PLAYWRIGHT_OK),
      );
    }
    if (line === 'make -C native test-neon') return { code, stdout: opts.neon ?? GREEN_NEON };
    return { code, stdout: line === 'make -C native test' ? (opts.tap ?? GREEN_TAP) : '' };
  };
}

const quiet = () => {};

describe('runTestAll', () => {
  it('runs every suite in order and sums their counts', async () => {
    const calls: Call[] = [];
    const result = await runTestAll({ root, env: {}, exec: fakeExec(calls), log: quiet, ...CROSS_READY });
    expect(calls.map((c) => c.line)).toEqual([
      'make -C native',
      'make -C native test',
      'make -C native test-neon',
      'bash wasm/build.sh',
      'npm run --silent pipeline',
      'npm run --silent gen',
      'npx vitest run --reporter=default --reporter=json --outputFile=.knhk/test-results/vitest.json',
      'npm run --silent build',
      'npx playwright test --reporter=list,json',
    ]);
    expect(result.suites.map((s) => [s.suite, s.passed, s.failed, s.skipped])).toEqual([
      ['c', 3, 0, 0],
      ['neon', 3, 0, 0],
      ['wasm', 1, 0, 0],
      ['pipeline', 1, 0, 0],
      ['unit', 10, 0, 1],
      ['build', 1, 0, 0],
      ['e2e', 4, 0, 0],
    ]);
    expect(result.summary.line).toBe('23 passed, 0 failed');
    expect(result.summary.exitCode).toBe(0);
  });

  it('runs only the suites named by only, in the fixed order', async () => {
    const calls: Call[] = [];
    const result = await runTestAll({
      root,
      env: {},
      only: ['unit', 'c'],
      exec: fakeExec(calls),
      log: quiet,
    });
    expect(result.suites.map((s) => s.suite)).toEqual(['c', 'unit']);
    expect(result.notSelected).toEqual(['neon', 'wasm', 'pipeline', 'build', 'e2e']);
    expect(calls).toHaveLength(4);
  });

  it('gives playwright CHROME_PATH from .knhk/toolchain.json and the JSON output location; passes CI through', async () => {
    mkdirSync(join(root, '.knhk'), { recursive: true });
    writeFileSync(
      join(root, '.knhk/toolchain.json'),
      JSON.stringify({ chrome_path: '/usr/bin/chromium', emcc_node_path: '/usr/share/nodejs' }),
    );
    const calls: Call[] = [];
    await runTestAll({ root, env: { CI: 'true' }, exec: fakeExec(calls), log: quiet });
    const pw = calls.find((c) => c.line.startsWith('npx playwright'));
    expect(pw?.env).toMatchObject({
      CI: 'true',
      CHROME_PATH: '/usr/bin/chromium',
      PLAYWRIGHT_JSON_OUTPUT_NAME: '.knhk/test-results/playwright.json',
      PLAYWRIGHT_JSON_OUTPUT_FILE: join(root, PLAYWRIGHT_JSON),
    });
    expect(calls.find((c) => c.line === 'bash wasm/build.sh')?.env.NODE_PATH).toBe('/usr/share/nodejs');
    // NODE_PATH stays out of every other step.
    expect(calls.filter((c) => c.env.NODE_PATH !== undefined).map((c) => c.line)).toEqual([
      'bash wasm/build.sh',
    ]);
  });

  it('fails the unit and e2e suites when their runners write no report, and never reads a stale one', async () => {
    mkdirSync(join(root, '.knhk/test-results'), { recursive: true });
    writeFileSync(join(root, VITEST_JSON), JSON.stringify(VITEST_OK)); // left over from an earlier run
    const result = await runTestAll({
      root,
      env: {},
      only: ['unit', 'e2e'],
      exec: fakeExec([], {}, { noReports: true }),
      log: quiet,
    });
    expect(result.suites.map((s) => [s.suite, s.passed, s.failed])).toEqual([
      ['unit', 0, 1],
      ['e2e', 0, 1],
    ]);
    expect(result.suites[0]?.failures[0]).toMatch(/^no report at \.knhk\/test-results\/vitest\.json/);
    expect(result.summary.line).toBe('0 passed, 2 failed');
  });

  it('records the pipeline as failed without running it when the native build failed', async () => {
    const calls: Call[] = [];
    const result = await runTestAll({
      root,
      env: {},
      only: ['c', 'pipeline'],
      exec: fakeExec(calls, { 'make -C native test': 2, 'make -C native': 2 }, { tap: '' }),
      log: quiet,
    });
    expect(calls.map((c) => c.line)).toEqual(['make -C native', 'make -C native test']);
    expect(result.suites.map((s) => [s.suite, s.passed, s.failed])).toEqual([
      ['c', 0, 2],
      ['pipeline', 0, 1],
    ]);
    expect(result.suites[1]?.failures[0]).toMatch(/^not run: make -C native failed/);
    expect(result.summary.exitCode).toBe(1);
  });

  it('records e2e as failed without running playwright when the site build failed', async () => {
    const calls: Call[] = [];
    const result = await runTestAll({
      root,
      env: {},
      only: ['build', 'e2e'],
      exec: fakeExec(calls, { 'npm run --silent build': 1 }),
      log: quiet,
    });
    expect(calls.map((c) => c.line)).toEqual(['npm run --silent build']);
    expect(result.summary.line).toBe('0 passed, 2 failed');
  });

  it('records e2e as no evidence without running playwright when setup found no browser on purpose', async () => {
    mkdirSync(join(root, '.knhk/test-results'), { recursive: true });
    // What npm run setup writes with KNHK_NO_BROWSER=1, and a green report left from an earlier run.
    writeFileSync(join(root, '.knhk/toolchain.json'), JSON.stringify({ chrome_path: null }));
    writeFileSync(join(root, PLAYWRIGHT_JSON), JSON.stringify(PLAYWRIGHT_OK));
    const calls: Call[] = [];
    const lines: string[] = [];
    const result = await runTestAll({
      root,
      env: { CHROME_PATH: '/usr/bin/chromium' },
      only: ['build', 'e2e'],
      exec: fakeExec(calls),
      log: (line) => lines.push(line),
    });
    expect(calls.map((c) => c.line)).toEqual(['npm run --silent build']);
    // The raw result is 0 run (the gates' suiteCheck calls that no-evidence); the sum counts it failed.
    expect(result.suites[1]).toEqual({
      suite: 'e2e',
      passed: 0,
      failed: 0,
      skipped: 0,
      failures: [],
      notes: [NO_BROWSER],
    });
    expect(result.summary.suites[1]).toMatchObject({ failed: 1, failures: ['ran 0 tests: no evidence'] });
    expect(result.summary.line).toBe('1 passed, 1 failed');
    expect(result.summary.exitCode).toBe(1);
    expect(lines).toContain(`knhk: test-all: e2e: ${NO_BROWSER}`);
  });

  it.each<[string, string[], string]>([
    ['both missing', [], 'aarch64-linux-gnu-gcc and qemu-aarch64 not on PATH'],
    ['qemu-aarch64 missing', ['aarch64-linux-gnu-gcc'], 'qemu-aarch64 not on PATH'],
  ])(
    'records neon as no evidence without running make when the cross tools are missing (%s)',
    async (_name, present, why) => {
      const calls: Call[] = [];
      const lines: string[] = [];
      const result = await runTestAll({
        root,
        env: {},
        only: ['neon'],
        exec: fakeExec(calls),
        log: (line) => lines.push(line),
        arch: 'x64',
        hasCommand: (name) => present.includes(name),
      });
      expect(calls).toEqual([]);
      const missing = ['aarch64-linux-gnu-gcc', 'qemu-aarch64'].filter((t) => !present.includes(t));
      expect(result.suites).toEqual([
        { suite: 'neon', passed: 0, failed: 0, skipped: 0, failures: [], notes: [noNeonTools(missing)] },
      ]);
      expect(noNeonTools(missing)).toContain(why);
      expect(result.summary.suites[0]).toMatchObject({ failed: 1, failures: ['ran 0 tests: no evidence'] });
      expect(result.summary.exitCode).toBe(1);
      expect(lines).toContain(`knhk: test-all: neon: ${noNeonTools(missing)}`);
    },
  );

  it('runs neon natively on arm64 without looking for the cross tools', async () => {
    const calls: Call[] = [];
    const result = await runTestAll({
      root,
      env: {},
      only: ['neon'],
      exec: fakeExec(calls),
      log: quiet,
      arch: 'arm64',
      hasCommand: () => false,
    });
    expect(calls.map((c) => c.line)).toEqual(['make -C native test-neon']);
    expect(result.summary.line).toBe('3 passed, 0 failed');
  });

  it('counts a failing neon test, and the selftest check that a failed run leaves failed', async () => {
    const result = await runTestAll({
      root,
      env: {},
      only: ['neon'],
      exec: fakeExec(
        [],
        { 'make -C native test-neon': 1 },
        { neon: `1..2\nok 1 - a\nnot ok 2 - b\n${SELFTEST_PASSED}` },
      ),
      log: quiet,
      ...CROSS_READY,
    });
    expect(result.suites.map((s) => [s.suite, s.passed, s.failed])).toEqual([['neon', 1, 2]]);
    expect(result.summary.line).toBe('1 passed, 2 failed');
  });

  it('counts a failing C test and a failed gen step', async () => {
    const result = await runTestAll({
      root,
      env: {},
      only: ['c', 'unit'],
      exec: fakeExec(
        [],
        { 'make -C native test': 2, 'npm run --silent gen': 3 },
        { tap: '1..2\nok 1 - a\nnot ok 2 - b\n' },
      ),
      log: quiet,
    });
    expect(result.suites.map((s) => [s.suite, s.passed, s.failed])).toEqual([
      ['c', 1, 1],
      ['unit', 10, 1],
    ]);
    expect(result.summary.line).toBe('11 passed, 2 failed');
  });
});

describe('isOnPath', () => {
  it('finds an executable file in a folder of PATH, and nothing else', () => {
    const bin = join(root, 'bin');
    mkdirSync(join(bin, 'qemu-aarch64-dir'), { recursive: true });
    writeFileSync(join(bin, 'aarch64-linux-gnu-gcc'), '#!/bin/sh\n');
    chmodSync(join(bin, 'aarch64-linux-gnu-gcc'), 0o755);
    writeFileSync(join(bin, 'qemu-aarch64'), 'not executable');
    const env = { PATH: ['', join(root, 'missing'), bin].join(':') };
    expect(isOnPath('aarch64-linux-gnu-gcc', env)).toBe(true);
    expect(isOnPath('qemu-aarch64', env)).toBe(false);
    expect(isOnPath('qemu-aarch64-dir', env)).toBe(false);
    expect(isOnPath('aarch64-linux-gnu-gcc', {})).toBe(false);
  });
});

describe('parseTestAllArgs', () => {
  it.each<[string, string[], string[] | undefined]>([
    ['runs everything without options', [], undefined],
    ['reads --only with a list', ['--only', 'c,unit,build,e2e'], ['c', 'unit', 'build', 'e2e']],
    ['reads --only=', ['--only=e2e'], ['e2e']],
    ['merges repeated --only and drops duplicates', ['--only', 'c', '--only=c,unit'], ['c', 'unit']],
  ])('%s', (_name, argv, want) => expect(parseTestAllArgs(argv).only).toEqual(want));

  it.each<[string, string[], string]>([
    [
      'rejects an unknown suite naming it',
      ['--only', 'c,rust'],
      'knhk: test-all: --only has an unknown suite: expected one of c, neon, wasm, pipeline, unit, build, e2e, got rust',
    ],
    [
      'rejects --only without a value',
      ['--only'],
      'knhk: test-all: --only needs a value: expected a list such as c,unit, got nothing',
    ],
    [
      'rejects an empty list',
      ['--only='],
      'knhk: test-all: --only is empty: expected one or more of c, neon, wasm, pipeline, unit, build, e2e, got ""',
    ],
    [
      'rejects an unknown flag',
      ['--fast'],
      'knhk: test-all: unknown argument: expected --only <suites> or --help, got --fast',
    ],
  ])('%s', (_name, argv, message) => {
    expect(() => parseTestAllArgs(argv)).toThrow(UsageError);
    expect(() => parseTestAllArgs(argv)).toThrow(message);
  });
});
