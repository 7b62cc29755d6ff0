// Gate 2 (blocking): build and quality. TypeScript + svelte-check, eslint, prettier, the C build with
// -Wall -Wextra -Werror, and the project's forbidden patterns; each check counts what it found.
import type { ExecResult } from '../lib/exec.ts';
import type { Check, CheckCounts, CheckStatus } from '../../app/lib/reports/types.ts';
import { commandCheck, lastLine, lastOutputLine, makeCheck, plural, type GateContext } from './context.ts';
import { scanForbiddenPatterns } from './patterns.ts';

type Judged = { status: CheckStatus; counts: CheckCounts; reason: string };

/** Runs Gate 2's checks. */
export async function runBuildGate(ctx: GateContext): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(
    await commandCheck(
      ctx,
      {
        id: 'typecheck',
        name: 'TypeScript and svelte-check',
        command: 'npm',
        args: ['run', '--silent', 'check'],
      },
      (r) => judgeSvelteCheck(r, ctx.root),
    ),
  );
  checks.push(
    await commandCheck(
      ctx,
      { id: 'eslint', name: 'eslint', command: 'npx', args: ['eslint', '.', '--format', 'json'] },
      (r) => judgeEslint(r, ctx.root),
    ),
  );
  checks.push(
    await commandCheck(
      ctx,
      { id: 'prettier', name: 'prettier --check', command: 'npx', args: ['prettier', '--check', '.'] },
      judgePrettier,
    ),
  );
  // -B: an up-to-date tree compiles nothing, and a build that compiled nothing proves nothing.
  const cBuild = await commandCheck(
    ctx,
    {
      id: 'c-build',
      name: 'C build -Wall -Wextra -Werror',
      command: 'make',
      args: ['-C', ctx.nativeDir, '-B'],
    },
    judgeCBuild,
  );
  ctx.nativeBuild = cBuild.status === 'pass' ? 'ok' : 'failed';
  checks.push(cBuild);
  checks.push(forbiddenPatternsCheck(ctx));
  return checks;
}

/** svelte-check ends with "svelte-check found N errors and M warnings[ in K files]". */
export function judgeSvelteCheck(r: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>, root = ''): Judged {
  const text = `${r.stdout}\n${r.stderr}`;
  const shown = (line: string) => (root ? line.replaceAll(`${root}/`, '') : line);
  const m = /svelte-check found (\d+) errors? and (\d+) warnings?/.exec(text);
  const errors = m ? Number(m[1]) : null;
  const warnings = m ? Number(m[2]) : null;
  const counts: CheckCounts = m ? { findings: errors!, warnings: warnings! } : {};
  const firstProblem = firstTypeProblem(text);
  if (r.code === 0 && m) {
    return { status: 'pass', counts, reason: `${plural(errors!, 'error')}, ${plural(warnings!, 'warning')}` };
  }
  if (r.code === 0) {
    // Exit 0 without svelte-check's summary: something else ran, or it ran nothing.
    return {
      status: 'no-evidence',
      counts,
      reason: 'no svelte-check summary in the output: nothing to count',
    };
  }
  const summary = m ? `${plural(errors!, 'error')}, ${plural(warnings!, 'warning')}` : `exit ${r.code}`;
  return {
    status: 'fail',
    counts,
    reason: shown(
      `${summary}${firstProblem ? `: ${firstProblem}` : lastLine(text) ? `: ${lastLine(text)}` : ''}`,
    ),
  };
}

/** The first problem svelte-check ("<file>:<line>:<col>" then "Error: …") or tsc ("<file>(l,c): error TS…")
 *  reports, as one line. */
function firstTypeProblem(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^Error: /.test(line)) return `${lines[i - 1] ?? ''} ${line}`.trim();
    if (/\berror TS\d+: /.test(line)) return line;
  }
  return undefined;
}

interface EslintFile {
  filePath: string;
  errorCount: number;
  warningCount: number;
  fatalErrorCount?: number;
  messages: { line?: number; ruleId?: string | null; message: string; severity: number }[];
}

/** eslint --format json: an array of files with their counts; exit 1 means errors, 2 a crash. */
export function judgeEslint(r: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>, root = ''): Judged {
  let files: EslintFile[];
  try {
    const parsed: unknown = JSON.parse(r.stdout);
    if (!Array.isArray(parsed)) throw new Error('not an array');
    files = parsed as EslintFile[];
  } catch {
    return {
      status: 'error',
      counts: {},
      reason: `eslint exited ${r.code} without its JSON report: ${lastLine(r.stderr)}`,
    };
  }
  const errors = files.reduce((n, f) => n + (f.errorCount ?? 0), 0);
  const warnings = files.reduce((n, f) => n + (f.warningCount ?? 0), 0);
  const counts = { findings: errors, warnings };
  if (files.length === 0) return { status: 'no-evidence', counts, reason: 'eslint linted 0 files' };
  if (errors === 0 && r.code === 0) {
    return {
      status: 'pass',
      counts,
      reason: `${plural(files.length, 'file')} linted, 0 errors, ${plural(warnings, 'warning')}`,
    };
  }
  const file = files.find((f) => f.errorCount > 0);
  const msg = file?.messages.find((m) => m.severity === 2);
  const where =
    file && msg
      ? `: ${file.filePath.replace(root, '').replace(/^\//, '')}:${msg.line ?? 0} ${msg.ruleId ?? ''} ${msg.message}`
      : '';
  return {
    status: errors > 0 ? 'fail' : 'error',
    counts,
    reason:
      errors > 0
        ? `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${where}`
        : `eslint exited ${r.code}: ${lastLine(r.stderr)}`,
  };
}

