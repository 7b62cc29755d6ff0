// Checks a Weaver semantic-convention registry (v1 YAML syntax) without Weaver: ids, types, vocabularies,
// refs. Pure: the caller reads the files. Reports every problem at once, each with a file#/json/pointer path.
import { parseDocument } from 'yaml';

/** One registry file: its path as shown in problems (`registry/knhk/registry.yaml`) and its parsed YAML. */
export interface RegistryFile {
  path: string;
  doc: unknown;
}

/** One problem; `path` is `<file>#<JSON Pointer>`, e.g. `registry/knhk/spans.yaml#/groups/0/attributes/2/ref`. */
export interface Problem {
  path: string;
  message: string;
}

/** The manifest Weaver looks for at the registry root. */
export const MANIFEST_NAME = 'registry_manifest.yaml';

export const GROUP_TYPES = [
  'attribute_group',
  'span',
  'event',
  'metric',
  'metric_group',
  'resource',
  'entity',
  'scope',
] as const;
export const STABILITY_LEVELS = ['stable', 'development', 'alpha', 'beta', 'release_candidate'] as const;
export const REQUIREMENT_LEVELS = ['required', 'recommended', 'opt_in'] as const;
export const SIMPLE_TYPES = [
  'string',
  'int',
  'double',
  'boolean',
  'string[]',
  'int[]',
  'double[]',
  'boolean[]',
] as const;
export const INSTRUMENTS = ['counter', 'histogram', 'gauge', 'updowncounter'] as const;
export const SPAN_KINDS = ['client', 'server', 'producer', 'consumer', 'internal'] as const;

/** semver.org's regular expression (2.0.0), anchored. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** Attribute and metric names: lower-case dot-separated snake_case segments (`knhk.operation.call_mode`). */
const NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
/** Group ids and enum member ids may also use `-`, as some upstream ids do. */
const ID = /^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;

const GROUP_KEYS = new Set([
  'id',
  'type',
  'brief',
  'note',
  'prefix',
  'extends',
  'stability',
  'deprecated',
  'display_name',
  'attributes',
  'span_kind',
  'events',
  'metric_name',
  'instrument',
  'unit',
  'name',
  'body',
  'annotations',
  'entity_associations',
  'metric_requirement_level',
]);
const ATTRIBUTE_KEYS = new Set([
  'id',
  'ref',
  'type',
  'brief',
  'note',
  'examples',
  'stability',
  'deprecated',
  'requirement_level',
  'sampling_relevant',
  'tag',
  'annotations',
  'role',
]);
const MEMBER_KEYS = new Set(['id', 'value', 'brief', 'note', 'stability', 'deprecated', 'annotations']);
const MANIFEST_KEYS = new Set([
  'name',
  'description',
  'semconv_version',
  'schema_base_url',
  'dependencies',
  'stability',
]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function oneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** RFC 6901 escaping of one pointer token. */
function token(part: string | number): string {
  return String(part).replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointer(file: string, parts: readonly (string | number)[]): string {
  return `${file}#${parts.map((p) => `/${token(p)}`).join('')}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function basename(path: string): string {
  return path.split('/').pop() ?? path;
}

/**
 * Parses YAML texts into registry files, turning syntax errors into problems (the file is then left out).
 * @param texts each file's path and contents
 */
export function parseRegistryFiles(texts: readonly { path: string; text: string }[]): {
  files: RegistryFile[];
  problems: Problem[];
} {
  const files: RegistryFile[] = [];
  const problems: Problem[] = [];
  for (const { path, text } of texts) {
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const error of doc.errors)
        problems.push({ path: `${path}#`, message: `YAML syntax: ${error.message.split('\n')[0] ?? ''}` });
      continue;
    }
    files.push({ path, doc: doc.toJS() as unknown });
  }
  return { files, problems };
}

interface AttributeDef {
  at: string;
  type: unknown;
}

/**
 * Checks a whole registry: the manifest and every semantic-convention file.
 * Rules: group and attribute ids unique, types valid (simple, template[simple] or an enum whose member
 * values share one type), requirement levels and stability levels from the allowed vocabularies, every
 * `ref` and `extends` resolves, spans have a span kind, metrics a metric_name, instrument and unit,
 * examples match the attribute's type, and the manifest's semconv_version is semver.
 * @param files every YAML file under the registry folder (schemas/ excluded), parsed
 * @returns every problem found, in file order; empty when the registry is valid
 */
