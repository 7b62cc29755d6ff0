// runGates on temporary projects with faked commands (and the real make, cc and tsc where a gate must
// fail on a real compiler error): each blocking gate fails on purpose, no evidence is never a pass,
// Gate 4 never blocks, and what is written validates with the reports module.
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exec as realExec, type Exec, type ExecResult } from '../../../scripts/lib/exec.ts';
import type { GateId, TestAllRunner } from '../../../scripts/gates/context.ts';
import { runGates, type GatesResult } from '../../../scripts/gates/index.ts';
import { validateAs } from '../../../app/lib/reports/validate.ts';
import { checkDocument } from '../../../app/lib/reports/check.ts';
import type { Gate } from '../../../app/lib/reports/types.ts';
import {
  GREEN_COMMANDS,
  REPO,
  SHA,
  WEAVER_MISSING,
  baseOptions,
  benchRule,
  fakeExec,
  fakeTestAll,
  fixture,
  suite,
  tempProject,
  type Call,
} from './helpers.ts';

const REGISTRY = join(REPO, 'registry');
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A temporary project with one clean source file (so the forbidden-pattern scan has evidence). */
function project(files: Record<string, string> = {}): string {
  const root = tempProject({ 'app/ok.ts': 'export const ok = 1;\n', ...files });
  roots.push(root);
  return root;
}

function gate(result: GatesResult, id: Gate['id']): Gate {
  const found = result.report.gates.find((g) => g.id === id);
  if (!found) throw new Error(`gate ${id} is not in the report`);
  return found;
}

/** Every check of a gate as [id, status]. */
function statuses(g: Gate): [string, string][] {
  return g.checks.map((c) => [c.id, c.status]);
}

/** Reads run.json back and checks it (and every report it lists) with the site's module. */
async function checkRunFolder(result: GatesResult) {
  const text = readFileSync(join(result.runDir, 'run.json'), 'utf8');
  return checkDocument(text, async (file) => {
    try {
      return new Uint8Array(readFileSync(join(result.runDir, file)));
    } catch {
      return null;
    }
  });
}

/** Weaver is installed: --version, a clean registry check, and a live-check that writes `report`
 *  once the emitter has sent its telemetry (as the real listener does after its inactivity timeout). */
function weaverInstalled(report: string, calls: Call[] = []): Exec {
  let sent: () => void = () => {};
  const telemetrySent = new Promise<void>((resolve) => (sent = resolve));
  return fakeExec(
    [
      ['weaver --version', { stdout: 'weaver 0.19.0\n' }],
      ['weaver registry check', { stdout: '[]\n' }],
      [
        'weaver registry live-check',
        async (args) => {
          await telemetrySent;
          const out = args[args.indexOf('--output') + 1]!;
          writeFileSync(join(out, 'live_check.json'), report);
          return { code: report.includes('"violation"') ? 1 : 0 };
        },
      ],
      [
        'npx tsx scripts/emit-telemetry/cli.ts',
        (_args, opts) => {
          sent();
          return opts?.env?.OTEL_EXPORTER_OTLP_ENDPOINT === 'http://127.0.0.1:4317'
            ? { stdout: 'sent\n' }
            : { code: 1, stderr: 'wrong endpoint' };
        },
      ],
      benchRule('tick-bench/valid-pass.json'),
      ...GREEN_COMMANDS,
    ],
    calls,
  );
}

