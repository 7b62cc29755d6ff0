// Gate 2's judges: each tool's output (exit code and text) becomes a status, counts and a reason.
import { describe, expect, it } from 'vitest';
import { judgeCBuild, judgeEslint, judgePrettier, judgeSvelteCheck } from '../../../scripts/gates/build.ts';

const out = (code: number, stdout = '', stderr = '') => ({ code, stdout, stderr });

describe('judgeSvelteCheck', () => {
  it.each([
    [
      'a clean run',
      out(0, 'svelte-check found 0 errors and 2 warnings\n'),
      'pass',
      { findings: 0, warnings: 2 },
      '0 errors, 2 warnings',
    ],
    [
      'a type error',
      out(
        1,
        "/repo/app/x.ts:3:7\nError: Type 'string' is not assignable to type 'number'. (ts)\nsvelte-check found 1 error and 0 warnings in 1 file\n",
      ),
      'fail',
      { findings: 1, warnings: 0 },
      "1 error, 0 warnings: app/x.ts:3:7 Error: Type 'string' is not assignable to type 'number'. (ts)",
    ],
    [
      'a crash before the summary',
      out(1, '', 'npm run gen failed\n'),
      'fail',
      {},
      'exit 1: npm run gen failed',
    ],
    [
      'exit 0 without a summary',
      out(0, 'nothing\n'),
      'no-evidence',
      {},
      'no svelte-check summary in the output: nothing to count',
    ],
  ])('judges %s', (_name, result, status, counts, reason) => {
    expect(judgeSvelteCheck(result, '/repo')).toEqual({ status, counts, reason });
  });
});

describe('judgeEslint', () => {
  const file = (errorCount: number, warningCount: number, messages: unknown[] = []) => ({
    filePath: '/repo/app/a.ts',
    errorCount,
    warningCount,
    messages,
  });
  it.each([
    [
      'no problem',
      out(0, JSON.stringify([file(0, 0), file(0, 1)])),
      'pass',
      { findings: 0, warnings: 1 },
      '2 files linted, 0 errors, 1 warning',
    ],
    [
      'an error',
      out(
        1,
        JSON.stringify([
          file(1, 0, [{ line: 4, ruleId: 'no-eval', message: 'eval can be harmful.', severity: 2 }]),
        ]),
      ),
      'fail',
      { findings: 1, warnings: 0 },
      '1 error, 0 warnings: app/a.ts:4 no-eval eval can be harmful.',
    ],
    [
      'a crash',
      out(2, '', 'Oops! Something went wrong!\n'),
      'error',
      {},
      'eslint exited 2 without its JSON report: Oops! Something went wrong!',
    ],
    ['no file linted', out(0, '[]'), 'no-evidence', { findings: 0, warnings: 0 }, 'eslint linted 0 files'],
  ])('judges %s', (_name, result, status, counts, reason) => {
    expect(judgeEslint(result, '/repo')).toEqual({ status, counts, reason });
  });
});

describe('judgePrettier', () => {
  it.each([
    [
      'formatted files',
      out(0, 'Checking formatting...\nAll matched files use Prettier code style!\n'),
      'pass',
      0,
      'All matched files use Prettier code style!',
    ],
    [
      'two unformatted files',
      out(
        1,
        'Checking formatting...\n',
        '[warn] app/a.ts\n[warn] scripts/b.ts\n[warn] Code style issues found in 2 files. Run Prettier with --write to fix.\n',
      ),
      'fail',
      2,
      '2 files not formatted: app/a.ts, scripts/b.ts',
    ],
    [
      'a syntax error',
      out(2, '', '[error] app/c.ts: SyntaxError: Unexpected token\n'),
      'error',
      0,
      'prettier exited 2: [error] app/c.ts: SyntaxError: Unexpected token',
    ],
  ])('judges %s', (_name, result, status, findings, reason) => {
    expect(judgePrettier(result)).toEqual({ status, counts: { findings }, reason });
  });
});

describe('judgeCBuild', () => {
  const strict = 'cc -O2 -std=c11 -Wall -Wextra -Werror -c src/knhk.c -o build/src/knhk.o';
  it.each([
    [
      'strict compiles',
      out(0, `${strict}\ncc -O2 -o build/knhk build/cli.o\n`),
      'pass',
      '1 file compiled with -Wall -Wextra -Werror, 0 warnings',
    ],
    [
      'a compile without -Werror',
      out(0, 'cc -O2 -Wall -Wextra -c src/a.c -o a.o\n'),
      'fail',
      '1 file compiled without -Werror: cc -O2 -Wall -Wextra -c src/a.c -o a.o',
    ],
    [
      'nothing compiled',
      out(0, "make: Nothing to be done for 'all'.\n"),
      'no-evidence',
      'make compiled nothing it showed: cannot confirm -Wall -Wextra -Werror',
    ],
    [
      'a compiler error',
      out(
        2,
        `${strict}\n`,
        "src/knhk.c:3:5: error: unused variable 'x' [-Werror=unused-variable]\nmake: *** [Makefile:9] Error 1\n",
      ),
      'fail',
      "make exited 2, 1 error: src/knhk.c:3:5: error: unused variable 'x' [-Werror=unused-variable]",
    ],
  ])('judges %s', (_name, result, status, reason) => {
    const judged = judgeCBuild(result);
    expect(judged.status).toBe(status);
    expect(judged.reason).toBe(reason);
  });

  it('counts warnings and errors from the compiler diagnostics', () => {
    const text =
      "a.c:1:1: warning: unused [-Wunused]\nb.c:2:2: error: unused variable 'y' [-Werror=unused-variable]\n";
    expect(judgeCBuild(out(2, strict, text)).counts).toEqual({ warnings: 2, findings: 1 });
  });
});