export function checkRegistry(files: readonly RegistryFile[]): Problem[] {
  const problems: Problem[] = [];
  const add = (file: string, parts: readonly (string | number)[], message: string) =>
    problems.push({ path: pointer(file, parts), message });

  const manifests = files.filter((f) => basename(f.path) === MANIFEST_NAME);
  if (manifests.length === 0) {
    problems.push({
      path: `${MANIFEST_NAME}#`,
      message: `missing manifest: expected a ${MANIFEST_NAME} at the registry root, got none`,
    });
  }
  for (const manifest of manifests) checkManifest(manifest, add);

  // First pass: collect definitions so refs and extends can point forwards and across files.
  const groupIds = new Map<string, string>();
  const attributes = new Map<string, AttributeDef>();
  const metricNames = new Map<string, string>();
  for (const file of files) {
    if (basename(file.path) === MANIFEST_NAME) continue;
    const groups = isObject(file.doc) && Array.isArray(file.doc.groups) ? file.doc.groups : [];
    groups.forEach((group, g) => {
      if (!isObject(group)) return;
      if (isNonEmptyString(group.id)) {
        const first = groupIds.get(group.id);
        if (first)
          add(
            file.path,
            ['groups', g, 'id'],
            `duplicate group id: expected unique, got ${show(group.id)} (first at ${first})`,
          );
        else groupIds.set(group.id, pointer(file.path, ['groups', g]));
      }
      if (group.type === 'metric' && isNonEmptyString(group.metric_name)) {
        const first = metricNames.get(group.metric_name);
        if (first)
          add(
            file.path,
            ['groups', g, 'metric_name'],
            `duplicate metric_name: expected unique, got ${show(group.metric_name)} (first at ${first})`,
          );
        else metricNames.set(group.metric_name, pointer(file.path, ['groups', g]));
      }
      const attrs = Array.isArray(group.attributes) ? group.attributes : [];
      attrs.forEach((attr, a) => {
        if (!isObject(attr) || attr.ref !== undefined || !isNonEmptyString(attr.id)) return;
        const first = attributes.get(attr.id);
        const at = pointer(file.path, ['groups', g, 'attributes', a]);
        if (first)
          add(
            file.path,
            ['groups', g, 'attributes', a, 'id'],
            `duplicate attribute id: expected unique, got ${show(attr.id)} (first at ${first.at})`,
          );
        else attributes.set(attr.id, { at, type: attr.type });
      });
    });
  }

  // Second pass: every group and attribute.
  for (const file of files) {
    if (basename(file.path) === MANIFEST_NAME) continue;
    if (!isObject(file.doc)) {
      add(
        file.path,
        [],
        `not a semantic-convention file: expected a mapping with groups, got ${show(file.doc)}`,
      );
      continue;
    }
    for (const key of Object.keys(file.doc)) {
      if (key !== 'groups' && key !== 'imports')
        add(file.path, [key], `unknown top-level key: expected groups, got ${show(key)}`);
    }
    if (!Array.isArray(file.doc.groups)) {
      add(file.path, ['groups'], `groups missing: expected a list of groups, got ${show(file.doc.groups)}`);
      continue;
    }
    file.doc.groups.forEach((group, g) =>
      checkGroup(file.path, ['groups', g], group, { groupIds, attributes }, add),
    );
  }
  return problems;
}

type Add = (file: string, parts: readonly (string | number)[], message: string) => void;

