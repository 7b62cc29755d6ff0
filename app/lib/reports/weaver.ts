// Reads `weaver registry live-check --format json` output (Weaver 0.15 to current), as one report
// document or as the streamed form, into a summary whose verdict comes from the samples alone.
// Pure (no Node or DOM APIs): the site and the CLIs both import it. Never throws on user data.
import { pointerJoin, type Problem } from './problem.ts';
import type { Verdict } from './types.ts';

export type WeaverLevel = 'violation' | 'improvement' | 'information';
export type WeaverVersionFamily = '0.15-0.18' | '0.19' | '0.20-0.23' | '0.24+' | 'unknown';

/** Finding levels, most severe first. */
export const WEAVER_LEVELS: readonly WeaverLevel[] = ['violation', 'improvement', 'information'];

/** The sample types (keys of a sample object) this reader knows. */
export const WEAVER_SAMPLE_TYPES = [
  'attribute',
  'span',
  'span_event',
  'span_link',
  'resource',
  'metric',
  'log',
] as const;

export interface WeaverFinding {
  id: string;
  level: WeaverLevel;
  message: string;
  signal_type: string | null;
  signal_name: string | null;
  /** The attribute the finding is about: from its context, else the attribute entity carrying it. */
  attribute: string | null;
  /** JSON Pointer of the entity carrying the finding in the equivalent report document
   *  (`/samples/3/span/attributes/1`), for both forms: in a stream, sample N is the N-th sample. */
  entity_path: string;
}

export interface WeaverSummary {
  form: 'document' | 'stream';
  version_family: WeaverVersionFamily;
  /** Findings per level, 0 when none. */
  counts: Record<WeaverLevel, number>;
  findings: WeaverFinding[];
  /** Recounted from the samples: every sample's top entity and every nested entity is one. */
  entities: { total: number; by_type: Record<string, number> };
  /** Registry items the statistics list with count 0 (never seen), sorted; empty without statistics. */
  unseen_registry: { attributes: string[]; metrics: string[]; events: string[] };
  /** `registry_coverage` (0..1), null when there are no statistics. */
  coverage: number | null;
  has_statistics: boolean;
  /** From the samples, never the statistics: any violation → fail; 0 entities → no-evidence; else pass. */
  verdict: Verdict;
}

export interface WeaverReadResult {
  /** True when there is no problem. */
  valid: boolean;
  /** Every problem; paths are JSON Pointers into the document, or, in the stream form, start with the
   *  index of the JSON document in the stream (`/3/span/name`). `''` is the whole text. */
  problems: Problem[];
  /** Null when the text is not JSON or is neither form; otherwise read from what could be read. */
  summary: WeaverSummary | null;
}

/** One complete JSON value found by {@link splitJsonValues}: `text.slice(start, end)`. */
export interface JsonSpan {
  start: number;
  end: number;
}

/** A syntax problem: where it is (UTF-16 index into the text, and as byte/line/column) and what. */
export interface JsonSyntaxFault {
  offset: number;
  byte: number;
  line: number;
  column: number;
  message: string;
}

type Family = Exclude<WeaverVersionFamily, 'unknown'>;
type JsonObject = Record<string, unknown>;

/** Where an entity is: the pointer used in problems, and the one used in findings' entity_path. */
interface Where {
  problem: string;
  finding: string;
}

/** Nested entity arrays per entity type: [key in the entity, type of each element]. Exemplars
 *  (with `filtered_attributes`) are not in the brief's list but Weaver counts them as entities. */
const CHILDREN: Record<string, ReadonlyArray<readonly [string, string]>> = {
  attribute: [],
  span: [
    ['attributes', 'attribute'],
    ['span_events', 'span_event'],
    ['span_links', 'span_link'],
  ],
  span_event: [['attributes', 'attribute']],
  span_link: [['attributes', 'attribute']],
  resource: [['attributes', 'attribute']],
  metric: [['data_points', 'data_point']],
  data_point: [
    ['attributes', 'attribute'],
    ['exemplars', 'exemplar'],
  ],
  exemplar: [['filtered_attributes', 'attribute']],
  log: [['attributes', 'attribute']],
};
/** Newer sample types this reader does not know are read generically: own findings and attributes. */
const UNKNOWN_CHILDREN: ReadonlyArray<readonly [string, string]> = [['attributes', 'attribute']];
/** Entity types Weaver always names; a missing name means the entity is not what it claims. */
const NAMED_TYPES = new Set(['attribute', 'span', 'span_event', 'metric']);
/** Keys that mark a statistics object (in a stream it is recognised by its keys). */
const STATISTICS_MARKERS = ['total_entities', 'total_advisories', 'advice_level_counts'];
const KNOWN_TYPES_TEXT = WEAVER_SAMPLE_TYPES.join(', ');

