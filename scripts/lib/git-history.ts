// Reading a range of git history for release notes: resolve refs, find the previous tag, list the
// commits of a range with their full messages. Read-only; every call runs `git` in the given folder.
import { spawnSync } from 'node:child_process';
import { toUtc } from './git.ts';

export interface HistoryCommit {
  sha: string;
  /** The first line of the message. */
  subject: string;
  /** The message after the subject line, trimmed ('' when there is none). */
  body: string;
  author: string;
  /** Committer time, UTC (`2026-12-04T16:00:00Z`). */
  time: string;
}

const FIELD = '\u001f';
const RECORD = '\u001e';

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '').trim() };
}

/** The full SHA of the commit `ref` names (`HEAD`, a tag, a branch, a short SHA), or null. */
export function resolveCommit(cwd: string, ref: string): string | null {
  if (ref.startsWith('-')) return null;
  const r = git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  return r.ok ? r.out.trim() : null;
}

/** The nearest tag reachable from the parent of `sha` (so a tagged release finds the tag before
 *  it), or null when there is none or `sha` has no parent. */
export function previousTag(cwd: string, sha: string): string | null {
  if (!git(cwd, ['rev-parse', '--verify', '--quiet', `${sha}^`]).ok) return null;
  const r = git(cwd, ['describe', '--tags', '--abbrev=0', `${sha}^`]);
  return r.ok && r.out.trim() ? r.out.trim() : null;
}

/** The tags that point at `sha`, sorted. */
export function tagsAt(cwd: string, sha: string): string[] {
  const r = git(cwd, ['tag', '--points-at', sha]);
  return r.ok ? r.out.split('\n').filter(Boolean).sort() : [];
}

/** One commit's facts. Throws when `sha` is not a commit (resolve it first). */
export function readCommit(cwd: string, sha: string): HistoryCommit {
  const commits = parseLog(git(cwd, ['log', '-1', `--format=${LOG_FORMAT}`, sha, '--']).out);
  const c = commits[0];
  if (!c) throw new Error(`git log could not read commit ${sha} in ${cwd}`);
  return c;
}

/**
 * The commits reachable from `to` and not from `from` (all of `to`'s history when `from` is null),
 * newest first, merge commits left out (their changes are in the commits they merge).
 */
export function readCommits(cwd: string, from: string | null, to: string): HistoryCommit[] {
  const range = from ? `${from}..${to}` : to;
  const r = git(cwd, ['log', '--no-merges', `--format=${LOG_FORMAT}`, range, '--']);
  if (!r.ok) throw new Error(`git log ${range} failed in ${cwd}: ${r.err}`);
  return parseLog(r.out);
}

/** The text of `path` at commit `sha`, or null when it is not there. */
export function readFileAt(cwd: string, sha: string, path: string): string | null {
  const r = git(cwd, ['show', `${sha}:${path}`]);
  return r.ok ? r.out : null;
}

const LOG_FORMAT = ['%H', '%an', '%cI', '%B'].join('%x1f') + '%x1e';

function parseLog(out: string): HistoryCommit[] {
  return out
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes(FIELD))
    .map((record) => {
      const [sha = '', author = '', time = '', message = ''] = record.split(FIELD);
      const [subject = '', ...rest] = message.replace(/\r\n/g, '\n').split('\n');
      return { sha, author, time: toUtc(time), subject: subject.trim(), body: rest.join('\n').trim() };
    });
}
