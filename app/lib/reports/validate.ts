// Validation of our report kinds: the compiled JSON Schemas (no eval at run time) plus the
// consistency rules a schema cannot say (a stored status must equal the rollup of its evidence).
// Never throws on user data: every problem comes back as {path, message}.
import * as compiled from './generated/validators.js';
import type { CompiledValidator } from './generated/validators.js';
import type { ErrorObject } from 'ajv';
import { pointerJoin, type Problem } from './problem.ts';
import { REPORT_KINDS, type ReportByKind, type ReportKind } from './types.ts';
import { judgeBenchEntry, rollupGate, rollupRun } from '../health/verdict.ts';

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: Problem[] };

const VALIDATORS: Record<ReportKind, CompiledValidator> = {
  run: compiled.validate_run,
  'gate-report': compiled.validate_gate_report,
  'tick-bench': compiled.validate_tick_bench,
  'wasm-bench': compiled.validate_wasm_bench,
  release: compiled.validate_release,
};

/** Human names of the shared patterns, so a message says what was expected rather than a regex. */
const PATTERN_NAMES: Record<string, string> = {
  sha: 'a 40-hex-digit lowercase commit SHA',
  sha256: 'a 64-hex-digit lowercase SHA-256',
  hex64: 'a 16-hex-digit lowercase checksum',
  datetime: 'an RFC 3339 time such as 2026-12-04T16:00:00Z',
  semver: 'a semantic version such as 1.2.3',
  target: 'a target triple such as x86_64-linux-gnu',
  'run:id': 'a run id: gh-<run id>-<attempt>-<target> or local-<host>-<UTC time as 20261204T160000Z>',
  'run:repo': 'OWNER/NAME',
  'run:file': 'a path inside the run folder (no leading /, no . or .. segment)',
  'release:tag': 'a release tag such as v1.2.3',
  'release:name': 'an asset name such as knhk-v1.2.3-x86_64-linux-gnu.tar.gz',
};

/** The report kind a document declares in its `schema` field ("knhk.<kind>/v1"), or null. */
export function detectKind(doc: unknown): ReportKind | null {
  if (!isObject(doc) || typeof doc.schema !== 'string') return null;
  const m = /^knhk\.([a-z-]+)\/v1$/.exec(doc.schema);
  const kind = m?.[1];
  return kind && (REPORT_KINDS as readonly string[]).includes(kind) ? (kind as ReportKind) : null;
}

/** Validates a document of any of our kinds, detected from its `schema` field. */
export function validateReport(
  doc: unknown,
): Validated<ReportByKind[ReportKind]> & { kind: ReportKind | null } {
  const kind = detectKind(doc);
  if (!kind) {
    const got = isObject(doc) ? JSON.stringify(doc.schema ?? null) : describeType(doc);
    return {
      ok: false,
      kind: null,
      issues: [
        {
          path: isObject(doc) ? '/schema' : '',
          message: `expected a report with "schema": "knhk.<kind>/v1" (kinds: ${REPORT_KINDS.join(', ')}), got ${got}`,
        },
      ],
    };
  }
  return { ...validateAs(kind, doc), kind };
}

/** Validates a document as one given kind: schema first, then consistency (only when the shape holds,
 *  so consistency rules can rely on it). */
export function validateAs<K extends ReportKind>(kind: K, doc: unknown): Validated<ReportByKind[K]> {
  const validator = VALIDATORS[kind];
  if (!validator(doc)) {
    return { ok: false, issues: dedupe((validator.errors ?? []).map((e) => toProblem(kind, e, doc))) };
  }
  const issues = CONSISTENCY[kind](doc as never);
  return issues.length ? { ok: false, issues } : { ok: true, value: doc as ReportByKind[K] };
}

