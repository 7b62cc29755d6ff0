// Gate 3 (blocking): the C, unit and end-to-end suites (through scripts/test-all, one check per suite)
// and the tick budget of `knhk bench` (p95 <= 8 ticks per in-scope R1 op, judged by rollupBench).
import { join } from 'node:path';
import { commandLine } from '../lib/exec.ts';
import { writeReport } from '../lib/run-manifest.ts';
import type { SuiteName, SuiteResult } from '../test-all/sum.ts';
import type { Exec as TestAllExec } from '../test-all/index.ts';
import { validateAs } from '../../app/lib/reports/validate.ts';
import { isInBudgetScope, rollupBench } from '../../app/lib/health/verdict.ts';
import type { Check, CheckStatus } from '../../app/lib/reports/types.ts';
import { execFailure, lastLine, makeCheck, plural, type BenchOutcome, type GateContext } from './context.ts';

// neon (the arm64 build under qemu) is npm test's, not a gate's: Gate 3 judges the host's C suite.
const SUITE_CHECKS: Record<Exclude<SuiteName, 'wasm' | 'pipeline' | 'neon'>, { id: string; name: string }> = {
  c: { id: 'c-tests', name: 'C tests (make -C native test, ASan + UBSan)' },
  unit: { id: 'unit-tests', name: 'unit tests (vitest)' },
  build: { id: 'site-build', name: 'site build (npm run build, which the e2e tests serve)' },
  e2e: { id: 'e2e-tests', name: 'end-to-end tests (playwright)' },
};

/** The suites Gate 3 runs, in order; --quick leaves out the site build and e2e. */
export function gateSuites(quick: boolean): (keyof typeof SUITE_CHECKS)[] {
  return quick ? ['c', 'unit'] : ['c', 'unit', 'build', 'e2e'];
}

/** Runs Gate 3's checks. */
export async function runTestsGate(ctx: GateContext): Promise<Check[]> {
  const checks: Check[] = [];
  let siteBuildFailed = false;
  for (const suite of gateSuites(ctx.quick)) {
    const { id, name } = SUITE_CHECKS[suite];
    if (suite === 'e2e' && siteBuildFailed) {
      checks.push(
        makeCheck(
          id,
          name,
          null,
          'error',
          0,
          {},
          'not run: the site build failed, so there is no site to test',
        ),
      );
      continue;
    }
    const commands: string[] = [];
    const exec: TestAllExec = async (command, args, opts) => {
      commands.push(commandLine(command, args));
      return ctx.exec(command, args, { cwd: opts.cwd, env: opts.env });
    };
    const started = performance.now();
    const result = await ctx.testAll({
      root: ctx.root,
      only: [suite],
      env: ctx.env,
      exec,
      log: ctx.verbose ? (line) => ctx.log(line) : () => {},
    });
    const took = performance.now() - started;
    const found = result.suites.find((s) => s.suite === suite);
    const check = suiteCheck(id, name, commands.join(' && ') || null, took, found);
    if (suite === 'c' && found) {
      // The C suite runs make -C native first; its failure is named "make -C native exited N".
      const buildFailed = found.failures.some((f) => new RegExp(`^make -C ${ctx.nativeDir} exited`).test(f));
      ctx.nativeBuild = buildFailed ? 'failed' : ctx.nativeBuild === 'failed' ? 'failed' : 'ok';
    }
    if (suite === 'build') siteBuildFailed = check.status !== 'pass';
    checks.push(check);
  }
  const { check: b } = await ctx.bench();
  checks.push(
    makeCheck(
      'tick-budget',
      'tick budget: p95 <= 8 ticks per R1 op',
      b.command,
      b.status,
      b.duration_ms,
      b.counts,
      b.reason,
    ),
  );
  return checks;
}

/** One suite's counts as a check: any failure fails it; 0 tests run is no evidence. */
export function suiteCheck(
  id: string,
  name: string,
  command: string | null,
  durationMs: number,
  suite: SuiteResult | undefined,
): Check {
  if (!suite)
    return makeCheck(
      id,
      name,
      command,
      'no-evidence',
      durationMs,
      {},
      'the test runner returned no result for this suite',
    );
  const { passed, failed, skipped } = suite;
  const counts = { run: passed + failed + skipped, passed, failed, skipped };
  let status: CheckStatus;
  let reason: string;
  if (failed > 0) {
    status = 'fail';
    const why = suite.failures.slice(0, 3).join('; ');
    reason = `${failed} failed, ${passed} passed${why ? `: ${why}` : ''}`;
  } else if (passed === 0) {
    status = 'no-evidence';
    reason = `ran 0 tests: no evidence${skipped ? ` (${skipped} skipped)` : ''}${suite.notes.length ? ` (${suite.notes.join('; ')})` : ''}`;
  } else {
    status = 'pass';
    reason = `${passed} passed, ${skipped} skipped${suite.notes.length ? ` (${suite.notes.join('; ')})` : ''}`;
  }
  return makeCheck(id, name, command, status, durationMs, counts, reason);
}

