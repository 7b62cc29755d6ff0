// `npm run release-notes`: Markdown notes from git history (conventional commits grouped by type,
// breaking changes first), the checksums of the packaged tarballs and the gate verdicts of the
// release commit. The same history and reports always give the same text (no clock is read).
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import {
  previousTag,
  readCommit,
  readCommits,
  readFileAt,
  resolveCommit,
  type HistoryCommit,
} from '../lib/git-history.ts';
import { validateAs } from '../../app/lib/reports/validate.ts';
import type { GateReport, ReleaseReport } from '../../app/lib/reports/types.ts';

/** Sections in the order they are printed (after the breaking changes). */
export const GROUPS = [
  { types: ['feat'], title: 'Features' },
  { types: ['fix'], title: 'Fixes' },
  { types: ['perf'], title: 'Performance' },
  { types: ['refactor'], title: 'Refactoring' },
  { types: ['docs'], title: 'Documentation' },
  { types: ['test'], title: 'Tests' },
  { types: ['build'], title: 'Build' },
  { types: ['ci'], title: 'CI' },
  { types: ['chore'], title: 'Chores' },
  { types: [], title: 'Other' },
] as const;

export const BREAKING_TITLE = 'Breaking changes';

export interface ReleaseNotesOptions {
  /** The git checkout. */
  root: string;
  /** Start of the range (exclusive); default the tag before `to`, else the whole history. */
  from?: string;
  /** The release commit; default HEAD. */
  to?: string;
  /** Where SHA256SUMS (and release.json) are; default `<root>/.knhk/dist`. */
  distDir?: string;
  /** Pipeline runs (`<run>/gate-report.json`); default `<root>/.knhk/runs`. */
  runsDir?: string;
  /** File to write the notes to; null or absent: only return them. When the file is beside a
   *  release.json of the same commit, that report's `notes` is updated to name it. */
  out?: string | null;
}

export interface ParsedCommit {
  sha: string;
  /** Conventional type, lower case (`feat`), or null when the subject is not conventional. */
  type: string | null;
  scope: string | null;
  /** The description after `type(scope): `, or the whole subject when not conventional. */
  description: string;
  breaking: boolean;
  /** The `BREAKING CHANGE:` footer's text, else the description for a `type!:` commit. */
  breakingNote: string | null;
}

export type ReleaseNotesResult =
  | {
      ok: true;
      markdown: string;
      from: { ref: string | null; sha: string | null };
      to: { ref: string; sha: string };
      commits: number;
      /** Files written (the notes, and release.json when its notes were updated). */
      written: string[];
      warnings: string[];
    }
  | { ok: false; code: 1 | 2; problems: string[] };

const CONVENTIONAL = /^([A-Za-z]+)(?:\(([^()]*)\))?(!)?:[ \t]+(.+)$/;
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE:[ \t]*/m;

/** Reads a commit message as a conventional commit (conventionalcommits.org 1.0.0). */
export function parseCommit(c: Pick<HistoryCommit, 'sha' | 'subject' | 'body'>): ParsedCommit {
  const m = CONVENTIONAL.exec(c.subject);
  const footer = footerNote(c.body);
  if (!m) {
    return {
      sha: c.sha,
      type: null,
      scope: null,
      description: c.subject,
      breaking: footer !== null,
      breakingNote: footer,
    };
  }
  const description = (m[4] ?? '').trim();
  const breaking = m[3] === '!' || footer !== null;
  return {
    sha: c.sha,
    type: (m[1] ?? '').toLowerCase(),
    scope: m[2]?.trim() || null,
    description,
    breaking,
    breakingNote: breaking ? (footer ?? description) : null,
  };
}