/** Reads Weaver live-check JSON output, either form, and judges it from its samples.
 *  @param text the whole output: one report document (`--output DIR`, `--no-stream`, `--output http`)
 *    or the streamed stdout (JSON documents one after another, one per sample, statistics last).
 *  @returns `valid` with no problems, or every problem found; `summary` is null only when the text is
 *    not JSON or is neither form. Statistics that disagree with the samples make the result invalid,
 *    but the summary and verdict still come from the samples. Never throws. */
export function readWeaverLiveCheck(text: string): WeaverReadResult {
  if (typeof text !== 'string')
    return refuse([{ path: '', message: `expected text, got ${describe(text)}` }]);
  const { values, fault } = parseAll(text);
  const first = values[0];
  if (first === undefined) {
    return refuse([
      fault
        ? { path: '', message: `not JSON ${faultText(fault)}` }
        : { path: '', message: 'empty input: expected a Weaver live-check report' },
    ]);
  }
  if (isRecord(first.value) && 'samples' in first.value)
    return readDocument(text, first.value, values.slice(1), fault);
  if (values.some((v) => isStatisticsObject(v.value) || isSampleLike(v.value))) {
    return readStream(
      values.map((v) => v.value),
      fault,
    );
  }
  const problems: Problem[] = [
    {
      path: '',
      message:
        'not a Weaver live-check report: expected {"samples": [...], "statistics": ...} or a stream of ' +
        `sample documents (each with one of ${KNOWN_TYPES_TEXT}) ending with the statistics`,
    },
  ];
  if (fault) problems.push({ path: '', message: `not JSON ${faultText(fault)}` });
  return refuse(problems);
}

/** Shape sniffing for auto-detection of one parsed JSON document: a live-check report document
 *  (`samples` array, `statistics` object/null/absent, and no `schema` key, which our own reports
 *  carry), or a single document of the streamed form (one sample, or the statistics). */
export function isWeaverLiveCheck(value: unknown): boolean {
  if (!isRecord(value) || 'schema' in value) return false;
  if ('samples' in value) {
    const stats = value.statistics;
    return Array.isArray(value.samples) && (stats === undefined || stats === null || isRecord(stats));
  }
  if (isStatisticsObject(value)) return true;
  const keys = Object.keys(value);
  return keys.length === 1 && isKnownSampleType(keys[0]) && isRecord(value[keys[0] as string]);
}

/** Splits concatenated JSON documents (objects or arrays, separated only by whitespace, any number per
 *  line or spread over many lines) by tracking strings, escapes and bracket nesting. It does not
 *  validate the inside of a document (JSON.parse does that); it stops at the first structural fault.
 *  @returns the complete documents in order and the fault that stopped the scan, or null. */
