// Gate 4's licence rules: SPDX expressions over the allow-list, and the installed package tree.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { licenceProblem, listInstalledPackages } from '../../../scripts/gates/licences.ts';
import { tempProject } from './helpers.ts';

describe('licenceProblem', () => {
  it.each([
    ['MIT', null],
    ['mit', null],
    ['Apache-2.0', null],
    ['BlueOak-1.0.0', null],
    ['(MIT OR Apache-2.0)', null],
    ['MIT AND ISC', null],
    ['(MIT OR GPL-3.0-only)', null], // the user may choose MIT
    ['Apache-2.0 WITH LLVM-exception', null],
    ['(BSD-2-Clause AND (MIT OR CC0-1.0))', null],
    ['GPL-3.0-only', 'not on the allow-list: GPL-3.0-only'],
    ['MIT AND GPL-2.0', 'not on the allow-list: MIT AND GPL-2.0'],
    ['SEE LICENSE IN LICENSE.txt', 'not an SPDX expression: SEE LICENSE IN LICENSE.txt'],
    ['UNLICENSED', 'not on the allow-list: UNLICENSED'],
    ['(MIT', 'not an SPDX expression: (MIT'],
    ['MIT OR', 'not an SPDX expression: MIT OR'],
    [null, 'no licence declared'],
  ])('judges %s', (expression, want) => {
    expect(licenceProblem(expression)).toBe(want);
  });
});

describe('listInstalledPackages', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads every package once, scoped and nested ones included, with legacy licence fields', () => {
    root = tempProject({
      'node_modules/a/package.json': JSON.stringify({ name: 'a', version: '1.0.0', license: 'MIT' }),
      'node_modules/a/node_modules/b/package.json': JSON.stringify({
        name: 'b',
        version: '2.0.0',
        license: { type: 'ISC' },
      }),
      'node_modules/@s/c/package.json': JSON.stringify({
        name: '@s/c',
        version: '3.0.0',
        licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }],
      }),
      'node_modules/@s/d/node_modules/a/package.json': JSON.stringify({
        name: 'a',
        version: '1.0.0',
        license: 'MIT',
      }),
      'node_modules/@s/d/package.json': JSON.stringify({ name: '@s/d', version: '4.0.0' }),
      'node_modules/.bin/tool': '',
    });
    const packages = listInstalledPackages(root).map((p) => [p.name, p.version, p.licence, p.path]);
    expect(packages).toEqual([
      ['@s/c', '3.0.0', '(MIT OR Apache-2.0)', 'node_modules/@s/c'],
      ['@s/d', '4.0.0', null, 'node_modules/@s/d'],
      ['a', '1.0.0', 'MIT', 'node_modules/@s/d/node_modules/a'],
      ['b', '2.0.0', 'ISC', 'node_modules/a/node_modules/b'],
    ]);
  });

  it('finds nothing without node_modules', () => {
    root = tempProject();
    expect(listInstalledPackages(root)).toEqual([]);
  });
});
