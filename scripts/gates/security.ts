// Gate 4 (advisory): `npm audit` and the licences of the dependency tree. Findings are shown with
// their counts; the gate never blocks a run (rollupRun ignores non-blocking gates).
import type { ExecResult } from '../lib/exec.ts';
import type { Check, CheckCounts, CheckStatus } from '../../app/lib/reports/types.ts';
import { commandCheck, lastLine, makeCheck, plural, type GateContext } from './context.ts';
import { licenceProblem, listInstalledPackages } from './licences.ts';

type Judged = { status: CheckStatus; counts: CheckCounts; reason: string };

const SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'] as const;

/** Runs Gate 4's checks. */
export async function runSecurityGate(ctx: GateContext): Promise<Check[]> {
  const audit = await commandCheck(
    ctx,
    { id: 'npm-audit', name: 'npm audit', command: 'npm', args: ['audit', '--json'], timeoutMs: 180_000 },
    judgeNpmAudit,
  );
  return [audit, licenceCheck(ctx)];
}

/** npm audit --json: `metadata.vulnerabilities` per severity (exit 1 when there are any); an `error`
 *  object when the audit could not run (registry unreachable, no lockfile). */
export function judgeNpmAudit(r: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>): Judged {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    return {
      status: 'error',
      counts: {},
      reason: `npm audit exited ${r.code} without JSON: ${lastLine(r.stderr)}`,
    };
  }
  const err = doc.error as { summary?: string; detail?: string; code?: string } | undefined;
  if (err) {
    const why =
      err.summary ||
      (typeof doc.message === 'string' ? doc.message : '') ||
      err.detail ||
      err.code ||
      'no reason given';
    return { status: 'error', counts: {}, reason: `npm audit could not run: ${why}` };
  }
  const meta = doc.metadata as
    { vulnerabilities?: Record<string, number>; dependencies?: { total?: number } } | undefined;
  const v = meta?.vulnerabilities;
  if (!v) return { status: 'error', counts: {}, reason: 'npm audit JSON has no metadata.vulnerabilities' };
  const total = v.total ?? SEVERITIES.reduce((n, s) => n + (v[s] ?? 0), 0);
  const deps = meta?.dependencies?.total;
  if (total === 0) {
    return {
      status: 'pass',
      counts: { findings: 0 },
      reason: `0 vulnerabilities${deps !== undefined ? ` in ${plural(deps, 'dependency', 'dependencies')}` : ''}`,
    };
  }
  const parts = SEVERITIES.filter((s) => (v[s] ?? 0) > 0).map((s) => `${v[s]} ${s}`);
  const names = Object.keys((doc.vulnerabilities as Record<string, unknown> | undefined) ?? {}).slice(0, 5);
  return {
    status: 'fail',
    counts: { findings: total },
    reason: `${plural(total, 'vulnerability', 'vulnerabilities')} (${parts.join(', ')})${names.length ? `: ${names.join(', ')}` : ''}`,
  };
}

function licenceCheck(ctx: GateContext): Check {
  const started = performance.now();
  const packages = listInstalledPackages(ctx.root);
  const findings = packages
    .map((p) => ({ p, problem: licenceProblem(p.licence) }))
    .filter((f): f is { p: (typeof packages)[number]; problem: string } => f.problem !== null);
  const took = performance.now() - started;
  const name =
    'dependency licences (allow-list: MIT, ISC, BSD, Apache-2.0, 0BSD, BlueOak, CC0, Python-2.0, MPL-2.0, Unlicense)';
  if (packages.length === 0) {
    return makeCheck(
      'licences',
      name,
      null,
      'no-evidence',
      took,
      { findings: 0 },
      'no package under node_modules/: nothing to judge (npm ci first)',
    );
  }
  if (findings.length > 0) {
    const list = findings
      .slice(0, 5)
      .map((f) => `${f.p.name}@${f.p.version} (${f.p.licence ?? 'none'})`)
      .join(', ');
    return makeCheck(
      'licences',
      name,
      null,
      'fail',
      took,
      { findings: findings.length, run: packages.length },
      `${findings.length} of ${plural(packages.length, 'package')} outside the allow-list: ${list}`,
    );
  }
  return makeCheck(
    'licences',
    name,
    null,
    'pass',
    took,
    { findings: 0, run: packages.length },
    `${plural(packages.length, 'package')}, every licence allowed`,
  );
}
