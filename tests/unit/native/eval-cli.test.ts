// `knhk eval FILE`: prints one '<OP> <result>' line per hook, and refuses bad input with exit 2 and
// a message naming the line and the bad token, printing no partial output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensureNativeBuilt, KNHK_BIN } from './native-build';

let dir: string;

function evalText(text: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.triples`);
  writeFileSync(file, text);
  const run = spawnSync(KNHK_BIN, ['eval', file], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  ensureNativeBuilt();
  dir = mkdtempSync(join(tmpdir(), 'knhk-eval-'));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('knhk eval', () => {
  it('prints one line per hook and exits 0 when the file is valid', () => {
    const got = evalText('triple 1 7 0\ntriple 2 7 0\nrun 7 0 2\nhook ASK_SP 7 2 0 0\nhook ASK_SP 7 3 0 0\n');
    expect(got).toEqual({ status: 0, stdout: 'ASK_SP 1\nASK_SP 0\n', stderr: '' });
  });

  it('prints the selected objects of SELECT_SP and the lane mask of CONSTRUCT8', () => {
    const got = evalText(
      'triple 5 7 50\ntriple 0 7 51\ntriple 5 7 52\nrun 7 0 3\nhook SELECT_SP 7 5 0 0\nhook CONSTRUCT8 7 0 9 0\nhook COUNT_SP_EQ 7 5 0 2\n',
    );
    expect(got).toEqual({ status: 0, stdout: 'SELECT_SP 2 50 52\nCONSTRUCT8 2 0x05\nCOUNT_SP_EQ 1\n', stderr: '' });
  });

  it.each([
    ['a run longer than 8 lanes', 'triple 1 7 0\n# comment\n\nrun 7 0 12\n', /^knhk: eval: line 4: run length must be 0\.\.8, got 12$/],
    ['a number with trailing letters', 'triple 1 7 0x1g\n', /^knhk: eval: line 1: bad number: .*got '0x1g'$/],
    ['a negative number', 'triple 1 7 0\nrun 7 0 1\nhook ASK_SP 7 -1 0 0\n', /^knhk: eval: line 3: bad number: .*got '-1'$/],
    ['a number above 2^64 - 1', 'triple 18446744073709551616 7 0\n', /^knhk: eval: line 1: bad number: .*got '18446744073709551616'$/],
    ['an unknown keyword', 'triple 1 7 0\ntripel 1 7 0\n', /^knhk: eval: line 2: unknown keyword: .*got 'tripel'$/],
    ['a missing field', 'triple 1 7\n', /^knhk: eval: line 1: triple takes 3 numbers: .*got 2$/],
    ['a hook before any run', 'triple 1 7 0\nhook ASK_SP 7 1 0 0\n', /^knhk: eval: line 2: hook before any run/],
    ['an unknown op', 'triple 1 7 0\nrun 7 0 1\nhook ASK 7 1 0 0\n', /^knhk: eval: line 3: unknown op: .*got 'ASK'$/],
    ['k above the run length of a COUNT op', 'triple 1 7 0\nrun 7 0 1\nhook COUNT_SP_GE 7 1 0 2\n', /^knhk: eval: line 3: k must be <= the run length 1 .*got 2$/],
    ['k above the run length', 'triple 1 7 0\nrun 7 0 1\nhook ASK_SP 7 1 0 2\n', /^knhk: eval: line 3: k must be <= the run length 1 .*got 2$/],
    ['a run beyond the triples', 'triple 1 7 0\nrun 7 1 1\nhook ASK_SP 7 1 0 0\n', /^knhk: eval: line 2: run off \+ len must be <= 1 .*got 1 \+ 1 = 2$/],
    ['65 triples', 'triple 1 7 0\n'.repeat(65), /^knhk: eval: line 65: too many triples: expected at most 64, got 65$/],
  ])('exits 2 naming the line when the file has %s', (_name, text, message) => {
    const got = evalText(text);
    expect(got.status).toBe(2);
    expect(got.stdout).toBe('');
    expect(got.stderr.trim()).toMatch(message);
  });

  it('prints nothing for the good hooks before a bad one', () => {
    const got = evalText('triple 1 7 0\nrun 7 0 1\nhook ASK_SP 7 1 0 0\nhook ASK_SP 7 1 0 5\n');
    expect(got.status).toBe(2);
    expect(got.stdout).toBe('');
    expect(got.stderr).toMatch(/line 4: k must be/);
  });

  it('exits 2 when the file does not exist', () => {
    const run = spawnSync(KNHK_BIN, ['eval', join(dir, 'missing.triples')], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^knhk: eval: cannot open the file: .*missing\.triples/);
  });
});
