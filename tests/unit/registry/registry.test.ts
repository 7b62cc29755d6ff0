// The Weaver registry under registry/ is valid, and checkRegistry reports each kind of mistake with its path.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkRegistry, parseRegistryFiles, type RegistryFile } from '../../../scripts/lib/registry-check.ts';
import { OPS } from '../../../app/lib/reports/types.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const REGISTRY = join(ROOT, 'registry');

/** Every YAML file under registry/, except schemas/ (report JSON Schemas, not semantic conventions). */
function registryTexts(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== join(REGISTRY, 'schemas')) walk(full);
      } else if (/\.ya?ml$/.test(entry.name)) {
        out.push({ path: relative(ROOT, full), text: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(REGISTRY);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Attributes of one group, for the assertions about the real registry. */
function groupById(files: RegistryFile[], id: string): Record<string, unknown> | undefined {
  for (const f of files) {
    const groups = (f.doc as { groups?: Record<string, unknown>[] }).groups ?? [];
    const found = groups.find((g) => g.id === id);
    if (found) return found;
  }
  return undefined;
}

describe('the knhk registry', () => {
  const texts = registryTexts();
  const { files, problems: syntax } = parseRegistryFiles(texts);

  it('has a manifest and semantic-convention files', () => {
    expect(texts.map((t) => t.path)).toContain('registry/registry_manifest.yaml');
    expect(texts.filter((t) => t.path.startsWith('registry/knhk/')).length).toBeGreaterThan(0);
  });

  it('parses and passes every check', () => {
    expect(syntax).toEqual([]);
    expect(checkRegistry(files)).toEqual([]);
  });

  it('keeps semconv_version on one line so the release script can bump it by regex', () => {
    const manifest = texts.find((t) => t.path === 'registry/registry_manifest.yaml')?.text ?? '';
    expect(manifest).toMatch(/^semconv_version: \d+\.\d+\.\d+$/m);
  });

  it('lists every operation of DESIGN §4 in knhk.operation.type', () => {
    const group = groupById(files, 'registry.knhk.operation');
    const attrs = (group?.attributes ?? []) as { id?: string; type?: { members?: { value: string }[] } }[];
    const values = attrs.find((a) => a.id === 'knhk.operation.type')?.type?.members?.map((m) => m.value);
    expect(values).toEqual([...OPS]);
  });

  it.each([
    ['span.knhk.operation', 'span'],
    ['metric.knhk.operation.duration', 'metric'],
    ['metric.knhk.operation.r1_violations', 'metric'],
  ])('defines the %s group as a %s', (id, type) => {
    expect(groupById(files, id)?.type).toBe(type);
  });
});

// A small valid registry; each broken case below changes one thing in it.
const MANIFEST = `name: t
description: Test registry.
semconv_version: 1.2.3
schema_base_url: https://example.test/schemas/
`;
const ATTRS = `groups:
  - id: registry.t
    type: attribute_group
    brief: Test attributes.
    attributes:
      - id: t.name
        type: string
        stability: development
        brief: A name.
        examples: ['a']
      - id: t.mode
        type:
          members:
            - id: fast
              value: fast
              stability: development
            - id: slow
              value: slow
              stability: development
        stability: development
        brief: A mode.
`;
const SIGNALS = `groups:
  - id: span.t
    type: span
    span_kind: internal
    stability: development
    brief: A span.
    attributes:
      - ref: t.name
        requirement_level: required
      - ref: t.mode
        requirement_level:
          conditionally_required: If known.
  - id: metric.t.duration
    type: metric
    metric_name: t.duration
    instrument: histogram
    unit: "{tick}"
    stability: development
    brief: A metric.
    attributes:
      - ref: t.mode
`;

function check(manifest: string | null, attrs: string, signals: string) {
  const texts = [
    ...(manifest === null ? [] : [{ path: 'r/registry_manifest.yaml', text: manifest }]),
    { path: 'r/t/registry.yaml', text: attrs },
    { path: 'r/t/signals.yaml', text: signals },
  ];
  const { files, problems } = parseRegistryFiles(texts);
  return [...problems, ...checkRegistry(files)];
}

describe('checkRegistry', () => {
  it('accepts the small valid registry', () => {
    expect(check(MANIFEST, ATTRS, SIGNALS)).toEqual([]);
  });

  it.each<[string, () => ReturnType<typeof check>, string, RegExp]>([
    [
      'a dangling ref',
      () => check(MANIFEST, ATTRS, SIGNALS.replace('- ref: t.name', '- ref: t.nmae')),
      'r/t/signals.yaml#/groups/0/attributes/0/ref',
      /^ref does not resolve: .*got "t\.nmae"$/,
    ],
    [
      'a duplicate attribute id across groups',
      () =>
        check(
          MANIFEST,
          ATTRS,
          `${SIGNALS}  - id: registry.t2\n    type: attribute_group\n    brief: Again.\n    attributes:\n      - id: t.name\n        type: string\n        stability: development\n        brief: Again.\n        examples: ['b']\n`,
        ),
      'r/t/signals.yaml#/groups/2/attributes/0/id',
      /^duplicate attribute id: .*got "t\.name" \(first at r\/t\/registry\.yaml#\/groups\/0\/attributes\/0\)$/,
    ],
    [
      'a duplicate group id',
      () => check(MANIFEST, ATTRS, SIGNALS.replace('id: span.t', 'id: registry.t')),
      'r/t/signals.yaml#/groups/0/id',
      /^duplicate group id/,
    ],
    [
      'a bad type',
      () => check(MANIFEST, ATTRS.replace('type: string', 'type: text'), SIGNALS),
      'r/t/registry.yaml#/groups/0/attributes/0/type',
      /^type: expected one of string, int, .* got "text"$/,
    ],
    [
      'an enum whose member values mix types',
      () => check(MANIFEST, ATTRS.replace('value: slow', 'value: 2'), SIGNALS),
      'r/t/registry.yaml#/groups/0/attributes/1/type/members/1/value',
      /^enum value type: expected string like the first member, got int 2$/,
    ],
    [
      'a duplicate enum value',
      () => check(MANIFEST, ATTRS.replace('value: slow', 'value: fast'), SIGNALS),
      'r/t/registry.yaml#/groups/0/attributes/1/type/members/1/value',
      /^duplicate enum value/,
    ],
    [
      'a stable member of a development attribute',
      () =>
        check(
          MANIFEST,
          ATTRS.replace(
            'value: slow\n              stability: development',
            'value: slow\n              stability: stable',
          ),
          SIGNALS,
        ),
      'r/t/registry.yaml#/groups/0/attributes/1/type/members/1/stability',
      /^stable member of a non-stable attribute/,
    ],
    [
      'an unknown requirement level',
      () =>
        check(
          MANIFEST,
          ATTRS,
          SIGNALS.replace('requirement_level: required', 'requirement_level: mandatory'),
        ),
      'r/t/signals.yaml#/groups/0/attributes/0/requirement_level',
      /^requirement_level: expected required, recommended, opt_in/,
    ],
    [
      'an unknown stability',
      () =>
        check(
          MANIFEST,
          ATTRS.replace(
            'stability: development\n        brief: A name.',
            'stability: experimental\n        brief: A name.',
          ),
          SIGNALS,
        ),
      'r/t/registry.yaml#/groups/0/attributes/0/stability',
      /^stability: expected one of stable, development, alpha, beta, release_candidate, got "experimental"$/,
    ],
    [
      'a metric without instrument',
      () => check(MANIFEST, ATTRS, SIGNALS.replace('    instrument: histogram\n', '')),
      'r/t/signals.yaml#/groups/1/instrument',
      /^instrument: expected one of counter, histogram, gauge, updowncounter, got nothing$/,
    ],
    [
      'a metric with an unknown instrument',
      () => check(MANIFEST, ATTRS, SIGNALS.replace('instrument: histogram', 'instrument: summary')),
      'r/t/signals.yaml#/groups/1/instrument',
      /got "summary"$/,
    ],
    [
      'a metric without unit',
      () => check(MANIFEST, ATTRS, SIGNALS.replace('    unit: "{tick}"\n', '')),
      'r/t/signals.yaml#/groups/1/unit',
      /^unit missing/,
    ],
    [
      'a metric without metric_name',
      () => check(MANIFEST, ATTRS, SIGNALS.replace('    metric_name: t.duration\n', '')),
      'r/t/signals.yaml#/groups/1/metric_name',
      /^metric_name: /,
    ],
    [
      'a span without span_kind',
      () => check(MANIFEST, ATTRS, SIGNALS.replace('    span_kind: internal\n', '')),
      'r/t/signals.yaml#/groups/0/span_kind',
      /^span_kind: /,
    ],
    [
      'an example of the wrong type',
      () => check(MANIFEST, ATTRS.replace("examples: ['a']", 'examples: [1]'), SIGNALS),
      'r/t/registry.yaml#/groups/0/attributes/0/examples/0',
      /^example does not match type string: got 1$/,
    ],
    [
      'a string attribute without examples',
      () => check(MANIFEST, ATTRS.replace("        examples: ['a']\n", ''), SIGNALS),
      'r/t/registry.yaml#/groups/0/attributes/0/examples',
      /^examples missing/,
    ],
    [
      'a misspelt key',
      () =>
        check(MANIFEST, ATTRS, SIGNALS.replace('requirement_level: required', 'requirment_level: required')),
      'r/t/signals.yaml#/groups/0/attributes/0/requirment_level',
      /^unknown attribute key/,
    ],
    [
      'type beside ref',
      () =>
        check(
          MANIFEST,
          ATTRS,
          SIGNALS.replace('      - ref: t.mode\n', '      - ref: t.mode\n        type: string\n'),
        ),
      'r/t/signals.yaml#/groups/0/attributes/1/type',
      /^type beside ref/,
    ],
    [
      'an attribute listed twice in a group',
      () => check(MANIFEST, ATTRS, `${SIGNALS}      - ref: t.mode\n`),
      'r/t/signals.yaml#/groups/1/attributes/1',
      /^attribute listed twice in this group/,
    ],
    [
      'a dangling extends',
      () =>
        check(
          MANIFEST,
          ATTRS,
          SIGNALS.replace('    span_kind: internal\n', '    span_kind: internal\n    extends: nowhere\n'),
        ),
      'r/t/signals.yaml#/groups/0/extends',
      /^extends does not resolve/,
    ],
    [
      'a semconv_version that is not semver',
      () => check(MANIFEST.replace('1.2.3', '1.2'), ATTRS, SIGNALS),
      'r/registry_manifest.yaml#/semconv_version',
      // YAML reads 1.2 as a number: still not a semver string.
      /^semconv_version is not semver: expected x\.y\.z, got 1\.2$/,
    ],
    ['a missing manifest', () => check(null, ATTRS, SIGNALS), 'registry_manifest.yaml#', /^missing manifest/],
    [
      'a YAML syntax error',
      () => check(MANIFEST, `${ATTRS}  - id: [unclosed\n`, SIGNALS),
      'r/t/registry.yaml#',
      /^YAML syntax: /,
    ],
  ])('reports %s', (_name, run, path, message) => {
    const problems = run();
    const hit = problems.find((p) => p.path === path);
    expect(hit, JSON.stringify(problems, null, 2)).toBeDefined();
    expect(hit?.message).toMatch(message);
  });

  it('reports every problem at once', () => {
    const broken = SIGNALS.replace('- ref: t.name', '- ref: t.nope').replace(
      'instrument: histogram',
      'instrument: summary',
    );
    const problems = check(
      MANIFEST.replace('1.2.3', 'one'),
      ATTRS.replace('type: string', 'type: text'),
      broken,
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      'r/registry_manifest.yaml#/semconv_version',
      'r/t/registry.yaml#/groups/0/attributes/0/type',
      'r/t/signals.yaml#/groups/0/attributes/0/ref',
      'r/t/signals.yaml#/groups/1/instrument',
    ]);
  });

  it('escapes ~ and / in pointer tokens', () => {
    const problems = checkRegistry([
      { path: 'r/registry_manifest.yaml', doc: parse(MANIFEST) },
      { path: 'r/x.yaml', doc: { groups: [], 'a/b~c': 1 } },
    ]);
    expect(problems).toEqual([
      { path: 'r/x.yaml#/a~1b~0c', message: 'unknown top-level key: expected groups, got "a/b~c"' },
    ]);
  });
});
