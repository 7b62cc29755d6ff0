// Gate 1 (blocking): the Weaver registry check and a live-check of the telemetry the pipeline emits.
// Without weaver the gate has no evidence (never a pass); our structural registry check then runs as
// extra evidence about the registry, but it is not a Weaver check and cannot make the gate pass.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { commandLine, type ExecResult } from '../lib/exec.ts';
import { checkRegistry, parseRegistryFiles } from '../lib/registry-check.ts';
import { writeReport } from '../lib/run-manifest.ts';
import { splitJsonValues, readWeaverLiveCheck } from '../../app/lib/reports/weaver.ts';
import type { Check, CheckCounts, CheckStatus } from '../../app/lib/reports/types.ts';
import { execFailure, lastLine, lastOutputLine, makeCheck, plural, type GateContext } from './context.ts';

const NOT_INSTALLED =
  'weaver is not installed (CI installs the pinned release): no Weaver evidence, never a pass';

/** Runs Gate 1's checks. */
export async function runWeaverGate(ctx: GateContext): Promise<Check[]> {
  const checks: Check[] = [];
  const version = await ctx.exec(ctx.weaverBinary, ['--version'], {
    cwd: ctx.root,
    env: ctx.env,
    timeoutMs: 30_000,
  });
  const installed = version.code === 0;
  const broken =
    !installed && version.failure !== 'not-found'
      ? `${ctx.weaverBinary} --version exited ${version.code}: ${lastOutputLine(version)}`
      : null;
  const versionText = installed ? lastLine(version.stdout) : '';

  // 1. weaver registry check
  const checkArgs = ['registry', 'check', '-r', ctx.registryDir, '--diagnostic-format', 'json'];
  const checkLine = commandLine(ctx.weaverBinary, checkArgs);
  if (!installed) {
    checks.push(
      makeCheck(
        'registry-check',
        'weaver registry check',
        checkLine,
        broken ? 'error' : 'no-evidence',
        0,
        {},
        broken ?? NOT_INSTALLED,
      ),
    );
  } else {
    const result = await ctx.exec(ctx.weaverBinary, checkArgs, {
      cwd: ctx.root,
      env: ctx.env,
      timeoutMs: 300_000,
    });
    const failed = execFailure(result, checkLine);
    const judged = failed ? { ...failed, counts: {} } : judgeRegistryCheck(result);
    checks.push(
      makeCheck(
        'registry-check',
        'weaver registry check',
        checkLine,
        judged.status,
        result.duration_ms,
        judged.counts,
        `${judged.reason}${versionText ? ` (${versionText})` : ''}`,
      ),
    );
  }

  // 2. live-check: an existing report (--weaver-report), else a live run against the emitter.
  if (ctx.weaverReport) checks.push(readLiveCheckReport(ctx, ctx.weaverReport));
  else if (!installed) {
    const liveLine = commandLine(ctx.weaverBinary, liveCheckArgs(ctx, '<dir>'));
    checks.push(
      makeCheck(
        'live-check',
        'weaver registry live-check',
        liveLine,
        broken ? 'error' : 'no-evidence',
        0,
        {},
        broken ?? 'weaver is not installed: the emitted telemetry was not checked against the registry',
      ),
    );
  } else checks.push(await runLiveCheck(ctx));

  // 3. Without weaver: our structural check, evidence about the registry that is not Weaver's.
  if (!installed) checks.push(structuralRegistryCheck(ctx));
  return checks;
}

/** Weaver diagnostics (`--diagnostic-format json`): an array of {error, diagnostic: {message, severity}}. */
export interface WeaverDiagnostic {
  message: string;
  severity: string;
}

/** Finds Weaver's JSON diagnostics in a command's output (other log lines may surround them). */
export function parseWeaverDiagnostics(text: string): WeaverDiagnostic[] | null {
  const lines = text.split('\n');
  let offset = 0;
  for (const line of lines) {
    const trimmed = line.trimStart();
    if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
      const start = offset + (line.length - trimmed.length);
      const { spans } = splitJsonValues(text.slice(start));
      const first = spans[0];
      if (first) {
        try {
          const value: unknown = JSON.parse(text.slice(start + first.start, start + first.end));
          const items = Array.isArray(value) ? value : [value];
          if (
            items.every((i) => typeof i === 'object' && i !== null && ('diagnostic' in i || 'error' in i))
          ) {
            return items.map(toDiagnostic);
          }
        } catch {
          // not this line: keep looking for the diagnostics document
        }
      }
    }
    offset += line.length + 1;
  }
  return null;
}

function toDiagnostic(item: Record<string, unknown>): WeaverDiagnostic {
  const d = (item.diagnostic ?? {}) as Record<string, unknown>;
  const e = (item.error ?? {}) as Record<string, unknown>;
  const message =
    typeof d.message === 'string'
      ? d.message
      : typeof e.violation === 'object' && e.violation !== null
        ? String((e.violation as Record<string, unknown>).message ?? '')
        : JSON.stringify(e).slice(0, 200);
  return { message, severity: typeof d.severity === 'string' ? d.severity : 'Error' };
}

