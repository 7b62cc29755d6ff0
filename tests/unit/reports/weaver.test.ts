// The Weaver live-check reader: every fixture yields the result committed beside it (checked by hand
// against the samples), both forms agree, and no input (truncated, mangled, wrong types) makes it throw.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isWeaverLiveCheck,
  readWeaverLiveCheck,
  splitJsonValues,
  type WeaverReadResult,
} from '../../../app/lib/reports/weaver.ts';

const FIXTURES = 'tests/fixtures/weaver';
const FAMILIES = ['v0.15', 'v0.19', 'v0.20', 'v0.24'] as const;
const text = (...path: string[]) => readFileSync(join(FIXTURES, ...path), 'utf8');
const json = (...path: string[]): unknown => JSON.parse(text(...path));
const EDGE = readdirSync(join(FIXTURES, 'edge'))
  .filter((f) => !f.endsWith('.expected.json'))
  .map((f) => [f, f.replace(/\.[a-z]+$/, '.expected.json')] as const);

// Compact builders for targeted cases, in the 0.24+ shape unless said otherwise.
type Finding = Record<string, unknown>;
const LEVEL_ORDER = ['violation', 'improvement', 'information'];
const result = (...findings: Finding[]) => ({
  all_advice: findings,
  highest_advice_level:
    findings
      .map((f) => String(f.level ?? f.advice_level))
      .sort((a, b) => LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b))[0] ?? null,
});
const finding = (id: string, level: string, context: unknown = null): Finding => ({
  type: 'PolicyFinding',
  id,
  context,
  message: `${id} found`,
  level,
  signal_type: 'span',
  signal_name: 'knhk.operation.ask_sp',
});
const attr = (name: string, ...findings: Finding[]) => ({
  name,
  value: 'x',
  type: 'string',
  live_check_result: result(...findings),
});
const span = (attributes: unknown[], ...findings: Finding[]) => ({
  span: {
    name: 'knhk.operation.ask_sp',
    kind: 'internal',
    status: { code: 'unset', message: '' },
    attributes,
    span_events: [],
    span_links: [],
    live_check_result: result(...findings),
  },
});
const report = (samples: unknown[], statistics: unknown = null) => JSON.stringify({ samples, statistics });
const stream = (...docs: unknown[]) => docs.map((d) => JSON.stringify(d, null, 2)).join('\n');
const read = (input: string): WeaverReadResult => readWeaverLiveCheck(input);

