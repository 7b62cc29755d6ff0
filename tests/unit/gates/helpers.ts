// Shared set-up of the gates tests: a temporary project, a scripted fake command runner, passing
// suite results, and runGates options that never touch the network or the real repository.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Exec, ExecOptions, ExecResult } from '../../../scripts/lib/exec.ts';
import type { GatesOptions } from '../../../scripts/gates/index.ts';
import type { PortProbe, TestAllRunner } from '../../../scripts/gates/context.ts';
import type { SuiteResult } from '../../../scripts/test-all/sum.ts';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const FIXTURES = join(REPO, 'tests', 'fixtures');
export const SHA = '3f2a9c1e5b7d4a6f8e0c2b4d6f8a1c3e5b7d9f0a';

export const COMMIT = {
  sha: SHA,
  message: 'test commit',
  author: 'Test',
  time: '2026-12-04T16:00:00Z',
  branch: 'main',
  tag: null,
};

export function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

/** A temporary project folder with the given files (path → content). */
export function tempProject(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'knhk-gates-test-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

export interface Call {
  line: string;
  opts: ExecOptions | undefined;
}

type Reply =
  | Partial<ExecResult>
  | ((
      args: readonly string[],
      opts: ExecOptions | undefined,
    ) => Promise<Partial<ExecResult>> | Partial<ExecResult>);

/**
 * A fake runner: the first rule whose prefix starts the command line answers (the command's base
 * name is used, so absolute paths match). Unmatched commands exit 0 with no output.
 */
export function fakeExec(rules: [prefix: string, reply: Reply][], calls: Call[] = []): Exec {
  return async (command, args, opts) => {
    const base = command.split('/').pop() ?? command;
    const line = [base, ...args].join(' ');
    calls.push({ line, opts });
    const rule = rules.find(([prefix]) => line.startsWith(prefix));
    const reply = rule ? (typeof rule[1] === 'function' ? await rule[1](args, opts) : rule[1]) : {};
    return { code: 0, stdout: '', stderr: '', duration_ms: 5, ...reply };
  };
}

export const WEAVER_MISSING: [string, Reply] = [
  'weaver',
  { code: 127, stderr: 'cannot run weaver: spawn weaver ENOENT', failure: 'not-found' },
];

/** Passing outputs of every Gate 2 and Gate 4 command. */
export const GREEN_COMMANDS: [string, Reply][] = [
  ['npm run --silent check', { stdout: 'svelte-check found 0 errors and 0 warnings\n' }],
  [
    'npx eslint',
    { stdout: JSON.stringify([{ filePath: '/x/a.ts', errorCount: 0, warningCount: 0, messages: [] }]) },
  ],
  ['npx prettier', { stdout: 'Checking formatting...\nAll matched files use Prettier code style!\n' }],
  [
    'make -C native -B',
    { stdout: 'cc -O2 -Wall -Wextra -Werror -c src/knhk.c -o build/src/knhk.o\nar rcs build/libknhk.a\n' },
  ],
  [
    'npm audit',
    { stdout: JSON.stringify({ metadata: { vulnerabilities: { total: 0 }, dependencies: { total: 3 } } }) },
  ],
];

export function suite(
  name: SuiteResult['suite'],
  passed: number,
  failed = 0,
  failures: string[] = [],
): SuiteResult {
  return { suite: name, passed, failed, skipped: 0, failures, notes: [] };
}

/** A test runner that answers each suite from a table (default: 10 passed). */
export function fakeTestAll(results: Partial<Record<SuiteResult['suite'], SuiteResult>> = {}): TestAllRunner {
  return async (opts) => ({
    suites: (opts.only ?? []).map((name) => results[name] ?? suite(name, 10)),
  });
}

export const FREE_PORTS: PortProbe = {
  isFree: async () => true,
  waitListening: async () => true,
};

/** runGates options for a temporary project: fake commands, fixed commit, time, host and target. */
export function baseOptions(root: string, exec: Exec, over: Partial<GatesOptions> = {}): GatesOptions {
  let tick = Date.parse('2026-12-04T16:00:00Z');
  return {
    root,
    exec,
    env: {},
    commit: COMMIT,
    host: 'testhost',
    target: 'x86_64-linux-gnu',
    now: () => new Date((tick += 1000)),
    testAll: fakeTestAll(),
    ports: FREE_PORTS,
    log: () => {},
    ...over,
  };
}

/** A bench runner rule answering `knhk bench` with a fixture. */
export function benchRule(fixturePath: string): [string, Reply] {
  return ['knhk bench', { stdout: fixture(fixturePath) }];
}