/** Exit 0 with no error diagnostic passes; anything else fails, naming the first error. */
export function judgeRegistryCheck(result: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>): {
  status: CheckStatus;
  counts: CheckCounts;
  reason: string;
} {
  const diagnostics = parseWeaverDiagnostics(`${result.stdout}\n${result.stderr}`) ?? [];
  const errors = diagnostics.filter((d) => !/^(warning|advice)$/i.test(d.severity));
  const warnings = diagnostics.length - errors.length;
  const counts = { findings: errors.length, warnings };
  if (result.code === 0 && errors.length === 0) {
    return {
      status: 'pass',
      counts,
      reason: `${plural(errors.length, 'error')}, ${plural(warnings, 'warning')}`,
    };
  }
  const first = errors[0]?.message ?? lastOutputLine(result);
  return {
    status: 'fail',
    counts,
    reason: `exit ${result.code}, ${plural(errors.length, 'error')}${first ? `: ${first}` : ''}`,
  };
}

/** Judges a live-check report's text with the Weaver reader (app/lib/reports/weaver.ts). */
export function judgeLiveCheck(text: string): {
  status: CheckStatus;
  counts: CheckCounts;
  reason: string;
  /** True when the report is valid evidence (it may then be listed in the run manifest). */
  valid: boolean;
  form?: 'document' | 'stream';
} {
  const read = readWeaverLiveCheck(text);
  const s = read.summary;
  if (!s) {
    return {
      status: 'no-evidence',
      counts: {},
      reason: `not a Weaver live-check report: ${read.problems[0]?.message ?? 'unreadable'}`,
      valid: false,
    };
  }
  const counts = { run: s.entities.total, findings: s.counts.violation, warnings: s.counts.improvement };
  const form = s.form;
  if (s.verdict === 'fail') {
    // A violation read from the samples is red evidence even when the statistics disagree.
    const v = s.findings.find((f) => f.level === 'violation');
    return {
      status: 'fail',
      counts,
      reason: `${plural(s.counts.violation, 'violation')} in ${plural(s.entities.total, 'entity', 'entities')}${v ? `: ${v.id}: ${v.message}` : ''}`,
      valid: read.valid,
      form,
    };
  }
  if (!read.valid) {
    return {
      status: 'no-evidence',
      counts,
      reason: `invalid live-check report (invalid evidence is not evidence): ${read.problems[0]?.path ?? ''} ${read.problems[0]?.message ?? ''}`,
      valid: false,
    };
  }
  if (s.verdict === 'no-evidence') {
    return {
      status: 'no-evidence',
      counts,
      reason: '0 samples: no telemetry reached the live-check',
      valid: true,
      form,
    };
  }
  return {
    status: 'pass',
    counts,
    reason: `${plural(s.entities.total, 'entity', 'entities')}, 0 violations, ${plural(s.counts.improvement, 'improvement')}`,
    valid: true,
    form,
  };
}

