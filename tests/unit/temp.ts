// Temporary folders and scripted git repositories for the unit tests that need a real file tree: the
// folders are removed after the file's tests, and commits use fixed names and dates with no user or
// system git config, so the same tree gives the same SHA on every machine.
import { afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The temporary folders of one test file, removed after its tests: call once, at the top of the file. */
export function tempDirs(): { tempDir: (prefix: string) => string; removeLater: (dir: string) => void } {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    tempDir: (prefix) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    removeLater: (dir) => void dirs.push(dir),
  };
}

/** Git's environment for scripted commits: one author and committer, no user or system config, and
 *  both dates fixed when `date` is given. */
export function gitEnv(
  who: { name: string; email: string } = { name: 'Release Bot', email: 'release@example.com' },
  date?: string,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
    ...(date === undefined ? {} : { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }),
  };
}

/** Runs git in cwd and returns its trimmed output. */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = gitEnv()): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
}

/** Makes root a repository holding everything in it as one commit (as Release Bot, at date): equal
 *  trees give equal SHAs. @return the commit's SHA. */
export function commitAll(root: string, message: string, date: string): string {
  const env = gitEnv(undefined, date);
  git(root, ['init', '-q', '-b', 'main'], env);
  git(root, ['add', '-A'], env);
  git(root, ['commit', '-q', '-m', message], env);
  return git(root, ['rev-parse', 'HEAD'], env);
}