export function splitJsonValues(text: string): { spans: JsonSpan[]; fault: JsonSyntaxFault | null } {
  const spans: JsonSpan[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte order mark may open the text
  for (;;) {
    while (i < n && isJsonWhitespace(text.charCodeAt(i))) i++;
    if (i >= n) return { spans, fault: null };
    const start = i;
    const opener = text[i];
    if (opener !== '{' && opener !== '[') {
      return {
        spans,
        fault: locate(text, i, `expected "{" or "[" to start a JSON document, got ${showChar(text, i)}`),
      };
    }
    const closers: string[] = [];
    let inString = false;
    let stringStart = -1;
    let closed = false;
    for (; i < n; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') {
        inString = true;
        stringStart = i;
      } else if (ch === '{') closers.push('}');
      else if (ch === '[') closers.push(']');
      else if (ch === '}' || ch === ']') {
        const want = closers.pop();
        if (want !== ch) {
          return { spans, fault: locate(text, i, `expected "${want ?? ''}", got "${ch}"`) };
        }
        if (closers.length === 0) {
          i++;
          closed = true;
          break;
        }
      }
    }
    if (!closed) {
      const from = locate(text, inString ? stringStart : start, '');
      const what = inString ? 'a string' : 'a JSON document';
      return {
        spans,
        fault: locate(
          text,
          n,
          `the text ends inside ${what} that starts at byte ${from.byte} (line ${from.line})`,
        ),
      };
    }
    spans.push({ start, end: i });
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface ParsedValue {
  value: unknown;
  start: number;
}

/** Splits and parses every document; stops at the first fault, keeping the documents before it. */
function parseAll(text: string): { values: ParsedValue[]; fault: JsonSyntaxFault | null } {
  const { spans, fault } = splitJsonValues(text);
  const values: ParsedValue[] = [];
  for (const span of spans) {
    try {
      values.push({ value: JSON.parse(text.slice(span.start, span.end)), start: span.start });
    } catch (error) {
      // JSON.parse's message is engine-specific; keep it as detail and locate it when it says where.
      const detail = error instanceof Error ? error.message : String(error);
      const at = /at position (\d+)/.exec(detail);
      const offset = span.start + (at?.[1] ? Number(at[1]) : 0);
      const reason = detail.replace(/\s*(in JSON )?at position \d+.*$/s, '') || 'invalid JSON';
      return { values, fault: locate(text, Math.min(offset, text.length), reason) };
    }
  }
  return { values, fault };
}

function locate(text: string, offset: number, message: string): JsonSyntaxFault {
  let line = 1;
  let lineStart = 0;
  let byte = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    // UTF-8 length of UTF-16 unit: a surrogate pair is 4 bytes, 2 per unit.
    byte += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return { offset, byte, line, column: offset - lineStart + 1, message };
}

function faultText(fault: JsonSyntaxFault): string {
  return `${whereText(fault)}: ${fault.message}`;
}

function whereText(fault: JsonSyntaxFault): string {
  return `at byte ${fault.byte} (line ${fault.line}, column ${fault.column})`;
}

function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function showChar(text: string, i: number): string {
  return JSON.stringify(text.slice(i, i + 1));
}

// ---------------------------------------------------------------------------------------------
// The two forms

function readDocument(
  text: string,
  doc: JsonObject,
  extra: ParsedValue[],
  fault: JsonSyntaxFault | null,
): WeaverReadResult {
  const r = new Reader();
  for (const value of extra) {
    const where = whereText(locate(text, value.start, ''));
    r.problem('', `expected one report document, but another JSON document starts ${where}`);
  }
  if (fault) r.problem('', `not JSON after the report ${faultText(fault)}`);
  const samples = doc.samples;
  if (Array.isArray(samples)) {
    samples.forEach((sample, i) => {
      const at = pointerJoin('/samples', i);
      r.readSample(sample, { problem: at, finding: at });
    });
  } else {
    r.problem('/samples', `expected an array of samples, got ${describe(samples)}`);
  }
  let stats: JsonObject | null = null;
  if (isRecord(doc.statistics)) stats = doc.statistics;
  else if (doc.statistics !== null && doc.statistics !== undefined) {
    r.problem('/statistics', `expected an object, or null (--no-stats), got ${describe(doc.statistics)}`);
  }
  if (stats) r.readStatistics(stats, '/statistics');
  return r.finish('document', stats);
}

function readStream(values: unknown[], fault: JsonSyntaxFault | null): WeaverReadResult {
  const r = new Reader();
  let stats: JsonObject | null = null;
  let statsIndex = -1;
  let sampleIndex = 0;
  for (const [d, value] of values.entries()) {
    if (isStatisticsObject(value)) {
      if (stats)
        r.problem(pointerJoin('', statsIndex), 'more than one statistics document: only the last is read');
      stats = value;
      statsIndex = d;
      continue;
    }
    r.readSample(value, { problem: pointerJoin('', d), finding: pointerJoin('/samples', sampleIndex) });
    sampleIndex++;
  }
  if (stats && statsIndex !== values.length - 1) {
    const after = values.length - 1 - statsIndex;
    r.problem(
      pointerJoin('', statsIndex),
      `the statistics must be the last document, but ${after} more follow it`,
    );
  }
  if (fault) r.problem(pointerJoin('', values.length), `not JSON ${faultText(fault)}`);
  if (stats) r.readStatistics(stats, pointerJoin('', statsIndex));
  return r.finish('stream', stats);
}

// ---------------------------------------------------------------------------------------------
// Samples, entities, findings, statistics

class Reader {
  readonly problems: Problem[] = [];
  readonly findings: WeaverFinding[] = [];
  readonly counts: Record<WeaverLevel, number> = { violation: 0, improvement: 0, information: 0 };
  readonly byType = new Map<string, number>();
  total = 0;
  /** Entries of every all_advice array, well-formed or not: what Weaver's total_advisories counts. */
  adviceEntries = 0;
  /** Families consistent with the evidence so far; null while nothing tells. */
  families: Set<Family> | null = null;

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Narrows the version family to those consistent with one piece of evidence. */
  evidence(families: readonly Family[]): void {
    const next = new Set(families);
    this.families = this.families ? new Set([...this.families].filter((f) => next.has(f))) : next;
  }

  readSample(sample: unknown, at: Where): void {
    if (!isRecord(sample)) {
      this.problem(
        at.problem,
        `expected a sample object with one of ${KNOWN_TYPES_TEXT}, got ${describe(sample)}`,
      );
      return;
    }
    const keys = Object.keys(sample);
    if (keys.length !== 1) {
      const got = keys.length === 0 ? 'none' : `${keys.length} (${keys.join(', ')})`;
      this.problem(at.problem, `a sample holds exactly one of ${KNOWN_TYPES_TEXT}; got ${got}`);
    }
    for (const key of keys) {
      const child = childOf(at, key);
      if (!isKnownSampleType(key)) {
        this.problem(
          child.problem,
          `unknown sample type "${key}" (this reader knows ${KNOWN_TYPES_TEXT}): counted, and only its own ` +
            'findings and attributes are read',
        );
      }
      this.readEntity(sample[key], key, child);
    }
  }

  readEntity(value: unknown, type: string, at: Where): void {
    if (!isRecord(value)) {
      this.problem(at.problem, `expected a ${type} object, got ${describe(value)}`);
      return;
    }
    this.total++;
    this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
    let attributeName: string | null = null;
    if (NAMED_TYPES.has(type)) {
      if (typeof value.name === 'string') attributeName = type === 'attribute' ? value.name : null;
      else
        this.problem(
          pointerJoin(at.problem, 'name'),
          `expected the ${type}'s name as a string, got ${describe(value.name)}`,
        );
    }
    this.readResult(value.live_check_result, at, attributeName);
    for (const [key, childType] of CHILDREN[type] ?? UNKNOWN_CHILDREN) {
      const list = value[key];
      if (list === undefined || list === null) continue;
      const listAt = childOf(at, key);
      if (!Array.isArray(list)) {
        this.problem(listAt.problem, `expected an array of ${childType} entities, got ${describe(list)}`);
        continue;
      }
      list.forEach((item, i) => this.readEntity(item, childType, childOf(listAt, i)));
    }
  }

  readResult(result: unknown, entity: Where, attributeName: string | null): void {
    if (result === undefined || result === null) return;
    const at = pointerJoin(entity.problem, 'live_check_result');
    if (!isRecord(result)) {
      this.problem(at, `expected an object, got ${describe(result)}`);
      return;
    }
    const advice = result.all_advice;
    let highest: WeaverLevel | null = null;
    if (Array.isArray(advice)) {
      this.adviceEntries += advice.length;
      advice.forEach((finding, k) => {
        const level = this.readFinding(
          finding,
          pointerJoin(pointerJoin(at, 'all_advice'), k),
          entity,
          attributeName,
        );
        if (level && (highest === null || rank(level) < rank(highest))) highest = level;
      });
    } else {
      this.problem(pointerJoin(at, 'all_advice'), `expected an array of findings, got ${describe(advice)}`);
    }
    if (!('highest_advice_level' in result)) return;
    const stated = result.highest_advice_level;
    const statedAt = pointerJoin(at, 'highest_advice_level');
    if (stated !== null && !isLevel(stated)) {
      this.problem(statedAt, `expected null or one of ${WEAVER_LEVELS.join(', ')}, got ${describe(stated)}`);
    } else if (stated !== highest) {
      // Weaver derives it from all_advice; a mismatch means findings were lost or altered.
      const found =
        highest === null ? 'no finding has a valid level' : `the highest finding level is "${highest}"`;
      this.problem(statedAt, `says ${JSON.stringify(stated)} but ${found}`);
    }
  }

  /** Reads one finding of any version's shape; returns its level, or null when it has none usable. */
  readFinding(finding: unknown, at: string, entity: Where, attributeName: string | null): WeaverLevel | null {
    if (!isRecord(finding)) {
      this.problem(at, `expected a finding object, got ${describe(finding)}`);
      return null;
    }
    // 0.15-0.19 say advice_type/advice_level; 0.20+ say id/level (type "PolicyFinding").
    const older = 'advice_type' in finding || 'advice_level' in finding;
    const idKey = older ? 'advice_type' : 'id';
    const levelKey = older ? 'advice_level' : 'level';
    const contextKey = older ? 'advice_context' : 'context';
    if (older) {
      const isNineteen = 'advice_context' in finding || 'signal_type' in finding || 'signal_name' in finding;
      this.evidence(isNineteen ? ['0.19'] : ['0.15-0.18']);
    } else {
      const context = finding.context;
      if (context === null || (isRecord(context) && 'attribute_key' in context)) this.evidence(['0.24+']);
      else if (isRecord(context) && 'attribute_name' in context) this.evidence(['0.20-0.23']);
      else this.evidence(['0.20-0.23', '0.24+']);
    }

    const level = finding[levelKey];
    if (!isLevel(level)) {
      const got = level === undefined ? 'it is missing' : `got ${describe(level)}`;
      this.problem(
        pointerJoin(at, levelKey),
        `a finding's level must be one of ${WEAVER_LEVELS.join(', ')}; ${got}`,
      );
      return null;
    }
    const id = finding[idKey];
    if (typeof id !== 'string')
      this.problem(pointerJoin(at, idKey), `expected the finding's id as a string, got ${describe(id)}`);
    const message = finding.message;
    if (typeof message !== 'string') {
      this.problem(
        pointerJoin(at, 'message'),
        `expected the finding's message as a string, got ${describe(message)}`,
      );
    }
    this.counts[level]++;
    this.findings.push({
      id: typeof id === 'string' ? id : '',
      level,
      message: typeof message === 'string' ? message : '',
      signal_type: stringOrNull(finding.signal_type),
      signal_name: stringOrNull(finding.signal_name),
      attribute: contextAttribute(finding[contextKey]) ?? attributeName,
      entity_path: entity.finding,
    });
    return level;
  }

  readStatistics(stats: JsonObject, at: string): void {
    this.evidence(
      !('advice_message_counts' in stats)
        ? ['0.15-0.18']
        : !('seen_registry_events' in stats)
          ? ['0.19']
          : ['0.20-0.23', '0.24+'],
    );
    this.compareCount(stats, 'total_entities', at, this.total, 'entity');
    this.compareCount(stats, 'total_advisories', at, this.adviceEntries, 'finding');

    const byType = stats.total_entities_by_type;
    const byTypeAt = pointerJoin(at, 'total_entities_by_type');
    if (byType === undefined)
      this.problem(byTypeAt, 'missing: the statistics do not say how many entities of each type');
    else if (!isRecord(byType)) this.problem(byTypeAt, `expected an object, got ${describe(byType)}`);
    else {
      const types = new Set([...Object.keys(byType), ...this.byType.keys()]);
      for (const type of [...types].sort()) {
        this.compareCount(byType, type, byTypeAt, this.byType.get(type) ?? 0, `${type} entity`, true);
      }
    }

    const levels = stats.advice_level_counts;
    const levelsAt = pointerJoin(at, 'advice_level_counts');
    if (levels === undefined)
      this.problem(levelsAt, 'missing: the statistics do not count findings per level');
    else if (!isRecord(levels)) this.problem(levelsAt, `expected an object, got ${describe(levels)}`);
    else {
      for (const key of Object.keys(levels)) {
        if (!isLevel(key))
          this.problem(
            pointerJoin(levelsAt, key),
            `unknown level: expected one of ${WEAVER_LEVELS.join(', ')}`,
          );
      }
      for (const level of WEAVER_LEVELS) {
        this.compareCount(levels, level, levelsAt, this.counts[level], `${level} finding`, true);
      }
    }

    const coverage = stats.registry_coverage;
    if (coverage !== undefined && !(typeof coverage === 'number' && coverage >= 0 && coverage <= 1)) {
      this.problem(
        pointerJoin(at, 'registry_coverage'),
        `expected a number from 0 to 1, got ${describe(coverage)}`,
      );
    }
    for (const key of ['seen_registry_attributes', 'seen_registry_metrics', 'seen_registry_events']) {
      const seen = stats[key];
      if (seen === undefined) continue;
      if (!isRecord(seen))
        this.problem(pointerJoin(at, key), `expected an object of name → count, got ${describe(seen)}`);
      else {
        for (const [name, count] of Object.entries(seen)) {
          if (typeof count !== 'number') {
            this.problem(pointerJoin(pointerJoin(at, key), name), `expected a count, got ${describe(count)}`);
          }
        }
      }
    }
  }

  /** Compares one count of the statistics with the recount; `absentIsZero` for the count maps, where
   *  Weaver leaves out what never occurred. `noun` is singular ("span entity"). */
  compareCount(
    holder: JsonObject,
    key: string,
    at: string,
    recount: number,
    noun: string,
    absentIsZero = false,
  ): void {
    const stated = holder[key];
    const path = pointerJoin(at, key);
    if (stated === undefined && !absentIsZero) {
      this.problem(path, `missing: the statistics do not say how many ${plural(noun, 2)} there are`);
      return;
    }
    if (stated !== undefined && typeof stated !== 'number') {
      this.problem(path, `expected a count, got ${describe(stated)}`);
      return;
    }
    const count = stated ?? 0;
    if (count !== recount)
      this.problem(path, `statistics say ${count} ${plural(noun, count)}, the samples hold ${recount}`);
  }

  finish(form: WeaverSummary['form'], stats: JsonObject | null): WeaverReadResult {
    const family: WeaverVersionFamily =
      this.families && this.families.size === 1 ? ([...this.families][0] ?? 'unknown') : 'unknown';
    const coverage = stats?.registry_coverage;
    const summary: WeaverSummary = {
      form,
      version_family: family,
      counts: { ...this.counts },
      findings: this.findings,
      entities: { total: this.total, by_type: Object.fromEntries(this.byType) },
      unseen_registry: {
        attributes: unseen(stats?.seen_registry_attributes),
        metrics: unseen(stats?.seen_registry_metrics),
        events: unseen(stats?.seen_registry_events),
      },
      coverage: typeof coverage === 'number' && coverage >= 0 && coverage <= 1 ? coverage : null,
      has_statistics: stats !== null,
      verdict: this.counts.violation > 0 ? 'fail' : this.total === 0 ? 'no-evidence' : 'pass',
    };
    return { valid: this.problems.length === 0, problems: this.problems, summary };
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function refuse(problems: Problem[]): WeaverReadResult {
  return { valid: false, problems, summary: null };
}

function childOf(at: Where, token: string | number): Where {
  return { problem: pointerJoin(at.problem, token), finding: pointerJoin(at.finding, token) };
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLevel(value: unknown): value is WeaverLevel {
  return typeof value === 'string' && (WEAVER_LEVELS as readonly string[]).includes(value);
}

function rank(level: WeaverLevel): number {
  return WEAVER_LEVELS.indexOf(level);
}

function isKnownSampleType(key: string | undefined): boolean {
  return key !== undefined && (WEAVER_SAMPLE_TYPES as readonly string[]).includes(key);
}

/** A statistics object is recognised by its keys, and has no sample key. */
function isStatisticsObject(value: unknown): value is JsonObject {
  if (!isRecord(value) || Object.keys(value).some(isKnownSampleType)) return false;
  return 'total_entities' in value || STATISTICS_MARKERS.filter((k) => k in value).length >= 2;
}

/** A stream document that is meant as a sample: an object holding at least one known sample type. */
function isSampleLike(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).some(isKnownSampleType);
}

/** The attribute a finding's context names (`attribute_key` from 0.24, `attribute_name` before). */
function contextAttribute(context: unknown): string | null {
  if (!isRecord(context)) return null;
  if (typeof context.attribute_key === 'string') return context.attribute_key;
  if (typeof context.attribute_name === 'string') return context.attribute_name;
  return null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function unseen(seen: unknown): string[] {
  if (!isRecord(seen)) return [];
  return Object.entries(seen)
    .filter(([, count]) => count === 0)
    .map(([name]) => name)
    .sort();
}

/** "1 span entity", "2 span entities", "0 findings". */
function plural(noun: string, count: number): string {
  if (count === 1) return noun;
  return noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