function toProblem(kind: ReportKind, e: ErrorObject, doc: unknown): Problem {
  const got = (path: string) => describeValue(valueAt(doc, path));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const path = pointerJoin(e.instancePath, String(p.missingProperty));
      return { path, message: 'missing required property' };
    }
    case 'additionalProperties': {
      const path = pointerJoin(e.instancePath, String(p.additionalProperty));
      return { path, message: 'unknown property: not part of this report kind' };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path: e.instancePath, message: `expected one of ${allowed}, got ${got(e.instancePath)}` };
    }
    case 'const':
      return {
        path: e.instancePath,
        message: `expected ${JSON.stringify(p.allowedValue)}, got ${got(e.instancePath)}`,
      };
    case 'type':
      return {
        path: e.instancePath,
        message: `expected ${String(p.type).replace(',', ' or ')}, got ${got(e.instancePath)}`,
      };
    case 'pattern': {
      const prop = /\/([A-Za-z0-9_]+)\/pattern$/.exec(e.schemaPath)?.[1] ?? '';
      const name =
        PATTERN_NAMES[prop] ?? PATTERN_NAMES[`${kind}:${prop}`] ?? `a string matching ${String(p.pattern)}`;
      return { path: e.instancePath, message: `expected ${name}, got ${got(e.instancePath)}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        path: e.instancePath,
        message: `expected a number ${String(p.comparison)} ${String(p.limit)}, got ${got(e.instancePath)}`,
      };
    default:
      return { path: e.instancePath, message: `${e.message ?? 'invalid'}, got ${got(e.instancePath)}` };
  }
}

// Consistency rules: what the schema cannot say. Each returns every problem it finds.
const CONSISTENCY: { [K in ReportKind]: (doc: ReportByKind[K]) => Problem[] } = {
  run(doc) {
    const issues: Problem[] = [];
    if (Date.parse(doc.finished_at) < Date.parse(doc.started_at)) {
      issues.push({
        path: '/finished_at',
        message: `finished before it started: expected a time at or after ${doc.started_at}, got ${doc.finished_at}`,
      });
    }
    const seen = new Map<string, number>();
    doc.reports.forEach((r, i) => {
      const first = seen.get(r.file);
      if (first !== undefined)
        issues.push({
          path: `/reports/${i}/file`,
          message: `"${r.file}" is listed twice (also /reports/${first})`,
        });
      else seen.set(r.file, i);
    });
    return issues;
  },
  'gate-report'(doc) {
    const issues: Problem[] = [];
    const numbers = new Map<number, number>();
    doc.gates.forEach((gate, g) => {
      const first = numbers.get(gate.number);
      if (first !== undefined)
        issues.push({
          path: `/gates/${g}/number`,
          message: `gate ${gate.number} appears twice (also /gates/${first})`,
        });
      else numbers.set(gate.number, g);
      const want = rollupGate(gate.checks);
      if (gate.status !== want) {
        issues.push({
          path: `/gates/${g}/status`,
          message: `says "${gate.status}" but its ${gate.checks.length} check(s) roll up to "${want}"`,
        });
      }
    });
    const want = rollupRun(doc.gates.map((g) => ({ ...g, status: rollupGate(g.checks) })));
    if (doc.verdict !== want) {
      issues.push({ path: '/verdict', message: `says "${doc.verdict}" but the gates roll up to "${want}"` });
    }
    return issues;
  },
  'tick-bench'(doc) {
    return benchConsistency(doc.entries, doc.clock.resolution_ns, doc.budget);
  },
  'wasm-bench'(doc) {
    return benchConsistency(doc.entries, doc.timer_resolution_ns, doc.budget);
  },
  release(doc) {
    const issues: Problem[] = [];
    const names = new Set<string>();
    doc.assets.forEach((a, i) => {
      if (names.has(a.name))
        issues.push({ path: `/assets/${i}/name`, message: `asset "${a.name}" is listed twice` });
      names.add(a.name);
    });
    if ((doc.notes.file === null) !== (doc.notes.sha256 === null)) {
      issues.push({
        path: '/notes/sha256',
        message: 'notes file and its sha256 must both be set or both be null',
      });
    }
    return issues;
  },
};

const QUANTILES = ['min', 'p5', 'p50', 'p95', 'p99', 'max'] as const;
const STATS = ['mean', 'stddev', ...QUANTILES] as const;

/** A stored *_ticks equals *_ns / tick_ns, up to the rounding of a printed double. */
function ticksMatch(ticks: number, want: number): boolean {
  return !(Math.abs(ticks - want) > 1e-6 * Math.max(1, want) + 1e-3);
}

function benchConsistency(
  entries: ReportByKind['tick-bench']['entries'],
  resolutionNs: number,
  budget: ReportByKind['tick-bench']['budget'],
): Problem[] {
  const issues: Problem[] = [];
  entries.forEach((e, i) => {
    const at = `/entries/${i}`;
    if (e.n > e.samples) issues.push({ path: `${at}/n`, message: `n ${e.n} exceeds samples ${e.samples}` });
    const all = e.all_samples;
    if (all !== undefined) {
      if (all.n !== e.samples) {
        issues.push({
          path: `${at}/all_samples/n`,
          message: `expected every timed sample (samples = ${e.samples}), got ${all.n}`,
        });
      }
      const want = all.p95_ns / budget.tick_ns;
      if (!ticksMatch(all.p95_ticks, want)) {
        issues.push({
          path: `${at}/all_samples/p95_ticks`,
          message: `expected p95_ns / ${budget.tick_ns} = ${want}, got ${all.p95_ticks}`,
        });
      }
    }
    for (const s of STATS) {
      const ticks = e[`${s}_ticks`];
      const want = e[`${s}_ns`] / budget.tick_ns;
      if (!ticksMatch(ticks, want)) {
        issues.push({
          path: `${at}/${s}_ticks`,
          message: `expected ${s}_ns / ${budget.tick_ns} = ${want}, got ${ticks}`,
        });
      }
    }
    for (let q = 1; q < QUANTILES.length; q++) {
      const lo = QUANTILES[q - 1]!;
      const hi = QUANTILES[q]!;
      if (e[`${hi}_ns`] < e[`${lo}_ns`]) {
        issues.push({
          path: `${at}/${hi}_ns`,
          message: `${hi} ${e[`${hi}_ns`]} is below ${lo} ${e[`${lo}_ns`]}`,
        });
      }
    }
    const judged = judgeBenchEntry(e, resolutionNs, budget);
    if (e.within_budget !== judged.status) {
      issues.push({
        path: `${at}/within_budget`,
        message: `says "${e.within_budget}" but the figures say "${judged.status}" (${judged.reason})`,
      });
    }
  });
  return issues;
}

function dedupe(issues: Problem[]): Problem[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reads the value a JSON Pointer designates, or undefined. */
export function valueAt(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(cur)) cur = cur[Number(token)];
    else if (isObject(cur)) cur = cur[token];
    else return undefined;
  }
  return cur;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isObject(v)) return 'an object';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
