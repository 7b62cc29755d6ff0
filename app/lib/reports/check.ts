// One entry point for "what is this document and is it valid?": used by `report check`, the snapshot
// builder and the site's ingest. Detects the kind (our `schema` field, or Weaver's shape), validates,
// and derives the verdict. Never throws on user data.
import type { Problem } from './problem.ts';
import type { DocumentKind, Report, ReportKind, RunManifest, Verdict } from './types.ts';
import { isObject, validateReport } from './validate.ts';
import { isWeaverLiveCheck, readWeaverLiveCheck, type WeaverSummary } from './weaver.ts';
import { rollupBench, verdictOfRun } from '../health/verdict.ts';

export interface CheckResult {
  kind: DocumentKind | null;
  valid: boolean;
  verdict: Verdict;
  problems: Problem[];
  summary: Record<string, unknown> | null;
  /** The validated document (ours), when valid. */
  report?: Report;
  weaver?: WeaverSummary;
  /** For a run manifest checked with its files: each listed report's own result, in manifest order. */
  runReports?: { ref: RunManifest['reports'][number]; result: CheckResult; text: string }[];
}

/** Reads a file a run manifest names (relative to the manifest), or null when it is not there. */
export type ResolveFile = (file: string) => Promise<Uint8Array | null>;

/** Checks one document given as text. A run manifest's reports are fetched with `resolve` (when
 *  given), their SHA-256 compared with the manifest's, and each checked in turn; the run's verdict is
 *  its gate report's (no gate report: no evidence). Invalid evidence is never a pass. */
export async function checkDocument(text: string, resolve?: ResolveFile): Promise<CheckResult> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not one JSON document: Weaver's streamed form (several documents in a row) is the one other
    // shape we accept; its reader reports a syntax problem with its position otherwise.
    return fromWeaver(text);
  }
  if (isObject(doc) && typeof doc.schema === 'string' && doc.schema.startsWith('knhk.')) {
    return checkOurs(doc, resolve);
  }
  if (isWeaverLiveCheck(doc)) return fromWeaver(text);
  return {
    kind: null,
    valid: false,
    verdict: 'no-evidence',
    problems: [
      {
        path: isObject(doc) ? '/schema' : '',
        message:
          'unknown document: expected a KNHK report ("schema": "knhk.<kind>/v1") or a Weaver live-check report ({"samples": [...], "statistics": ...})',
      },
    ],
    summary: null,
  };
}

function fromWeaver(text: string): CheckResult {
  const read = readWeaverLiveCheck(text);
  return {
    kind: 'weaver-live-check',
    valid: read.valid,
    verdict: read.valid && read.summary ? read.summary.verdict : 'no-evidence',
    problems: read.problems,
    summary: read.summary
      ? {
          form: read.summary.form,
          version_family: read.summary.version_family,
          entities: read.summary.entities.total,
          counts: read.summary.counts,
          coverage: read.summary.coverage,
          samples_verdict: read.summary.verdict,
        }
      : null,
    ...(read.summary ? { weaver: read.summary } : {}),
  };
}

async function checkOurs(doc: Record<string, unknown>, resolve?: ResolveFile): Promise<CheckResult> {
  const validated = validateReport(doc);
  if (!validated.ok) {
    return {
      kind: validated.kind,
      valid: false,
      verdict: 'no-evidence',
      problems: validated.issues,
      summary: null,
    };
  }
  const report = validated.value;
  const kind = validated.kind as ReportKind;
  switch (report.schema) {
    case 'knhk.run/v1':
      return checkRun(report, resolve);
    case 'knhk.gate-report/v1':
      return {
        kind,
        valid: true,
        verdict: verdictOfRun(report.verdict),
        problems: [],
        summary: {
          run_id: report.run_id,
          verdict: report.verdict,
          gates: report.gates.map((g) => ({
            number: g.number,
            id: g.id,
            status: g.status,
            reason: g.reason,
          })),
        },
        report,
      };
    case 'knhk.tick-bench/v1':
    case 'knhk.wasm-bench/v1':
      return {
        kind,
        valid: true,
        verdict: rollupBench(report.entries, { variant: report.variant, call_mode: report.budget.call_mode }),
        problems: [],
        summary: {
          variant: report.variant,
          budget_call_mode: report.budget.call_mode,
          entries: report.entries.map((e) => ({
            op: e.op,
            variant: e.variant,
            call_mode: e.call_mode,
            p50_ticks: e.p50_ticks,
            p95_ticks: e.p95_ticks,
            within_budget: e.within_budget,
          })),
        },
        report,
      };
    case 'knhk.release/v1': {
      const missing =
        report.assets.length === 0 ? 'no assets' : report.notes.file === null ? 'no release notes' : null;
      return {
        kind,
        valid: true,
        verdict: missing ? 'no-evidence' : 'pass',
        problems: [],
        summary: { version: report.version, assets: report.assets.length, ...(missing ? { missing } : {}) },
        report,
      };
    }
  }
}

async function checkRun(run: RunManifest, resolve?: ResolveFile): Promise<CheckResult> {
  const problems: Problem[] = [];
  let verdict: Verdict = 'no-evidence';
  const reports: Record<string, unknown>[] = [];
  const runReports: NonNullable<CheckResult['runReports']> = [];
  if (resolve) {
    // Fetch, hash and check every report at once (WebCrypto digests are asynchronous), then gather the
    // results in manifest order so problems and verdicts do not depend on timing.
    const checked = await Promise.all(
      run.reports.map(async (ref, i) => {
        const found: Problem[] = [];
        const bytes = await resolve(ref.file);
        if (!bytes)
          return { ref, found: [{ path: `/reports/${i}/file`, message: `"${ref.file}" is missing` }] };
        const digest = await sha256Hex(bytes);
        if (digest !== ref.sha256) {
          const message = `"${ref.file}" has SHA-256 ${digest}, the manifest says ${ref.sha256}`;
          return { ref, found: [{ path: `/reports/${i}/sha256`, message }] };
        }
        const text = new TextDecoder().decode(bytes);
        const inner = await checkDocument(text);
        for (const p of inner.problems)
          found.push({ path: `/reports/${i}${p.path}`, message: `${ref.file}: ${p.message}` });
        if (inner.kind !== ref.kind && inner.kind !== null)
          found.push({
            path: `/reports/${i}/kind`,
            message: `expected "${ref.kind}", the file is "${inner.kind}"`,
          });
        return { ref, found, inner, text };
      }),
    );
    for (const { ref, found, inner, text } of checked) {
      problems.push(...found);
      if (!inner) continue;
      if (ref.kind === 'gate-report' && inner.valid) verdict = inner.verdict;
      reports.push({ kind: ref.kind, file: ref.file, valid: inner.valid, verdict: inner.verdict });
      runReports.push({ ref, result: inner, text: text! });
    }
  }
  return {
    kind: 'run',
    valid: problems.length === 0,
    verdict: problems.length === 0 ? verdict : 'no-evidence',
    problems,
    summary: {
      id: run.id,
      commit: run.commit.sha,
      branch: run.branch,
      target: run.target,
      reports: resolve ? reports : run.reports.map((r) => ({ kind: r.kind, file: r.file, checked: false })),
      ...(run.reports.some((r) => r.kind === 'gate-report')
        ? {}
        : { missing: 'no gate report: the gates did not run' }),
    },
    report: run,
    ...(resolve ? { runReports } : {}),
  };
}

/** SHA-256 of bytes as lowercase hex, with WebCrypto (in browsers and in Node 20 alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