describe('runGates', () => {
  it('is go when every blocking gate passes, and writes a gate report and run manifest that validate', async () => {
    const root = project();
    const calls: Call[] = [];
    const result = await runGates(
      baseOptions(root, weaverInstalled(fixture('gates/valid-live-check-pass.json'), calls), {
        registryDir: REGISTRY,
      }),
    );
    expect(result.report.gates.map((g) => [g.number, g.id, g.status])).toEqual([
      [1, 'weaver', 'pass'],
      [2, 'build', 'pass'],
      [3, 'tests', 'pass'],
      [4, 'security', 'no-evidence'], // no node_modules in the temp project: nothing to judge
    ]);
    expect(result.report.verdict).toBe('go');
    expect(result.exitCode).toBe(0);
    expect(validateAs('gate-report', result.report).ok).toBe(true);
    const written = JSON.parse(readFileSync(join(result.runDir, 'gate-report.json'), 'utf8'));
    expect(validateAs('gate-report', written)).toEqual({ ok: true, value: result.report });

    expect(result.runId).toBe('local-testhost-20261204T160001Z');
    expect(result.manifest.reports.map((r) => [r.kind, r.file])).toEqual([
      ['gate-report', 'gate-report.json'],
      ['tick-bench', 'tick-bench.json'],
      ['weaver-live-check', 'weaver-live-check.json'],
    ]);
    const run = await checkRunFolder(result);
    expect(run.problems).toEqual([]);
    expect(run).toMatchObject({ kind: 'run', valid: true, verdict: 'pass' });
    // The bench ran once, for both the budget and the telemetry.
    expect(calls.filter((c) => c.line.startsWith('knhk bench')).map((c) => c.line)).toEqual([
      `knhk bench --json --commit ${SHA}`,
    ]);
  });

  it('has no evidence for Gate 1 when weaver is not installed, so the run is no-evidence, not go', async () => {
    const root = project();
    const exec = fakeExec([WEAVER_MISSING, benchRule('tick-bench/valid-pass.json'), ...GREEN_COMMANDS]);
    const result = await runGates(baseOptions(root, exec, { registryDir: REGISTRY }));
    const weaver = gate(result, 'weaver');
    expect(weaver.status).toBe('no-evidence');
    expect(statuses(weaver)).toEqual([
      ['registry-check', 'no-evidence'],
      ['live-check', 'no-evidence'],
      ['registry-structure', 'pass'], // evidence about the registry, but not a Weaver check
    ]);
    expect(weaver.reason).toMatch(/weaver is not installed/);
    expect(gate(result, 'build').status).toBe('pass');
    expect(gate(result, 'tests').status).toBe('pass');
    expect(result.report.verdict).toBe('no-evidence');
    expect(result.exitCode).toBe(1);
    expect(validateAs('gate-report', result.report).ok).toBe(true);
    expect(await checkRunFolder(result)).toMatchObject({ valid: true, verdict: 'no-evidence' });
  });

  it('fails Gate 1 on a live-check report holding a violation (--weaver-report)', async () => {
    const root = project();
    const exec = fakeExec([WEAVER_MISSING, benchRule('tick-bench/valid-pass.json'), ...GREEN_COMMANDS]);
    const result = await runGates(
      baseOptions(root, exec, {
        registryDir: REGISTRY,
        weaverReport: join(REPO, 'tests/fixtures/gates/valid-live-check-violation.json'),
      }),
    );
    const weaver = gate(result, 'weaver');
    expect(weaver.status).toBe('fail');
    const live = weaver.checks.find((c) => c.id === 'live-check')!;
    expect(live).toMatchObject({ status: 'fail', command: null, counts: { findings: 1, run: 27 } });
    expect(live.reason).toMatch(
      /1 violation in 27 entities: missing_attribute: .*knhk\.operation\.latency_ns/,
    );
    expect(weaver.reason).toMatch(/^live-check: 1 violation/);
    expect(result.report.verdict).toBe('no-go');
    expect(result.manifest.reports.map((r) => r.kind)).toContain('weaver-live-check');
    expect(await checkRunFolder(result)).toMatchObject({ valid: true, verdict: 'fail' });
  });

  it('fails Gate 1 when weaver registry check reports an error', async () => {
    const root = project();
    const diagnostics = JSON.stringify([
      {
        error: { type: 'invalid_attribute' },
        diagnostic: { message: "Attribute 'x' is invalid", severity: 'Error' },
      },
    ]);
    const exec = fakeExec([
      ['weaver --version', { stdout: 'weaver 0.19.0' }],
      ['weaver registry check', { code: 1, stderr: `Loading registry\n${diagnostics}\n` }],
      ['weaver registry live-check', { code: 0 }],
      benchRule('tick-bench/valid-pass.json'),
      ...GREEN_COMMANDS,
    ]);
    const result = await runGates(baseOptions(root, exec, { registryDir: REGISTRY, only: ['weaver'] }));
    const check = gate(result, 'weaver').checks.find((c) => c.id === 'registry-check')!;
    expect(check).toMatchObject({ status: 'fail', counts: { findings: 1, warnings: 0 } });
    expect(check.reason).toBe("exit 1, 1 error: Attribute 'x' is invalid (weaver 0.19.0)");
  });

  it.each([
    [
      'the port is taken',
      { ports: { isFree: async () => false, waitListening: async () => true } },
      /port 4317 is in use/,
    ],
    [
      'the listener never comes up',
      { ports: { isFree: async () => true, waitListening: async () => false } },
      /did not listen on port 4317 within 30 s/,
    ],
  ])('reports the live-check as an error when %s', async (_name, over, reason) => {
    const root = project();
    const exec = fakeExec([
      ['weaver --version', { stdout: 'weaver 0.19.0' }],
      ['weaver registry check', { stdout: '' }],
      ['weaver registry live-check', { code: 1, stderr: 'stopped' }],
      benchRule('tick-bench/valid-pass.json'),
    ]);
    const result = await runGates(
      baseOptions(root, exec, { registryDir: REGISTRY, only: ['weaver'], ...over }),
    );
    const live = gate(result, 'weaver').checks.find((c) => c.id === 'live-check')!;
    expect(live.status).toBe('error');
    expect(live.reason).toMatch(reason);
    expect(gate(result, 'weaver').status).toBe('fail');
  });

  it('reports the live-check as an error when the emitter fails, and stops the listener', async () => {
    const root = project();
    let stopped = false;
    const exec = fakeExec([
      ['weaver --version', { stdout: 'weaver 0.19.0' }],
      ['weaver registry check', { stdout: '' }],
      [
        'weaver registry live-check',
        (_args, opts) =>
          new Promise((resolve) =>
            opts?.signal?.addEventListener('abort', () => {
              stopped = true;
              resolve({ code: 130, failure: 'aborted' });
            }),
          ),
      ],
      ['npx tsx scripts/emit-telemetry', { code: 1, stderr: 'knhk: emit-telemetry: could not export' }],
      benchRule('tick-bench/valid-pass.json'),
    ]);
    const result = await runGates(baseOptions(root, exec, { registryDir: REGISTRY, only: ['weaver'] }));
    const live = gate(result, 'weaver').checks.find((c) => c.id === 'live-check')!;
    expect(live).toMatchObject({ status: 'error' });
    expect(live.reason).toMatch(/failed \(exit 1\): knhk: emit-telemetry: could not export/);
    expect(stopped).toBe(true);
  });

  it.each([
    [
      'a syntax error',
      'int main(void) { return 0 }\n',
      /make exited 2, 1 error: broken\.c:1:\d+: error: expected .;. before/,
    ],
    [
      'a warning, which -Werror makes an error',
      'int main(void) { int unused; return 0; }\n',
      /unused variable/,
    ],
  ])('fails Gate 2 when the real C compiler rejects %s', async (_name, source, reason) => {
    const root = project({
      'native/Makefile':
        'all: build/broken.o\nbuild/broken.o: broken.c\n\tmkdir -p build\n\tcc -O2 -std=c11 -Wall -Wextra -Werror -c broken.c -o build/broken.o\n',
      'native/broken.c': source,
    });
    const fakes = fakeExec([...GREEN_COMMANDS.filter(([p]) => !p.startsWith('make'))]);
    const exec: Exec = (command, args, opts) =>
      command === 'make' ? realExec(command, args, opts) : fakes(command, args, opts);
    const result = await runGates(baseOptions(root, exec, { only: ['build'], env: process.env }));
    const build = gate(result, 'build');
    const c = build.checks.find((x) => x.id === 'c-build')!;
    expect(c).toMatchObject({ status: 'fail', command: 'make -C native -B' });
    expect(c.counts.findings).toBeGreaterThanOrEqual(1);
    expect(c.reason).toMatch(reason);
    expect(build.status).toBe('fail');
    expect(result.report.verdict).toBe('no-go');
  });

  it('fails Gate 2 on a type error found by the real tsc', async () => {
    const root = project({
      'package.json': JSON.stringify({ name: 'tmp', private: true, scripts: { check: 'tsc --noEmit -p .' } }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, types: [], skipLibCheck: true },
        include: ['app/**/*.ts'],
      }),
      'app/bad.ts': "export const n: number = 'not a number';\n",
    });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    const fakes = fakeExec(GREEN_COMMANDS.filter(([p]) => p !== 'npm run --silent check'));
    const exec: Exec = (command, args, opts) =>
      command === 'npm' && args[2] === 'check' ? realExec(command, args, opts) : fakes(command, args, opts);
    const result = await runGates(baseOptions(root, exec, { only: ['build'], env: process.env }));
    const check = gate(result, 'build').checks.find((c) => c.id === 'typecheck')!;
    expect(check).toMatchObject({ status: 'fail', command: 'npm run --silent check' });
    expect(check.reason).toMatch(/app\/bad\.ts.*TS2322/);
    expect(gate(result, 'build').status).toBe('fail');
  });

  it('fails Gate 2 on a forbidden pattern, naming the file and line', async () => {
    const root = project({ 'app/routes/Report.svelte': '<p>{@html report.name}</p>\n' });
    const result = await runGates(baseOptions(root, fakeExec(GREEN_COMMANDS), { only: ['build'] }));
    const check = gate(result, 'build').checks.find((c) => c.id === 'forbidden-patterns')!;
    expect(check).toMatchObject({ status: 'fail', counts: { findings: 1 } });
    expect(check.reason).toBe('1 finding: app/routes/Report.svelte:1 {@html}');
  });

  it.each([
    [
      'a test failed',
      'fail',
      { unit: suite('unit', 119, 1, ['verdict › rolls up (tests/unit/health/verdict.test.ts)']) },
      /^unit-tests: 1 failed, 119 passed: verdict › rolls up/,
    ],
    ['a suite ran 0 tests', 'no-evidence', { c: suite('c', 0) }, /^c-tests: ran 0 tests: no evidence$/],
  ] as const)('judges Gate 3 when %s as %s', async (_name, status, results, reason) => {
    const root = project();
    const exec = fakeExec([benchRule('tick-bench/valid-pass.json')]);
    const result = await runGates(
      baseOptions(root, exec, { only: ['tests'], testAll: fakeTestAll(results) }),
    );
    const tests = gate(result, 'tests');
    expect(tests.status).toBe(status);
    expect(tests.reason).toMatch(reason);
    expect(validateAs('gate-report', result.report).ok).toBe(true);
  });

  it.each([
    [
      'valid-over-budget.json',
      'fail',
      { run: 1, passed: 0, failed: 1 },
      /over budget \(variant portable, call mode api\): ASK_SP p95 12\.40 ticks > 8/,
    ],
    ['valid-pass.json', 'pass', undefined, /R1 ops within budget/],
    ['valid-no-evidence-short-samples.json', 'no-evidence', undefined, /^no evidence/],
  ] as const)('judges the tick budget of tick-bench/%s as %s', async (file, status, counts, reason) => {
    const root = project();
    const exec = fakeExec([benchRule(`tick-bench/${file}`)]);
    const result = await runGates(baseOptions(root, exec, { only: ['tests'] }));
    const budget = gate(result, 'tests').checks.find((c) => c.id === 'tick-budget')!;
    expect(budget.status).toBe(status);
    if (counts) expect(budget.counts).toEqual(counts);
    expect(budget.reason).toMatch(reason);
    expect(budget.command).toBe(`native/build/knhk bench --json --commit ${SHA}`);
    expect(result.manifest.reports.map((r) => r.file)).toContain('tick-bench.json');
  });

  it('fails the tick budget with an error when the knhk binary is missing', async () => {
    const root = project();
    const exec = fakeExec([['knhk', { code: 127, failure: 'not-found' }]]);
    const result = await runGates(baseOptions(root, exec, { only: ['tests'] }));
    const budget = gate(result, 'tests').checks.find((c) => c.id === 'tick-budget')!;
    expect(budget).toMatchObject({ status: 'error' });
    expect(budget.reason).toMatch(/native\/build\/knhk not found/);
    expect(gate(result, 'tests').status).toBe('fail');
    expect(result.manifest.reports.map((r) => r.kind)).toEqual(['gate-report']);
  });

  it.each([
    [
      "Gate 2's C build failed",
      ['build', 'tests'],
      fakeTestAll(),
      [['make -C native -B', { code: 2, stderr: 'a.c:1:1: error: nope' }]],
    ],
    [
      "the C suite's build failed",
      ['tests'],
      fakeTestAll({ c: suite('c', 0, 1, ['make -C native exited 2']) }),
      [],
    ],
  ] as [string, GateId[], TestAllRunner, [string, Partial<ExecResult>][]][])(
    'does not bench a binary this run did not build when %s',
    async (_name, only, testAll, rules) => {
      const root = project();
      const calls: Call[] = [];
      const exec = fakeExec([...rules, benchRule('tick-bench/valid-pass.json'), ...GREEN_COMMANDS], calls);
      const result = await runGates(baseOptions(root, exec, { only, testAll }));
      const budget = gate(result, 'tests').checks.find((c) => c.id === 'tick-budget')!;
      expect(budget).toMatchObject({
        status: 'error',
        reason: "not run: make -C native failed, so native/build/knhk is not this commit's build",
      });
      expect(calls.some((c) => c.line.startsWith('knhk bench'))).toBe(false);
    },
  );

  it('builds native/ before the bench when no gate of this run built it', async () => {
    const root = project();
    const calls: Call[] = [];
    const result = await runGates(
      baseOptions(root, weaverInstalled(fixture('gates/valid-live-check-pass.json'), calls), {
        registryDir: REGISTRY,
        only: ['weaver'],
      }),
    );
    expect(gate(result, 'weaver').status).toBe('pass');
    expect(calls.map((c) => c.line).filter((l) => /^(make|knhk)/.test(l))).toEqual([
      'make -C native',
      `knhk bench --json --commit ${SHA}`,
    ]);
  });

  it.each([
    [
      false,
      ['c', 'unit', 'build', 'e2e'],
      ['c-tests', 'unit-tests', 'site-build', 'e2e-tests', 'tick-budget'],
    ],
    [true, ['c', 'unit'], ['c-tests', 'unit-tests', 'tick-budget']],
  ])('runs the suites in order with quick=%s', async (quick, wantSuites, wantChecks) => {
    const root = project();
    const asked: string[] = [];
    const testAll = fakeTestAll();
    const result = await runGates(
      baseOptions(root, fakeExec([benchRule('tick-bench/valid-pass.json')]), {
        only: ['tests'],
        quick,
        testAll: (opts) => {
          asked.push(...(opts.only ?? []));
          return testAll(opts);
        },
      }),
    );
    expect(asked).toEqual(wantSuites);
    expect(gate(result, 'tests').checks.map((c) => c.id)).toEqual(wantChecks);
  });

  it('does not run e2e when the site build failed', async () => {
    const root = project();
    const result = await runGates(
      baseOptions(root, fakeExec([benchRule('tick-bench/valid-pass.json')]), {
        only: ['tests'],
        testAll: fakeTestAll({ build: suite('build', 0, 1, ['npm run build exited 1']) }),
      }),
    );
    expect(statuses(gate(result, 'tests'))).toEqual([
      ['c-tests', 'pass'],
      ['unit-tests', 'pass'],
      ['site-build', 'fail'],
      ['e2e-tests', 'error'],
      ['tick-budget', 'pass'],
    ]);
  });

  it('shows Gate 4 findings without blocking: the run stays go', async () => {
    const root = project({
      'node_modules/copyleft/package.json': JSON.stringify({
        name: 'copyleft',
        version: '1.0.0',
        license: 'GPL-3.0-only',
      }),
      'node_modules/fine/package.json': JSON.stringify({ name: 'fine', version: '2.0.0', license: 'MIT' }),
    });
    const audit = {
      metadata: { vulnerabilities: { high: 1, moderate: 2, total: 3 } },
      vulnerabilities: { lodash: {} },
    };
    const exec = fakeExec([
      ['npm audit', { code: 1, stdout: JSON.stringify(audit) }],
      ...weaverRules(),
      benchRule('tick-bench/valid-pass.json'),
      ...GREEN_COMMANDS,
    ]);
    const result = await runGates(
      baseOptions(root, exec, {
        registryDir: REGISTRY,
        weaverReport: join(REPO, 'tests/fixtures/gates/valid-live-check-pass.json'),
      }),
    );
    const security = gate(result, 'security');
    expect(security).toMatchObject({ blocking: false, status: 'fail' });
    expect(statuses(security)).toEqual([
      ['npm-audit', 'fail'],
      ['licences', 'fail'],
    ]);
    expect(security.checks[0]!.reason).toBe('3 vulnerabilities (1 high, 2 moderate): lodash');
    expect(security.checks[1]!.reason).toBe(
      '1 of 2 packages outside the allow-list: copyleft@1.0.0 (GPL-3.0-only)',
    );
    expect(result.report.verdict).toBe('go');
    expect(result.exitCode).toBe(0);
  });

  it('leaves gates out with only: they are not in the report, so the verdict is no-evidence', async () => {
    const root = project();
    const result = await runGates(baseOptions(root, fakeExec(GREEN_COMMANDS), { only: ['build'] }));
    expect(result.report.gates.map((g) => g.id)).toEqual(['build']);
    expect(result.notRun).toEqual(['weaver', 'tests', 'security']);
    expect(result.report.verdict).toBe('no-evidence');
    expect(result.exitCode).toBe(0); // the gate that was asked for passed
    expect(validateAs('gate-report', result.report).ok).toBe(true);
  });

  it('names a GitHub Actions run by its workflow run, attempt and target', async () => {
    const root = project();
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_RUN_ID: '987654',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_REPOSITORY: 'knhk/release-health',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_REF_NAME: 'main',
    };
    const result = await runGates(baseOptions(root, fakeExec(GREEN_COMMANDS), { only: ['build'], env }));
    expect(result.runId).toBe('gh-987654-2-x86_64-linux-gnu');
    expect(result.manifest).toMatchObject({
      id: 'gh-987654-2-x86_64-linux-gnu',
      group: 'gh-987654-2',
      source: 'github-actions',
      repo: 'knhk/release-health',
      workflow: 'CI',
      event: 'push',
      branch: 'main',
      url: 'https://github.com/knhk/release-health/actions/runs/987654/attempts/2',
    });
    expect(result.report.run_id).toBe(result.runId);
    expect(await checkRunFolder(result)).toMatchObject({ valid: true });
  });

  it('gives every check a command or null, a duration, counts and a one-line reason', async () => {
    const root = project();
    const exec = fakeExec([WEAVER_MISSING, benchRule('tick-bench/valid-pass.json'), ...GREEN_COMMANDS]);
    const result = await runGates(baseOptions(root, exec, { registryDir: REGISTRY }));
    for (const g of result.report.gates) {
      for (const c of g.checks) {
        expect(c.duration_ms).toBeGreaterThanOrEqual(0);
        expect(c.reason).not.toMatch(/\n/);
        expect(c.reason.length).toBeGreaterThan(0);
        expect(c.command === null || typeof c.command === 'string').toBe(true);
      }
    }
    const commands = result.report.gates.flatMap((g) => g.checks.map((c) => c.command));
    expect(commands).toContain('npx eslint . --format json');
    expect(commands).toContain('make -C native -B');
  });
});

/** Weaver installed with a clean registry check (for tests that read the live-check from a file). */
function weaverRules(): [string, { stdout: string }][] {
  return [
    ['weaver --version', { stdout: 'weaver 0.19.0' }],
    ['weaver registry check', { stdout: '' }],
  ];
}