/** The paragraph after `BREAKING CHANGE:` (or `BREAKING-CHANGE:`), lines joined; null without one. */
function footerNote(body: string): string | null {
  const m = BREAKING_FOOTER.exec(body);
  if (!m) return null;
  const rest = body.slice(m.index + m[0].length);
  // The note runs to a blank line or the next footer token (`Token: ` or `Token #`).
  const lines: string[] = [];
  for (const [i, line] of rest.split('\n').entries()) {
    if (line.trim() === '' || (i > 0 && /^[A-Za-z-]+(: | #)/.test(line))) break;
    lines.push(line.trim());
  }
  const note = lines.join(' ').trim();
  return note || null;
}

/** The section title of a parsed commit that is not breaking. */
export function groupOf(type: string | null): string {
  const group = GROUPS.find((g) => type !== null && (g.types as readonly string[]).includes(type));
  return group?.title ?? 'Other';
}

export interface NotesInput {
  version: string | null;
  to: { ref: string; sha: string; time: string };
  from: { ref: string | null; sha: string | null };
  commits: ParsedCommit[];
  /** Lines of the dist dir's SHA256SUMS, or null when there is no such file. */
  checksums: { file: string; sha256: string }[] | null;
  /** Gate reports of the release commit (valid ones), and what was refused. */
  gateReports: { file: string; report: GateReport }[];
  refusedReports: { file: string; reason: string }[];
}

/** Renders the notes. Pure: the same input gives the same text. */
export function renderReleaseNotes(input: NotesInput): string {
  const short = (sha: string) => sha.slice(0, 7);
  const out: string[] = [];
  out.push(input.version ? `# KNHK v${input.version}` : '# KNHK release notes', '');
  const since = input.from.sha
    ? `changes since \`${input.from.ref ?? short(input.from.sha)}\` (\`${short(input.from.sha)}\`)`
    : 'changes since the first commit';
  out.push(
    `Release commit \`${input.to.sha}\` (${input.to.time.slice(0, 10)}); ${since}: ${input.commits.length} commit${input.commits.length === 1 ? '' : 's'}.`,
    '',
  );

  const entry = (c: ParsedCommit, withType: boolean) => {
    const label = withType && c.type ? `${c.type}${c.scope ? `(${c.scope})` : ''}` : c.scope;
    return `- ${label ? `**${label}:** ` : ''}${c.description} (\`${short(c.sha)}\`)`;
  };
  const breaking = input.commits.filter((c) => c.breaking);
  if (breaking.length) {
    out.push(`## ${BREAKING_TITLE}`, '');
    for (const c of breaking) {
      out.push(entry(c, true));
      if (c.breakingNote && c.breakingNote !== c.description) out.push(`  - ${c.breakingNote}`);
    }
    out.push('');
  }
  for (const g of GROUPS) {
    const inGroup = input.commits.filter((c) => !c.breaking && groupOf(c.type) === g.title);
    if (!inGroup.length) continue;
    out.push(`## ${g.title}`, '');
    for (const c of inGroup) out.push(entry(c, g.title === 'Other'));
    out.push('');
  }
  if (!input.commits.length) out.push('No commits in this range.', '');

  out.push('## Checksums', '');
  if (input.checksums === null) {
    out.push('No SHA256SUMS in the dist dir yet (run `npm run package` first): no evidence.', '');
  } else if (!input.checksums.length) {
    out.push('SHA256SUMS lists no file: no evidence.', '');
  } else {
    out.push('From `SHA256SUMS` (check a download with `sha256sum -c SHA256SUMS`):', '');
    out.push('| file | SHA-256 |', '| --- | --- |');
    for (const c of input.checksums) out.push(`| \`${c.file}\` | \`${c.sha256}\` |`);
    out.push('');
  }

  out.push('## Gate verdicts', '');
  if (!input.gateReports.length) {
    out.push(`no gate report for ${input.to.sha}: no evidence`, '');
  }
  for (const { report } of input.gateReports) {
    out.push(`Run \`${report.run_id}\`: **${report.verdict}**`, '');
    out.push('| # | gate | blocking | status | reason |', '| --- | --- | --- | --- | --- |');
    for (const g of [...report.gates].sort((a, b) => a.number - b.number)) {
      out.push(
        `| ${g.number} | ${cell(g.name)} | ${g.blocking ? 'yes' : 'advisory'} | ${g.status} | ${cell(g.reason)} |`,
      );
    }
    out.push('');
  }
  for (const r of input.refusedReports) out.push(`- refused \`${r.file}\`: ${r.reason} (no evidence)`);
  if (input.refusedReports.length) out.push('');
  return `${out.join('\n').trimEnd()}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Reads `<hex>  <name>` lines (GNU sha256sum format; `*name` for binary mode). */
export function parseSha256Sums(text: string): { file: string; sha256: string }[] {
  return text
    .split('\n')
    .map((l) => /^([0-9a-f]{64}) [ *](.+)$/.exec(l.trimEnd()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ sha256: m[1] as string, file: m[2] as string }));
}

export async function runReleaseNotes(opts: ReleaseNotesOptions): Promise<ReleaseNotesResult> {
  const root = resolve(opts.root);
  const distDir = resolve(opts.distDir ?? join(root, '.knhk', 'dist'));
  const runsDir = resolve(opts.runsDir ?? join(root, '.knhk', 'runs'));
  const toRef = opts.to ?? 'HEAD';
  const toSha = resolveCommit(root, toRef);
  if (!toSha)
    return {
      ok: false,
      code: 2,
      problems: [`--to is not a commit: expected a ref such as HEAD or v1.2.3, got "${toRef}"`],
    };
  let fromRef = opts.from ?? null;
  let fromSha: string | null = null;
  if (fromRef !== null) {
    fromSha = resolveCommit(root, fromRef);
    if (!fromSha)
      return {
        ok: false,
        code: 2,
        problems: [`--from is not a commit: expected a tag or ref, got "${fromRef}"`],
      };
  } else {
    fromRef = previousTag(root, toSha);
    fromSha = fromRef ? resolveCommit(root, fromRef) : null;
  }

  const toCommit = readCommit(root, toSha);
  const commits = readCommits(root, fromSha, toSha).map(parseCommit);
  const warnings: string[] = [];
  if (fromSha && !commits.length && fromSha !== toSha) {
    warnings.push(`no commits from ${fromRef} to ${toRef}: is --from an ancestor of --to?`);
  }

  const sumsPath = join(distDir, 'SHA256SUMS');
  const checksums = existsSync(sumsPath) ? parseSha256Sums(readFileSync(sumsPath, 'utf8')) : null;

  const gateReports: NotesInput['gateReports'] = [];
  const refusedReports: NotesInput['refusedReports'] = [];
  const runs = existsSync(runsDir) ? readdirSync(runsDir).sort() : [];
  for (const run of runs) {
    const file = join(runsDir, run, 'gate-report.json');
    if (!existsSync(file)) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      refusedReports.push({ file: `${run}/gate-report.json`, reason: `not JSON: ${(err as Error).message}` });
      continue;
    }
    if ((doc as { commit_sha?: unknown } | null)?.commit_sha !== toSha) continue;
    const valid = validateAs('gate-report', doc);
    if (valid.ok) gateReports.push({ file, report: valid.value });
    else {
      const first = valid.issues[0];
      refusedReports.push({
        file: `${run}/gate-report.json`,
        reason: `invalid gate report (${valid.issues.length} problem(s), first ${first?.path || '/'}: ${first?.message})`,
      });
    }
  }

  const markdown = renderReleaseNotes({
    version: readVersionAt(root, toSha),
    to: { ref: toRef, sha: toSha, time: toCommit.time },
    from: { ref: fromRef, sha: fromSha },
    commits,
    checksums,
    gateReports,
    refusedReports,
  });

  const written: string[] = [];
  if (opts.out) {
    const out = resolve(opts.out);
    writeAtomic(out, markdown);
    written.push(out);
    const releasePath = join(dirname(out), 'release.json');
    const updated = updateReleaseNotes(releasePath, basename(out), markdown, toSha, warnings);
    if (updated) written.push(releasePath);
  }
  return {
    ok: true,
    markdown,
    from: { ref: fromRef, sha: fromSha },
    to: { ref: toRef, sha: toSha },
    commits: commits.length,
    written,
    warnings,
  };
}

/** The package.json version at the release commit, or null. */
function readVersionAt(root: string, sha: string): string | null {
  const text = readFileAt(root, sha, 'package.json');
  if (text === null) return null;
  try {
    const v = (JSON.parse(text) as { version?: unknown }).version;
    return typeof v === 'string' ? v : null;
  } catch {
    return null; // An unreadable package.json at that commit: the title says "release notes".
  }
}

/** Points release.json's `notes` at the notes just written, when it is about the same commit. */
function updateReleaseNotes(
  path: string,
  file: string,
  markdown: string,
  sha: string,
  warnings: string[],
): boolean {
  if (!existsSync(path)) return false;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    warnings.push(`${path} is not JSON (${(err as Error).message}): its notes were not updated`);
    return false;
  }
  const valid = validateAs('release', doc);
  if (!valid.ok) {
    warnings.push(`${path} is not a valid release report: its notes were not updated`);
    return false;
  }
  if (valid.value.commit_sha !== sha) {
    warnings.push(
      `${path} is for commit ${valid.value.commit_sha.slice(0, 12)}, not ${sha.slice(0, 12)}: not updated`,
    );
    return false;
  }
  const release: ReleaseReport = {
    ...valid.value,
    notes: { file, sha256: createHash('sha256').update(markdown).digest('hex') },
  };
  const check = validateAs('release', release);
  if (!check.ok)
    throw new Error(`release-notes built an invalid release report: ${JSON.stringify(check.issues)}`);
  writeAtomic(path, `${JSON.stringify(release, null, 2)}\n`);
  return true;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