describe('readWeaverLiveCheck', () => {
  describe('version families', () => {
    it.each(
      FAMILIES.flatMap((f) => [
        [f, 'report.json', 'expected.json'],
        [f, 'stream.jsonl', 'expected-stream.json'],
      ]),
    )('reads %s/%s as committed in %s', (family, input, expected) => {
      expect(read(text(family, input))).toEqual(json(family, expected));
    });

    it.each(FAMILIES)(
      'gives the same result for the document and the stream of %s, apart from form',
      (family) => {
        const document = read(text(family, 'report.json'));
        const streamed = read(text(family, 'stream.jsonl'));
        expect(document.summary?.form).toBe('document');
        expect(streamed.summary?.form).toBe('stream');
        expect({ ...streamed, summary: { ...streamed.summary, form: 'document' } }).toEqual(document);
      },
    );

    // Hand counts of the fixtures (entities, findings per level), independent of the committed output.
    it.each([
      ['v0.15', '0.15-0.18', 26, { violation: 0, improvement: 4, information: 1 }, 'pass'],
      ['v0.19', '0.19', 20, { violation: 4, improvement: 3, information: 0 }, 'fail'],
      ['v0.20', '0.20-0.23', 30, { violation: 0, improvement: 4, information: 1 }, 'pass'],
      ['v0.24', '0.24+', 28, { violation: 3, improvement: 1, information: 1 }, 'fail'],
    ])(
      'detects %s as family %s with %i entities, counts %o and verdict %s',
      (family, want, total, counts, verdict) => {
        const { valid, summary } = read(text(family, 'report.json'));
        expect(valid).toBe(true);
        expect(summary).toMatchObject({
          version_family: want,
          entities: { total },
          counts,
          verdict,
          has_statistics: true,
        });
      },
    );
  });

  describe('edge cases', () => {
    it.each(EDGE)('reads edge/%s as committed in %s', (input, expected) => {
      expect(read(text('edge', input))).toEqual(json('edge', expected));
    });

    it('judges a report with zero samples as no-evidence, never pass, with or without statistics', () => {
      for (const input of ['valid-zero-entities.json', 'valid-zero-entities-with-statistics.json']) {
        const { valid, summary } = read(text('edge', input));
        expect(valid).toBe(true);
        expect(summary?.verdict).toBe('no-evidence');
      }
    });

    it('reads --no-stats output the same in both forms, with no coverage', () => {
      const document = read(text('edge', 'valid-no-stats.json'));
      const streamed = read(text('edge', 'valid-no-stats-stream.jsonl'));
      expect(document.summary).toMatchObject({ has_statistics: false, coverage: null, verdict: 'pass' });
      expect({ ...streamed.summary, form: 'document' }).toEqual(document.summary);
    });

    it('refuses garbage text with no summary', () => {
      const { valid, summary, problems } = read(text('edge', 'invalid-garbage.txt'));
      expect([valid, summary]).toEqual([false, null]);
      expect(problems[0]?.message).toMatch(/^not JSON at byte 0 \(line 1, column 1\)/);
    });
  });

  describe('statistics that disagree with the samples', () => {
    it('names every disagreeing field but takes the verdict from the samples', () => {
      const { valid, problems, summary } = read(text('edge', 'invalid-statistics-disagree.json'));
      expect(valid).toBe(false);
      expect(problems.map((p) => p.path)).toEqual([
        '/statistics/total_entities',
        '/statistics/total_advisories',
        '/statistics/total_entities_by_type/attribute',
        '/statistics/total_entities_by_type/data_point',
        '/statistics/total_entities_by_type/log',
        '/statistics/total_entities_by_type/span',
        '/statistics/advice_level_counts/violation',
      ]);
      expect(problems[0]?.message).toBe('statistics say 8 entities, the samples hold 6');
      // The statistics claim no violation; the samples hold one: fail, not pass.
      expect(summary?.verdict).toBe('fail');
    });

    it('treats a level absent from the count maps as 0, not as a disagreement', () => {
      const input = report([span([attr('knhk.operation.name')])], {
        total_entities: 2,
        total_entities_by_type: { span: 1, attribute: 1 },
        total_advisories: 0,
        advice_level_counts: {},
      });
      expect(read(input).problems).toEqual([]);
    });

    it('prefixes the statistics paths with the document index in a stream', () => {
      const input = stream(span([]), {
        total_entities: 2,
        total_entities_by_type: { span: 1 },
        total_advisories: 0,
        advice_level_counts: {},
      });
      expect(read(input).problems).toEqual([
        { path: '/1/total_entities', message: 'statistics say 2 entities, the samples hold 1' },
      ]);
    });
  });

  describe('malformed parts', () => {
    it('reports an unknown sample type at its path, counts it and still reads its findings and the rest', () => {
      const input = report([
        {
          profile: {
            sample_type: 'cpu',
            live_check_result: result(finding('unmatched_sample', 'violation')),
          },
        },
        span([attr('knhk.operation.name')]),
      ]);
      const { valid, problems, summary } = read(input);
      expect(valid).toBe(false);
      expect(problems.map((p) => p.path)).toEqual(['/samples/0/profile']);
      expect(summary?.entities).toEqual({ total: 3, by_type: { profile: 1, span: 1, attribute: 1 } });
      expect(summary?.verdict).toBe('fail');
    });

    it.each([
      [
        'a sample with two keys',
        [{ ...span([]), resource: { attributes: [] } }],
        '/samples/0',
        /got 2 \(span, resource\)/,
      ],
      ['a sample with no key', [{}], '/samples/0', /got none/],
      ['a sample that is not an object', [42], '/samples/0', /got 42/],
      [
        'a finding without a level',
        [span([attr('a', { id: 'x', message: 'm', context: null })])],
        '/samples/0/span/attributes/0/live_check_result/all_advice/0/level',
        /it is missing/,
      ],
      [
        'a level outside the vocabulary',
        [span([attr('a', finding('x', 'error'))])],
        '/samples/0/span/attributes/0/live_check_result/all_advice/0/level',
        /got "error"/,
      ],
      [
        'attributes that are not an array',
        [{ span: { name: 's', attributes: { a: 1 } } }],
        '/samples/0/span/attributes',
        /expected an array/,
      ],
    ])('reports %s with its JSON Pointer', (_name, samples, path, message) => {
      const { valid, problems, summary } = read(report(samples));
      expect(valid).toBe(false);
      expect(problems.find((p) => p.path === path)?.message).toMatch(message);
      expect(summary).not.toBeNull();
    });

    it('refuses a violation the findings do not support, instead of passing it', () => {
      const input = report([
        {
          span: {
            name: 's',
            attributes: [],
            live_check_result: { all_advice: [], highest_advice_level: 'violation' },
          },
        },
      ]);
      const { valid, problems } = read(input);
      expect(valid).toBe(false);
      expect(problems).toEqual([
        {
          path: '/samples/0/span/live_check_result/highest_advice_level',
          message: 'says "violation" but no finding has a valid level',
        },
      ]);
    });

    it('reads samples even when `samples` is not an array, and judges no-evidence', () => {
      const { problems, summary } = read(text('edge', 'invalid-samples-not-array.json'));
      expect(problems.map((p) => p.path)).toEqual(['/samples']);
      expect(summary?.verdict).toBe('no-evidence');
    });
  });

  describe('finding attribute per version', () => {
    const onAttribute = (f: Finding) => report([span([attr('knhk.operation.ticks', f)])]);
    const onSpan = (f: Finding) => report([span([], f)]);
    it.each([
      [
        '0.15: the enclosing attribute',
        onAttribute({ advice_type: 't', value: 'v', message: 'm', advice_level: 'information' }),
        'knhk.operation.ticks',
        '0.15-0.18',
      ],
      [
        '0.19: advice_context.attribute_name',
        onAttribute({
          advice_type: 't',
          advice_context: { attribute_name: 'knhk.other' },
          message: 'm',
          advice_level: 'information',
        }),
        'knhk.other',
        '0.19',
      ],
      [
        '0.19: a plain advice_context falls back to the enclosing attribute',
        onAttribute({ advice_type: 't', advice_context: 'int', message: 'm', advice_level: 'information' }),
        'knhk.operation.ticks',
        '0.19',
      ],
      [
        '0.20: context.attribute_name on a span',
        onSpan(finding('t', 'information', { attribute_name: 'knhk.operation.target' })),
        'knhk.operation.target',
        '0.20-0.23',
      ],
      [
        '0.24: context.attribute_key on a span',
        onSpan(finding('t', 'information', { attribute_key: 'knhk.operation.target' })),
        'knhk.operation.target',
        '0.24+',
      ],
      ['0.24: a null context on a span', onSpan(finding('t', 'information', null)), null, '0.24+'],
      [
        '0.20+: a context without attribute does not tell 0.20 from 0.24',
        onSpan(finding('t', 'information', { unit: 'ns' })),
        null,
        'unknown',
      ],
    ])('takes %s', (_name, input, attribute, family) => {
      const { valid, summary } = read(input);
      expect(valid).toBe(true);
      expect(summary?.findings[0]?.attribute).toBe(attribute);
      expect(summary?.version_family).toBe(family);
    });
  });

  describe('the streamed form', () => {
    const docs = [
      span([attr('a}{"\\', finding('x', 'improvement'))]),
      span([attr('b')]),
      {
        total_entities: 4,
        total_entities_by_type: { span: 2, attribute: 2 },
        total_advisories: 1,
        advice_level_counts: { improvement: 1 },
      },
    ];

    it.each([
      ['pretty, one after another', docs.map((d) => JSON.stringify(d, null, 2)).join('\n')],
      ['one per line', docs.map((d) => JSON.stringify(d)).join('\n')],
      ['all on one line with no separator', docs.map((d) => JSON.stringify(d)).join('')],
      ['CRLF and blank lines between', docs.map((d) => JSON.stringify(d, null, 1)).join('\r\n\r\n')],
    ])('reads documents laid out %s, with braces, quotes and escapes inside strings', (_name, input) => {
      const { valid, problems, summary } = read(input);
      expect(problems).toEqual([]);
      expect(valid).toBe(true);
      expect(summary).toMatchObject({
        form: 'stream',
        entities: { total: 4 },
        counts: { improvement: 1 },
        verdict: 'pass',
      });
      expect(summary?.findings[0]?.attribute).toBe('a}{"\\');
    });

    it('reports a syntax problem with the document index, byte offset and line', () => {
      // "é" is 2 bytes in UTF-8: the byte offset runs one ahead of the character offset.
      const { problems, summary } = read('{"span": {"name": "é"}}\n]');
      expect(problems).toEqual([
        {
          path: '/1',
          message:
            'not JSON at byte 25 (line 2, column 1): expected "{" or "[" to start a JSON document, got "]"',
        },
      ]);
      expect(summary?.entities.total).toBe(1);
    });

    it('reports statistics that are not the last document', () => {
      const { problems } = read(stream(docs[2], docs[0], docs[1]));
      expect(problems).toEqual([
        { path: '/0', message: 'the statistics must be the last document, but 2 more follow it' },
      ]);
    });

    it('never throws on any prefix of a stream file, and refuses every prefix that cuts a document', () => {
      const full = text('v0.19', 'stream.jsonl');
      const bad: string[] = [];
      for (let n = 0; n <= full.length; n++) {
        const prefix = full.slice(0, n);
        const got = read(prefix);
        const { fault } = splitJsonValues(prefix);
        if (typeof got.valid !== 'boolean' || (got.summary === null && got.valid))
          bad.push(`${n}: inconsistent`);
        if (fault && got.valid) bad.push(`${n}: a cut document was accepted`);
      }
      expect(bad).toEqual([]);
    });
  });

  it('never throws on mangled or wrongly typed input', () => {
    const base = text('v0.24', 'report.json');
    const inputs: string[] = [
      '',
      '\ufeff',
      'null',
      '42',
      '"text"',
      '[]',
      '[1, 2]',
      '{}',
      '{"samples": null}',
      '{"samples": [null, [], {"span": null}, {"span": {"attributes": [null, 1, {"live_check_result": 5}]}}]}',
      '{"samples": [{"metric": {"name": "m", "data_points": [{"attributes": "x", "exemplars": [{"filtered_attributes": 1}]}]}}], "statistics": 7}',
      '{"samples": [], "statistics": {"total_entities": "many", "total_entities_by_type": [], "advice_level_counts": {"fatal": 1}, "registry_coverage": 2}}',
      '{"span": {"live_check_result": {"all_advice": [{"level": {}}, "x", null], "highest_advice_level": 3}}}',
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
      '{"a": "\\',
      '}{',
    ];
    // Seeded mangling: deletions and replacements at a prime stride through the v0.24 report.
    for (let k = 1; k <= 60; k++) {
      const at = (k * 7919) % base.length;
      inputs.push(base.slice(0, at) + base.slice(at + k));
      inputs.push(base.slice(0, at) + '}]"\\,'.charAt(k % 5) + base.slice(at + 1));
    }
    for (const input of inputs) {
      const got = read(input);
      expect(typeof got.valid).toBe('boolean');
      expect(Array.isArray(got.problems)).toBe(true);
      if (!got.valid) expect(got.problems.length).toBeGreaterThan(0);
    }
  });

  it('refuses a report followed by another document', () => {
    const one = report([]); // 32 characters, then the newline: the second report starts at byte 33
    const { valid, problems } = read(`${one}\n${one}`);
    expect(valid).toBe(false);
    expect(problems[0]?.message).toMatch(
      /^expected one report document, but another JSON document starts at byte 33 \(line 2, column 1\)$/,
    );
  });

  it.each([
    ['a JSON array', '[1, 2, 3]'],
    ['an object of another kind', '{"schema": "knhk.run/v1", "id": "local-x"}'],
    ['empty text', '   \n'],
  ])('refuses %s with no summary', (_name, input) => {
    const got = read(input);
    expect([got.valid, got.summary]).toEqual([false, null]);
    expect(got.problems.length).toBe(1);
  });
});