function readLiveCheckReport(ctx: GateContext, file: string): Check {
  const path = resolve(ctx.root, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return makeCheck(
      'live-check',
      'weaver registry live-check (report read from --weaver-report)',
      null,
      'error',
      0,
      {},
      `cannot read --weaver-report ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const judged = judgeLiveCheck(text);
  if (judged.valid && judged.form) keepLiveCheckReport(ctx, text, judged.form);
  return makeCheck(
    'live-check',
    'weaver registry live-check (report read from --weaver-report)',
    null,
    judged.status,
    0,
    judged.counts,
    `${judged.reason} (read from ${file})`,
  );
}

/** Writes a valid live-check report into the run folder and lists it in the run manifest. */
function keepLiveCheckReport(ctx: GateContext, text: string, form: 'document' | 'stream'): void {
  const file = form === 'stream' ? 'weaver-live-check.jsonl' : 'weaver-live-check.json';
  ctx.artifacts.push(writeReport(ctx.runDir, 'weaver-live-check', file, text));
}

function liveCheckArgs(ctx: GateContext, outDir: string): string[] {
  return [
    'registry',
    'live-check',
    '--registry',
    ctx.registryDir,
    '--input-source',
    'otlp',
    '--format',
    'json',
    '--output',
    outDir,
    '--inactivity-timeout',
    String(ctx.liveCheck.inactivityTimeoutS),
    '--otlp-grpc-port',
    String(ctx.liveCheck.port),
    '--admin-port',
    String(ctx.liveCheck.adminPort),
  ];
}

/** Starts the live-check listener, sends the bench's telemetry to it, and reads the report it writes
 *  once no telemetry has arrived for the inactivity timeout. */
async function runLiveCheck(ctx: GateContext): Promise<Check> {
  const id = 'live-check';
  const name = 'weaver registry live-check';
  const outDir = join(ctx.workDir, 'weaver-live-check');
  mkdirSync(outDir, { recursive: true });
  const args = liveCheckArgs(ctx, outDir);
  const line = commandLine(ctx.weaverBinary, args);
  const { port } = ctx.liveCheck;

  const bench = await ctx.bench();
  if (!bench.file) {
    return makeCheck(
      id,
      name,
      line,
      'no-evidence',
      0,
      {},
      `no telemetry to check: the bench gave no report (${bench.check.reason})`,
    );
  }
  if (!(await ctx.ports.isFree(port))) {
    return makeCheck(
      id,
      name,
      line,
      'error',
      0,
      {},
      `port ${port} is in use: expected it free for the live-check's OTLP listener`,
    );
  }
  const controller = new AbortController();
  const started = performance.now();
  const weaver = ctx.exec(ctx.weaverBinary, args, {
    cwd: ctx.root,
    env: ctx.env,
    signal: controller.signal,
    timeoutMs: (ctx.liveCheck.inactivityTimeoutS + 300) * 1000,
  });
  const ready = await Promise.race([
    ctx.ports.waitListening(port, ctx.liveCheck.readyTimeoutMs),
    weaver.then(() => false),
  ]);
  const elapsed = () => performance.now() - started;
  const error = (reason: string) => makeCheck(id, name, line, 'error', elapsed(), {}, reason);
  if (!ready) {
    controller.abort();
    const r = await weaver;
    return error(
      `the live-check did not listen on port ${port} within ${ctx.liveCheck.readyTimeoutMs / 1000} s (exit ${r.code}: ${lastOutputLine(r)})`,
    );
  }
  const emit = ctx.emitCommand(relative(ctx.root, bench.file));
  const emitLine = commandLine(emit.command, emit.args);
  const sent = await ctx.exec(emit.command, emit.args, {
    cwd: ctx.root,
    env: { ...ctx.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    timeoutMs: 120_000,
  });
  if (sent.code !== 0) {
    controller.abort();
    await weaver;
    return error(`${emitLine} failed (exit ${sent.code}): ${lastOutputLine(sent)}`);
  }
  const result = await weaver;
  const failed = execFailure(result, line);
  if (failed) return error(failed.reason);
  const report = findLiveCheckReport(outDir);
  if (!report) {
    return error(
      `the live-check wrote no report in its output folder (exit ${result.code}: ${lastOutputLine(result)})`,
    );
  }
  const text = readFileSync(report, 'utf8');
  const judged = judgeLiveCheck(text);
  if (judged.valid && judged.form) keepLiveCheckReport(ctx, text, judged.form);
  return makeCheck(
    id,
    name,
    line,
    judged.status,
    elapsed(),
    judged.counts,
    `${judged.reason}; telemetry from ${emitLine}`,
  );
}

/** Weaver's json template writes live_check.json; other versions may name it differently. */
function findLiveCheckReport(dir: string): string | null {
  const preferred = join(dir, 'live_check.json');
  if (existsSync(preferred)) return preferred;
  const json = readdirSync(dir).filter((f) => /\.jsonl?$/.test(f));
  return json.length === 1 ? join(dir, json[0]!) : null;
}

/** Our structural registry check (scripts/lib/registry-check.ts): every YAML file under the registry
 *  folder except schemas/. */
function structuralRegistryCheck(ctx: GateContext): Check {
  const started = performance.now();
  const root = resolve(ctx.root, ctx.registryDir);
  const texts: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== join(root, 'schemas')) walk(full);
      } else if (/\.ya?ml$/.test(entry.name)) {
        texts.push({ path: relative(ctx.root, full), text: readFileSync(full, 'utf8') });
      }
    }
  };
  const name = 'registry structure (scripts/lib/registry-check.ts, not a Weaver check)';
  if (!existsSync(root)) {
    return makeCheck(
      'registry-structure',
      name,
      null,
      'error',
      0,
      {},
      `no registry folder: expected ${ctx.registryDir}/`,
    );
  }
  walk(root);
  texts.sort((a, b) => a.path.localeCompare(b.path));
  const { files, problems: syntax } = parseRegistryFiles(texts);
  const problems = [...syntax, ...checkRegistry(files)];
  const took = performance.now() - started;
  if (texts.length === 0) {
    return makeCheck(
      'registry-structure',
      name,
      null,
      'no-evidence',
      took,
      { findings: 0 },
      `no YAML file under ${ctx.registryDir}/`,
    );
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    return makeCheck(
      'registry-structure',
      name,
      null,
      'fail',
      took,
      { findings: problems.length },
      `${plural(problems.length, 'problem')}: ${first.path}: ${first.message}`,
    );
  }
  return makeCheck(
    'registry-structure',
    name,
    null,
    'pass',
    took,
    { findings: 0 },
    `${plural(texts.length, 'file')}, 0 problems`,
  );
}