function checkManifest(file: RegistryFile, add: Add): void {
  const m = file.doc;
  if (!isObject(m)) {
    add(
      file.path,
      [],
      `manifest is not a mapping: expected name, semconv_version, schema_base_url, got ${show(m)}`,
    );
    return;
  }
  for (const key of Object.keys(m)) {
    if (!MANIFEST_KEYS.has(key))
      add(
        file.path,
        [key],
        `unknown manifest key: expected one of ${[...MANIFEST_KEYS].join(', ')}, got ${show(key)}`,
      );
  }
  if (!isNonEmptyString(m.name))
    add(file.path, ['name'], `name missing: expected a registry name, got ${show(m.name)}`);
  if (!isNonEmptyString(m.description))
    add(file.path, ['description'], `description missing: expected a sentence, got ${show(m.description)}`);
  if (typeof m.semconv_version !== 'string' || !SEMVER.test(m.semconv_version)) {
    add(
      file.path,
      ['semconv_version'],
      `semconv_version is not semver: expected x.y.z, got ${show(m.semconv_version)}`,
    );
  }
  if (typeof m.schema_base_url !== 'string' || !/^https?:\/\/[^\s/]+\/\S*$/.test(m.schema_base_url)) {
    add(
      file.path,
      ['schema_base_url'],
      `schema_base_url is not a URL: expected https://host/path/, got ${show(m.schema_base_url)}`,
    );
  }
  if (m.dependencies !== undefined) {
    if (!Array.isArray(m.dependencies)) {
      add(file.path, ['dependencies'], `dependencies: expected a list, got ${show(m.dependencies)}`);
    } else {
      m.dependencies.forEach((dep, i) => {
        if (!isObject(dep) || !isNonEmptyString(dep.name) || !isNonEmptyString(dep.registry_path)) {
          add(file.path, ['dependencies', i], `dependency: expected {name, registry_path}, got ${show(dep)}`);
        }
      });
    }
  }
}

interface Known {
  groupIds: Map<string, string>;
  attributes: Map<string, AttributeDef>;
}

function checkGroup(file: string, at: (string | number)[], group: unknown, known: Known, add: Add): void {
  if (!isObject(group)) {
    add(file, at, `group: expected a mapping, got ${show(group)}`);
    return;
  }
  for (const key of Object.keys(group)) {
    if (!GROUP_KEYS.has(key))
      add(file, [...at, key], `unknown group key: expected a Weaver group field, got ${show(key)}`);
  }
  if (!isNonEmptyString(group.id) || !ID.test(group.id)) {
    add(
      file,
      [...at, 'id'],
      `group id: expected lower-case dotted id such as span.knhk.operation, got ${show(group.id)}`,
    );
  }
  if (!oneOf(GROUP_TYPES, group.type)) {
    add(
      file,
      [...at, 'type'],
      `group type: expected one of ${GROUP_TYPES.join(', ')}, got ${show(group.type)}`,
    );
  }
  if (!isNonEmptyString(group.brief))
    add(file, [...at, 'brief'], `brief missing: expected a sentence, got ${show(group.brief)}`);
  const stabilityRequired = group.type !== 'attribute_group';
  if (group.stability !== undefined || stabilityRequired) {
    if (!oneOf(STABILITY_LEVELS, group.stability)) {
      add(
        file,
        [...at, 'stability'],
        `stability: expected one of ${STABILITY_LEVELS.join(', ')}, got ${show(group.stability)}`,
      );
    }
  }
  if (
    group.extends !== undefined &&
    (!isNonEmptyString(group.extends) || !known.groupIds.has(group.extends))
  ) {
    add(
      file,
      [...at, 'extends'],
      `extends does not resolve: expected the id of a group in the registry, got ${show(group.extends)}`,
    );
  }

  if (group.type === 'span' && !oneOf(SPAN_KINDS, group.span_kind)) {
    add(
      file,
      [...at, 'span_kind'],
      `span_kind: expected one of ${SPAN_KINDS.join(', ')}, got ${show(group.span_kind)}`,
    );
  }
  if (group.type === 'metric') {
    if (!isNonEmptyString(group.metric_name) || !NAME.test(group.metric_name)) {
      add(
        file,
        [...at, 'metric_name'],
        `metric_name: expected a dotted lower-case name such as knhk.operation.duration, got ${show(group.metric_name)}`,
      );
    }
    if (!oneOf(INSTRUMENTS, group.instrument)) {
      add(
        file,
        [...at, 'instrument'],
        `instrument: expected one of ${INSTRUMENTS.join(', ')}, got ${show(group.instrument)}`,
      );
    }
    if (typeof group.unit !== 'string') {
      add(
        file,
        [...at, 'unit'],
        `unit missing: expected a UCUM unit such as "s" or "{tick}", got ${show(group.unit)}`,
      );
    }
  }
  if (group.type === 'event' && !isNonEmptyString(group.name)) {
    add(file, [...at, 'name'], `event name missing: expected a dotted name, got ${show(group.name)}`);
  }

  if (group.attributes === undefined) return;
  if (!Array.isArray(group.attributes)) {
    add(file, [...at, 'attributes'], `attributes: expected a list, got ${show(group.attributes)}`);
    return;
  }
  const seen = new Map<string, number>();
  group.attributes.forEach((attr, a) => {
    const attrAt = [...at, 'attributes', a];
    checkAttribute(file, attrAt, attr, known, add);
    const name = isObject(attr) ? (attr.ref ?? attr.id) : undefined;
    if (typeof name === 'string') {
      const first = seen.get(name);
      if (first !== undefined)
        add(
          file,
          attrAt,
          `attribute listed twice in this group: expected once, got ${show(name)} again (first at index ${first})`,
        );
      else seen.set(name, a);
    }
  });
}