/**
 * Runs `knhk bench --json --commit <sha>`, validates the report, writes it to the run folder as
 * tick-bench.json, and judges the budget with rollupBench over the entries of the variant callers get
 * in the budget's call mode. A binary that cannot run or a report that is invalid is an `error`.
 */
export async function runBench(ctx: GateContext): Promise<BenchOutcome> {
  const args = ['bench', '--json', '--commit', ctx.commitSha];
  const line = commandLine(ctx.knhkBinary, args);
  // A binary left from an earlier build would be reported as this commit's: bench only what this run built.
  if (ctx.nativeBuild === 'not-run') {
    const build = await ctx.exec('make', ['-C', ctx.nativeDir], {
      cwd: ctx.root,
      env: ctx.env,
      timeoutMs: 600_000,
    });
    ctx.nativeBuild = build.code === 0 ? 'ok' : 'failed';
  }
  if (ctx.nativeBuild === 'failed') {
    return {
      check: {
        command: line,
        duration_ms: 0,
        status: 'error',
        counts: {},
        reason: `not run: make -C ${ctx.nativeDir} failed, so ${ctx.knhkBinary} is not this commit's build`,
      },
    };
  }
  const result = await ctx.exec(join(ctx.root, ctx.knhkBinary), args, {
    cwd: ctx.root,
    env: ctx.env,
    timeoutMs: 600_000,
  });
  const base = { command: line, duration_ms: result.duration_ms };
  const error = (reason: string): BenchOutcome => ({
    check: { ...base, status: 'error', counts: {}, reason },
  });
  if (result.failure === 'not-found')
    return error(`${ctx.knhkBinary} not found: expected the binary make -C ${ctx.nativeDir} builds`);
  const failed = execFailure(result, line);
  if (failed) return error(failed.reason);
  if (result.code !== 0) return error(`knhk bench exited ${result.code}: ${lastLine(result.stderr)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(result.stdout);
  } catch (e) {
    return error(`knhk bench wrote no JSON: ${(e as Error).message}`);
  }
  const checked = validateAs('tick-bench', doc);
  if (!checked.ok) {
    const first = checked.issues.slice(0, 3).map((i) => `${i.path || '/'} ${i.message}`);
    return error(
      `knhk bench wrote an invalid tick-bench report (${plural(checked.issues.length, 'problem')}): ${first.join('; ')}`,
    );
  }
  const report = checked.value;
  const file = 'tick-bench.json';
  ctx.artifacts.push(writeReport(ctx.runDir, 'tick-bench', file, result.stdout));

  const scope = { variant: report.variant, call_mode: report.budget.call_mode };
  const verdict = rollupBench(report.entries, scope);
  const inScope = report.entries.filter((e) => isInBudgetScope(e, scope));
  const over = inScope.filter((e) => e.within_budget === 'fail');
  const passed = inScope.filter((e) => e.within_budget === 'pass');
  const counts = { run: inScope.length, passed: passed.length, failed: over.length };
  const where = `variant ${scope.variant}, call mode ${scope.call_mode}`;
  let reason: string;
  if (verdict === 'fail') {
    reason = `over budget (${where}): ${over.map((e) => `${e.op} p95 ${e.p95_ticks.toFixed(2)} ticks > ${report.budget.ticks}`).join(', ')}`;
  } else if (verdict === 'pass') {
    reason = `${passed.length} of ${inScope.length} R1 ops within budget (p95 <= ${report.budget.ticks} ticks; ${where})`;
  } else if (inScope.length === 0) {
    reason = `no R1 entry of ${where}: nothing the budget judges`;
  } else {
    const missing = inScope.filter((e) => e.within_budget !== 'pass');
    reason = `no evidence (${where}): ${missing.map((e) => `${e.op}: ${e.reason}`).join('; ')}`;
  }
  return {
    check: { ...base, status: verdict, counts, reason },
    report,
    file: join(ctx.runDir, file),
  };
}