/** prettier --check: exit 0 formatted; 1 with a `[warn] <file>` line per unformatted file; 2 error. */
export function judgePrettier(r: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>): Judged {
  const text = `${r.stdout}\n${r.stderr}`;
  const unformatted = text
    .split('\n')
    .map((l) => /^\[warn\] (.+)$/.exec(l.trim())?.[1])
    .filter((f): f is string => !!f && !/^Code style issues/.test(f));
  const counts = { findings: unformatted.length };
  if (r.code === 0) return { status: 'pass', counts, reason: lastLine(text) || 'all files formatted' };
  if (r.code === 1 && unformatted.length > 0) {
    return {
      status: 'fail',
      counts,
      reason: `${plural(unformatted.length, 'file')} not formatted: ${unformatted.slice(0, 5).join(', ')}`,
    };
  }
  return {
    status: 'error',
    counts,
    reason: `prettier exited ${r.code}: ${lastOutputLine(r)}`,
  };
}

const REQUIRED_C_FLAGS = ['-Wall', '-Wextra', '-Werror'];

/** `make -B`: every compile line make echoes must carry -Wall -Wextra -Werror; warnings and errors
 *  are counted from the compiler's diagnostics. */
export function judgeCBuild(r: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>): Judged {
  const text = `${r.stdout}\n${r.stderr}`;
  const lines = text.split('\n');
  const warnings = lines.filter((l) => /\bwarning: /.test(l) || /\[-Werror[=\]]/.test(l)).length;
  const errors = lines.filter((l) => /\berror: /.test(l)).length;
  const counts = { warnings, findings: errors };
  const compiles = lines.filter(
    (l) => /(^|\s)-c\s/.test(l) && /(^|\/|\s)(cc|gcc|clang|c\+\+|g\+\+)(\s|$)/.test(l),
  );
  if (r.code !== 0) {
    const first = lines.find((l) => /\berror: /.test(l))?.trim() ?? lastLine(text);
    return { status: 'fail', counts, reason: `make exited ${r.code}, ${plural(errors, 'error')}: ${first}` };
  }
  if (compiles.length === 0) {
    return {
      status: 'no-evidence',
      counts,
      reason: 'make compiled nothing it showed: cannot confirm -Wall -Wextra -Werror',
    };
  }
  const lax = compiles.filter((l) => REQUIRED_C_FLAGS.some((f) => !l.split(/\s+/).includes(f)));
  if (lax.length > 0) {
    const missing = REQUIRED_C_FLAGS.filter((f) => !lax[0]!.split(/\s+/).includes(f));
    return {
      status: 'fail',
      counts,
      reason: `${plural(lax.length, 'file')} compiled without ${missing.join(' ')}: ${lax[0]!.trim().slice(0, 160)}`,
    };
  }
  return {
    status: 'pass',
    counts,
    reason: `${plural(compiles.length, 'file')} compiled with -Wall -Wextra -Werror, ${plural(warnings, 'warning')}`,
  };
}

function forbiddenPatternsCheck(ctx: GateContext): Check {
  const started = performance.now();
  const { findings, files } = scanForbiddenPatterns(ctx.root, ctx.scanDirs);
  const took = performance.now() - started;
  const name = 'forbidden patterns (scripts/gates/patterns.ts)';
  const where = ctx.scanDirs.map((d) => `${d}/`).join(', ');
  if (files === 0) {
    return makeCheck(
      'forbidden-patterns',
      name,
      null,
      'no-evidence',
      took,
      { findings: 0 },
      `no source file in ${where}`,
    );
  }
  if (findings.length > 0) {
    const list = findings
      .slice(0, 5)
      .map((f) => `${f.file}:${f.line} ${f.label}`)
      .join(', ');
    return makeCheck(
      'forbidden-patterns',
      name,
      null,
      'fail',
      took,
      { findings: findings.length },
      `${plural(findings.length, 'finding')}: ${list}`,
    );
  }
  return makeCheck(
    'forbidden-patterns',
    name,
    null,
    'pass',
    took,
    { findings: 0 },
    `0 findings in ${plural(files, 'file')} (${where})`,
  );
}