function checkAttribute(file: string, at: (string | number)[], attr: unknown, known: Known, add: Add): void {
  if (!isObject(attr)) {
    add(file, at, `attribute: expected a mapping with id or ref, got ${show(attr)}`);
    return;
  }
  for (const key of Object.keys(attr)) {
    if (!ATTRIBUTE_KEYS.has(key))
      add(file, [...at, key], `unknown attribute key: expected a Weaver attribute field, got ${show(key)}`);
  }
  if (attr.requirement_level !== undefined)
    checkRequirementLevel(file, [...at, 'requirement_level'], attr.requirement_level, add);

  if (attr.ref !== undefined) {
    if (!isNonEmptyString(attr.ref) || !known.attributes.has(attr.ref)) {
      add(
        file,
        [...at, 'ref'],
        `ref does not resolve: expected the id of an attribute defined in the registry, got ${show(attr.ref)}`,
      );
    }
    for (const key of ['id', 'type', 'stability', 'deprecated'] as const) {
      if (attr[key] !== undefined)
        add(
          file,
          [...at, key],
          `${key} beside ref: expected ${key} only on the attribute's definition, got ${show(attr[key])}`,
        );
    }
    const def = isNonEmptyString(attr.ref) ? known.attributes.get(attr.ref) : undefined;
    if (def && attr.examples !== undefined)
      checkExamples(file, [...at, 'examples'], def.type, attr.examples, add);
    return;
  }

  if (!isNonEmptyString(attr.id) || !NAME.test(attr.id)) {
    add(
      file,
      [...at, 'id'],
      `attribute id: expected a dotted lower-case name such as knhk.operation.name, got ${show(attr.id)}`,
    );
  }
  if (!isNonEmptyString(attr.brief))
    add(file, [...at, 'brief'], `brief missing: expected a sentence, got ${show(attr.brief)}`);
  if (!oneOf(STABILITY_LEVELS, attr.stability)) {
    add(
      file,
      [...at, 'stability'],
      `stability: expected one of ${STABILITY_LEVELS.join(', ')}, got ${show(attr.stability)}`,
    );
  }
  checkType(file, [...at, 'type'], attr.type, attr.stability, add);
  const simple = typeof attr.type === 'string' ? simpleTypeOf(attr.type) : null;
  if (attr.examples !== undefined) checkExamples(file, [...at, 'examples'], attr.type, attr.examples, add);
  else if (simple === 'string' || simple === 'string[]') {
    add(file, [...at, 'examples'], `examples missing: expected examples for a ${simple} attribute, got none`);
  }
}

function checkRequirementLevel(file: string, at: (string | number)[], level: unknown, add: Add): void {
  if (oneOf(REQUIREMENT_LEVELS, level)) return;
  if (isObject(level)) {
    const keys = Object.keys(level);
    const key = keys[0];
    if (
      keys.length === 1 &&
      (key === 'conditionally_required' || key === 'recommended') &&
      isNonEmptyString(level[key])
    )
      return;
  }
  add(
    file,
    at,
    `requirement_level: expected required, recommended, opt_in, {conditionally_required: <condition>} or {recommended: <condition>}, got ${show(level)}`,
  );
}

/** The simple type behind a type string (`template[int]` → `int`), or null when it is not one. */
function simpleTypeOf(type: string): (typeof SIMPLE_TYPES)[number] | null {
  const inner = /^template\[(.+)\]$/.exec(type)?.[1] ?? type;
  return oneOf(SIMPLE_TYPES, inner) ? inner : null;
}

function kindOf(value: unknown): 'string' | 'int' | 'double' | 'boolean' | 'other' {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  return 'other';
}

