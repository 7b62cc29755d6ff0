// Pure parts of `npm test`: read each runner's output (TAP, Vitest JSON, Playwright JSON) into counts,
// and sum them. Rule (DESIGN §2): a suite that ran 0 tests, or whose output is missing, is a failure.

/** The suites `npm test` runs, in order. */
export const SUITES = ['c', 'neon', 'wasm', 'pipeline', 'unit', 'build', 'e2e'] as const;
export type SuiteName = (typeof SUITES)[number];

/** Counts of one part of a suite (one command's output). */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Why each failure happened: a failing test's name or a reason such as "plan 1..5 but 4 test lines". */
  failures: string[];
  /** Things worth saying that are not failures (flaky tests, todo tests). */
  notes: string[];
}

export interface SuiteResult extends Counts {
  suite: SuiteName;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  /** The suites after the "0 tests is a failure" rule was applied. */
  suites: SuiteResult[];
  /** Exactly `N passed, M failed`: the last line `npm test` prints. */
  line: string;
  /** 1 when anything failed, else 0. */
  exitCode: 0 | 1;
}

export interface TapCounts extends Counts {
  /** N of the `1..N` plan line, or null when there is none. */
  planned: number | null;
  /** Number of `ok`/`not ok` lines seen. */
  seen: number;
}

/** At most this many failing test names are kept per suite; the count stays exact. */
const MAX_NAMED_FAILURES = 20;

export function emptyCounts(): Counts {
  return { passed: 0, failed: 0, skipped: 0, failures: [], notes: [] };
}

/** Adds counts together, keeping every reason and note. */
export function mergeCounts(...parts: Counts[]): Counts {
  const total = emptyCounts();
  for (const part of parts) {
    total.passed += part.passed;
    total.failed += part.failed;
    total.skipped += part.skipped;
    total.failures.push(...part.failures);
    total.notes.push(...part.notes);
  }
  return total;
}

/** One failure with its reason, e.g. a step that could not run. */
export function failure(reason: string): Counts {
  return { ...emptyCounts(), failed: 1, failures: [reason] };
}

/**
 * A build step counts as one check: passed on exit 0, failed otherwise.
 * @param command  what ran, as shown to the user (`bash wasm/build.sh`)
 * @param exitCode the process's exit code
 */
export function stepCounts(command: string, exitCode: number): Counts {
  return exitCode === 0 ? { ...emptyCounts(), passed: 1 } : failure(`${command} exited ${exitCode}`);
}

/**
 * Counts a TAP stream: `ok`/`not ok` lines at the start of a line (indented subtests are not counted
 * twice), `# SKIP` as skipped, `not ok … # TODO` as skipped (TAP: an expected failure). A missing plan,
 * a plan that disagrees with the lines seen, or `Bail out!` each add a reason, and all reasons together
 * count as one failure.
 * @param text the runner's stdout (may contain other lines, such as make's)
 */
export function parseTap(text: string): TapCounts {
  const counts: TapCounts = { ...emptyCounts(), planned: null, seen: 0 };
  const reasons: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const plan = /^1\.\.(\d+)\b/.exec(line);
    if (plan?.[1] !== undefined) {
      if (counts.planned === null) counts.planned = Number(plan[1]);
      else reasons.push(`more than one TAP plan line (${line})`);
      continue;
    }
    const bail = /^Bail out!\s*(.*)$/.exec(line);
    if (bail) {
      reasons.push(`Bail out!${bail[1] ? ` ${bail[1]}` : ''}`);
      continue;
    }
    const test = /^(not )?ok\b(.*)$/.exec(line);
    if (!test) continue;
    counts.seen += 1;
    const rest = test[2] ?? '';
    const directive = /#\s*(skip|todo)\b/i.exec(rest)?.[1]?.toLowerCase();
    const isOk = test[1] === undefined;
    if (directive === 'skip' || (directive === 'todo' && !isOk)) counts.skipped += 1;
    else if (isOk) counts.passed += 1;
    else {
      counts.failed += 1;
      if (counts.failures.length < MAX_NAMED_FAILURES) counts.failures.push(line);
    }
  }
  if (counts.planned === null) {
    if (counts.seen > 0)
      reasons.push(`no TAP plan line (1..N) for ${counts.seen} test lines: output incomplete`);
  } else if (counts.planned !== counts.seen) {
    reasons.push(`TAP plan 1..${counts.planned} but ${counts.seen} test lines`);
  }
  if (reasons.length > 0) {
    counts.failed += 1;
    counts.failures.push(reasons.join('; '));
  }
  return counts;
}

