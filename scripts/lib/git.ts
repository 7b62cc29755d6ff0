// Facts about the git checkout a pipeline step runs in.
import { execFileSync } from 'node:child_process';

export interface CommitInfo {
  sha: string;
  message: string;
  author: string;
  time: string;
  branch: string | null;
  tag: string | null;
}

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The HEAD commit of the repository at cwd; throws a readable error outside a git checkout. */
export function readHeadCommit(cwd: string): CommitInfo {
  const line = git(cwd, ['log', '-1', '--format=%H%x00%an%x00%cI%x00%s']);
  if (!line) throw new Error(`not a git checkout with a commit: ${cwd} (a run is identified by its commit)`);
  const [sha = '', author = '', time = '', message = ''] = line.split('\u0000');
  const branch = git(cwd, ['symbolic-ref', '--short', '-q', 'HEAD']);
  const tag = git(cwd, ['describe', '--tags', '--exact-match', 'HEAD']);
  return { sha, author, time: toUtc(time), message, branch: branch || null, tag: tag || null };
}

/** `2026-12-04T17:00:00+01:00` -> `2026-12-04T16:00:00Z`: one time zone in every report. */
export function toUtc(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