function checkType(file: string, at: (string | number)[], type: unknown, stability: unknown, add: Add): void {
  if (typeof type === 'string') {
    if (!simpleTypeOf(type)) {
      add(
        file,
        at,
        `type: expected one of ${SIMPLE_TYPES.join(', ')}, template[<type>] or an enum {members: [...]}, got ${show(type)}`,
      );
    }
    return;
  }
  if (!isObject(type) || !Array.isArray(type.members) || type.members.length === 0) {
    add(
      file,
      at,
      `type: expected one of ${SIMPLE_TYPES.join(', ')} or an enum with members, got ${show(type)}`,
    );
    return;
  }
  for (const key of Object.keys(type)) {
    if (key !== 'members' && key !== 'allow_custom_values')
      add(file, [...at, key], `unknown enum key: expected members, got ${show(key)}`);
  }
  // An enum's value type is that of its first member; every other member must match it.
  const firstValue = isObject(type.members[0]) ? type.members[0].value : undefined;
  const declared = kindOf(firstValue);
  const ids = new Set<string>();
  const values = new Set<unknown>();
  type.members.forEach((member, i) => {
    const mAt = [...at, 'members', i];
    if (!isObject(member)) {
      add(file, mAt, `enum member: expected {id, value, stability}, got ${show(member)}`);
      return;
    }
    for (const key of Object.keys(member)) {
      if (!MEMBER_KEYS.has(key))
        add(
          file,
          [...mAt, key],
          `unknown enum member key: expected id, value, brief, note, stability, deprecated, got ${show(key)}`,
        );
    }
    if (!isNonEmptyString(member.id) || !ID.test(member.id)) {
      add(
        file,
        [...mAt, 'id'],
        `enum member id: expected lower-case snake_case such as ask_sp, got ${show(member.id)}`,
      );
    } else if (ids.has(member.id)) {
      add(file, [...mAt, 'id'], `duplicate enum member id: expected unique, got ${show(member.id)}`);
    } else {
      ids.add(member.id);
    }
    const kind = kindOf(member.value);
    if (kind === 'other' || kind === 'double') {
      add(
        file,
        [...mAt, 'value'],
        `enum value: expected a string, int or boolean, got ${show(member.value)}`,
      );
    } else if (kind !== declared) {
      add(
        file,
        [...mAt, 'value'],
        `enum value type: expected ${declared} like the first member, got ${kind} ${show(member.value)}`,
      );
    } else if (values.has(member.value)) {
      add(file, [...mAt, 'value'], `duplicate enum value: expected unique, got ${show(member.value)}`);
    } else {
      values.add(member.value);
    }
    if (!oneOf(STABILITY_LEVELS, member.stability)) {
      add(
        file,
        [...mAt, 'stability'],
        `stability: expected one of ${STABILITY_LEVELS.join(', ')}, got ${show(member.stability)}`,
      );
    } else if (member.stability === 'stable' && stability !== 'stable') {
      add(
        file,
        [...mAt, 'stability'],
        `stable member of a non-stable attribute: expected at most ${show(stability)}, got "stable"`,
      );
    }
  });
}

function checkExamples(
  file: string,
  at: (string | number)[],
  type: unknown,
  examples: unknown,
  add: Add,
): void {
  const simple = typeof type === 'string' ? simpleTypeOf(type) : null;
  if (!simple) return; // enum or invalid type (reported on its own): examples are free text
  const isArrayType = simple.endsWith('[]');
  const element = (isArrayType ? simple.slice(0, -2) : simple) as 'string' | 'int' | 'double' | 'boolean';
  const fits = (v: unknown) => kindOf(v) === element || (element === 'double' && kindOf(v) === 'int');
  // A single example may stand alone; several are a list. For array types each example is itself a list.
  const list: unknown[] = isArrayType
    ? Array.isArray(examples) && examples.every(Array.isArray)
      ? examples
      : [examples]
    : Array.isArray(examples)
      ? examples
      : [examples];
  list.forEach((example, i) => {
    const ok = isArrayType ? Array.isArray(example) && example.every(fits) : fits(example);
    if (!ok)
      add(
        file,
        Array.isArray(examples) ? [...at, i] : at,
        `example does not match type ${simple}: got ${show(example)}`,
      );
  });
}