/**
 * Applies a test command's exit code to its counts: a non-zero exit with no failing test is itself one
 * failure (the runner crashed, timed out, or failed outside any test).
 * @param command what ran, as shown to the user
 */
export function withExitCode(counts: Counts, command: string, exitCode: number): Counts {
  if (exitCode === 0 || counts.failed > 0) return counts;
  return mergeCounts(counts, failure(`${command} exited ${exitCode} with no failing test reported`));
}

/** Counts of `make -C native test`: its TAP plus its exit code. */
export function tapSuiteCounts(text: string, command: string, exitCode: number): Counts {
  return withExitCode(parseTap(text), command, exitCode);
}

/** `knhk selftest` runs in `make -C native test-neon`: as chosen at start-up, and KNHK_FORCE_VARIANT=neon. */
export const NEON_SELFTEST_RUNS = 2;

/**
 * Counts of `make -C native test-neon`: the arm64 TAP test binary's lines, plus one check for
 * `knhk selftest` (neon against portable), which passes when every selftest run printed its
 * `selftest passed:` line. No TAP plan at all (the arm64 build failed) is a failure of its own.
 * @param text     the command's stdout
 * @param exitCode its exit code
 */
export function neonSuiteCounts(text: string, exitCode: number): Counts {
  const command = 'make -C native test-neon';
  const tap = parseTap(text);
  const parts: Counts[] = [tap];
  if (tap.planned === null && tap.seen === 0) {
    parts.push(
      failure(`${command} printed no TAP plan (exit ${exitCode}): the arm64 build or its test binary failed`),
    );
  }
  const passes = text.split(/\r?\n/).filter((line) => line.startsWith('selftest passed:')).length;
  parts.push(
    passes === NEON_SELFTEST_RUNS
      ? { ...emptyCounts(), passed: 1 }
      : failure(
          `knhk selftest (neon against portable): expected ${NEON_SELFTEST_RUNS} "selftest passed" lines (as chosen and with KNHK_FORCE_VARIANT=neon), got ${passes}`,
        ),
  );
  return withExitCode(mergeCounts(...parts), command, exitCode);
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(obj: JsonObject, key: string): number | null {
  const value = obj[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

function firstLine(text: unknown): string {
  return typeof text === 'string' ? (text.split('\n')[0] ?? '').trim() : '';
}

/**
 * Counts of Vitest's JSON reporter (`--reporter=json`, Jest-compatible shape). A test file that failed
 * to load has no assertion results and is not in numFailedTests, so each such file is one more failure.
 * @param json the parsed file
 */
export function parseVitestJson(json: unknown): Counts {
  if (!isObject(json)) return failure('vitest JSON is not an object');
  const passed = count(json, 'numPassedTests');
  const failed = count(json, 'numFailedTests');
  const pending = count(json, 'numPendingTests');
  const todo = count(json, 'numTodoTests') ?? 0;
  if (passed === null || failed === null || pending === null) {
    return failure('vitest JSON lacks numPassedTests, numFailedTests or numPendingTests');
  }
  const counts: Counts = { ...emptyCounts(), passed, failed, skipped: pending + todo };
  if (todo > 0) counts.notes.push(`${todo} todo`);
  const files = Array.isArray(json.testResults) ? json.testResults : [];
  for (const file of files) {
    if (!isObject(file)) continue;
    const assertions = Array.isArray(file.assertionResults) ? file.assertionResults.filter(isObject) : [];
    for (const a of assertions) {
      if (a.status === 'failed' && counts.failures.length < MAX_NAMED_FAILURES) {
        counts.failures.push(
          `${String(a.fullName ?? a.title ?? 'unnamed test')} (${String(file.name ?? '?')})`,
        );
      }
    }
    const hasFailedAssertion = assertions.some((a) => a.status === 'failed');
    if (file.status === 'failed' && !hasFailedAssertion) {
      counts.failed += 1;
      counts.failures.push(
        `${String(file.name ?? 'a test file')} failed outside any test: ${firstLine(file.message) || 'no message'}`,
      );
    }
  }
  return counts;
}

/** Playwright test titles whose outcome is `status` (walks nested describe suites). */
function playwrightTitles(
  suites: unknown,
  status: string,
  path: string[] = [],
  out: string[] = [],
): string[] {
  if (!Array.isArray(suites)) return out;
  for (const suite of suites) {
    if (!isObject(suite)) continue;
    const here = typeof suite.title === 'string' && suite.title ? [...path, suite.title] : path;
    for (const spec of Array.isArray(suite.specs) ? suite.specs : []) {
      if (!isObject(spec)) continue;
      for (const test of Array.isArray(spec.tests) ? spec.tests : []) {
        if (isObject(test) && test.status === status && out.length < MAX_NAMED_FAILURES) {
          const project =
            typeof test.projectName === 'string' && test.projectName ? `[${test.projectName}] ` : '';
          out.push(`${project}${[...here, String(spec.title ?? '')].join(' › ')}`);
        }
      }
    }
    playwrightTitles(suite.suites, status, here, out);
  }
  return out;
}

/**
 * Counts of Playwright's JSON reporter: `stats.expected` passed, `stats.unexpected` failed,
 * `stats.skipped` skipped; flaky tests (passed on a retry) count as passed and are named in the notes.
 * Each top-level error (a spec that failed to load, a web server that did not start) is a failure.
 * @param json the parsed file
 */
export function parsePlaywrightJson(json: unknown): Counts {
  if (!isObject(json) || !isObject(json.stats)) return failure('playwright JSON has no stats');
  const stats = json.stats;
  const expected = count(stats, 'expected');
  const unexpected = count(stats, 'unexpected');
  const skipped = count(stats, 'skipped');
  const flaky = count(stats, 'flaky') ?? 0;
  if (expected === null || unexpected === null || skipped === null) {
    return failure('playwright JSON stats lack expected, unexpected or skipped');
  }
  const counts: Counts = { ...emptyCounts(), passed: expected + flaky, failed: unexpected, skipped };
  counts.failures.push(...playwrightTitles(json.suites, 'unexpected'));
  if (flaky > 0) {
    counts.notes.push(
      `${flaky} flaky (passed on retry): ${playwrightTitles(json.suites, 'flaky').join(', ') || 'unnamed'}`,
    );
  }
  const errors = Array.isArray(json.errors) ? json.errors : [];
  for (const error of errors) {
    counts.failed += 1;
    counts.failures.push(
      `playwright error: ${(isObject(error) && firstLine(error.message)) || 'no message'}`,
    );
  }
  return counts;
}

/**
 * Applies the "0 tests ran is no evidence" rule to each suite and sums them.
 * @param results one entry per suite that was run (suites not selected are left out)
 */
export function sumSuites(results: readonly SuiteResult[]): Summary {
  const suites = results.map((r): SuiteResult => {
    if (r.passed + r.failed > 0) return r;
    return { ...r, failed: 1, failures: [...r.failures, 'ran 0 tests: no evidence'] };
  });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const s of suites) {
    passed += s.passed;
    failed += s.failed;
    skipped += s.skipped;
  }
  if (suites.length === 0) failed += 1; // nothing selected or run is no evidence either
  return {
    passed,
    failed,
    skipped,
    suites,
    line: `${passed} passed, ${failed} failed`,
    exitCode: failed > 0 ? 1 : 0,
  };
}

/**
 * The closing block: failure reasons and notes per suite, a table, and the `N passed, M failed` line last.
 */
export function formatSummary(summary: Summary): string {
  const lines: string[] = [];
  for (const s of summary.suites) {
    for (const f of s.failures) lines.push(`  ${s.suite}: FAILED ${f}`);
    for (const n of s.notes) lines.push(`  ${s.suite}: note: ${n}`);
  }
  if (summary.suites.length === 0) lines.push('  no suite ran: no evidence');
  if (lines.length > 0) lines.unshift('', 'details:');
  const rows: string[][] = [
    ['suite', 'passed', 'failed', 'skipped'],
    ...summary.suites.map((s) => [s.suite, String(s.passed), String(s.failed), String(s.skipped)]),
    ['total', String(summary.passed), String(summary.failed), String(summary.skipped)],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const render = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  lines.push('', render(rows[0] ?? []));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1, -1)) lines.push(render(r));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push(render(rows[rows.length - 1] ?? []));
  lines.push(summary.line);
  return `${lines.join('\n')}\n`;
}
