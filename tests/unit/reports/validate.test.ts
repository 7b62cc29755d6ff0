// Every schema: its valid fixtures pass, and each invalid fixture yields exactly the problem list
// committed beside it (tests/fixtures/<kind>/invalid-<what>.problems.json).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectKind, validateAs, validateReport } from '../../../app/lib/reports/validate.ts';
import { OPS, REPORT_KINDS } from '../../../app/lib/reports/types.ts';

const FIXTURES = 'tests/fixtures';
const read = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const fixtures = (kind: string, prefix: 'valid-' | 'invalid-') =>
  readdirSync(join(FIXTURES, kind))
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json') && !f.endsWith('.problems.json'))
    .map((f) => [f, join(FIXTURES, kind, f)] as const);

describe.each(REPORT_KINDS.map((k) => [k]))('validateReport on %s fixtures', (kind) => {
  it('has at least one valid and three invalid fixtures', () => {
    expect(fixtures(kind, 'valid-').length).toBeGreaterThanOrEqual(1);
    expect(fixtures(kind, 'invalid-').length).toBeGreaterThanOrEqual(3);
  });

  it.each(fixtures(kind, 'valid-'))('accepts %s', (_name, path) => {
    const result = validateReport(read(path));
    expect(result.kind).toBe(kind);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it.each(fixtures(kind, 'invalid-'))('reports the committed problems for %s', (_name, path) => {
    const result = validateReport(read(path));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toEqual(read(path.replace(/\.json$/, '.problems.json')));
  });

  it('fails its invalid fixtures at pairwise different JSON Pointers, one of them with two or more problems', () => {
    const lists = fixtures(kind, 'invalid-').map(([, path]) => {
      const r = validateReport(read(path));
      return r.ok ? [] : r.issues.map((i) => i.path);
    });
    const firsts = lists.map((paths) => paths.join(' '));
    expect(new Set(firsts).size).toBe(firsts.length);
    expect(lists.some((paths) => paths.length >= 2)).toBe(true);
  });
});

describe('validateReport', () => {
  it.each([
    ['a number', 42, ''],
    ['an array', [], ''],
    ['an object without schema', { id: 'x' }, '/schema'],
    ['an unknown kind', { schema: 'knhk.coverage/v1' }, '/schema'],
    ['a future version', { schema: 'knhk.run/v2' }, '/schema'],
  ])('refuses %s with one problem naming the schema field', (_name, doc, path) => {
    const result = validateReport(doc);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual([path]);
  });

  it('returns a missing property as a pointer to the property itself', () => {
    const result = validateAs('release', { schema: 'knhk.release/v1' });
    const paths = result.ok ? [] : result.issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      '/assets',
      '/checksum_files',
      '/commit_sha',
      '/created_at',
      '/notes',
      '/tag',
      '/version',
    ]);
  });

  it('escapes ~ and / in pointer tokens (RFC 6901)', () => {
    const doc = read(join(FIXTURES, 'run', 'valid-local.json')) as Record<string, unknown>;
    const result = validateReport({ ...doc, 'a/b~c': 1 });
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual(['/a~1b~0c']);
  });

  it.each([['../outside.json'], ['a/../../b.json'], ['./x.json'], ['/etc/passwd'], ['..']])(
    'refuses a report file %s that could leave the run folder',
    (file) => {
      const doc = read(join(FIXTURES, 'run', 'valid-local.json')) as { reports: { file: string }[] };
      const result = validateReport({ ...doc, reports: [{ ...doc.reports[0], file }] });
      expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual(['/reports/0/file']);
    },
  );

  it('never throws on hostile input', () => {
    const hostile: unknown[] = [
      null,
      undefined,
      '',
      0,
      NaN,
      { schema: null },
      { schema: 'knhk.run/v1', reports: 'x' },
    ];
    for (const doc of hostile) expect(() => validateReport(doc)).not.toThrow();
  });
});

describe('OPS', () => {
  it('is the schema enum of operations, in the same order', () => {
    const common = read('registry/schemas/common.schema.json') as { definitions: { op: { enum: string[] } } };
    expect([...OPS]).toEqual(common.definitions.op.enum);
  });
});

describe('detectKind', () => {
  it.each([
    ['knhk.tick-bench/v1', 'tick-bench'],
    ['knhk.gate-report/v1', 'gate-report'],
    ['knhk.wasm-bench/v1', 'wasm-bench'],
    ['knhk.gate-report/v9', null],
    ['weaver', null],
  ])('reads %s as %s', (schema, want) => expect(detectKind({ schema })).toBe(want));
});