describe('isWeaverLiveCheck', () => {
  it.each([
    ['a report document', true, { samples: [], statistics: null }],
    ['a report document without statistics', true, { samples: [span([])] }],
    ['one streamed sample', true, span([])],
    ['a streamed statistics object', true, { total_entities: 0, total_advisories: 0 }],
    ['one of our reports that has samples', false, { schema: 'knhk.tick-bench/v1', samples: [] }],
    ['samples that are not an array', false, { samples: {} }],
    ['statistics that are not an object', false, { samples: [], statistics: 3 }],
    ['an unknown single key', false, { profile: {} }],
    ['null', false, null],
    ['an array', false, []],
  ])('says %s is a live-check: %s', (_name, want, value) => expect(isWeaverLiveCheck(value)).toBe(want));
});

describe('splitJsonValues', () => {
  it('splits concatenated documents and ignores brackets inside strings', () => {
    const input = ' {"a": "}"}\n[1, {"b": "\\"]"}]{}';
    const { spans, fault } = splitJsonValues(input);
    expect(fault).toBeNull();
    expect(spans.map((s) => input.slice(s.start, s.end))).toEqual(['{"a": "}"}', '[1, {"b": "\\"]"}]', '{}']);
  });

  it('reports a mismatched bracket where it occurs', () => {
    expect(splitJsonValues('{"a": [1}').fault).toMatchObject({
      offset: 8,
      byte: 8,
      line: 1,
      column: 9,
      message: 'expected "]", got "}"',
    });
  });

  it('reports text that ends inside a document, with where the document started', () => {
    const { spans, fault } = splitJsonValues('{}\n{"a":\n[1');
    expect(spans).toHaveLength(1);
    expect(fault).toMatchObject({
      line: 3,
      column: 3,
      message: 'the text ends inside a JSON document that starts at byte 3 (line 2)',
    });
  });
});
