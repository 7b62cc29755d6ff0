// Backfill on a throw-away repository whose commits each carry a tiny fake native/ build: the
// "knhk" it makes prints the recorded tick-bench report with the commit it is asked about.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillRunId, runBackfill, type BackfillOptions } from '../../../scripts/backfill/index.ts';
import { checkRunDir } from '../../../scripts/collect/run-folder.ts';
import { git, gitEnv } from '../temp.ts';

const bench = JSON.parse(readFileSync('tests/fixtures/tick-bench/valid-pass.json', 'utf8')) as Record<
  string,
  unknown
>;

const GOOD_MAKEFILE = 'all:\n\tmkdir -p build\n\tcp knhk.sh build/knhk\n\tchmod +x build/knhk\n';
const BROKEN_MAKEFILE = 'all:\n\t@echo "knhk.c:1: error: broken on purpose" >&2; exit 1\n';
// The fake CLI: `knhk bench --json --commit <sha>` prints the fixture with that commit.
const KNHK_SH = `#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = "--commit" ]; then commit="$2"; shift; fi
  shift
done
sed "s/__COMMIT__/$commit/" "$(dirname "$0")/../bench.json"
`;

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };

/** A repository with one commit per entry (true: a working build, false: a broken one), dated a day
 *  apart; returns the shas oldest first. */
function makeRepo(dir: string, builds: boolean[]): string[] {
  git(dir, ['init', '-q', '-b', 'main'], gitEnv(ADA));
  mkdirSync(join(dir, 'native'));
  writeFileSync(join(dir, 'native', 'knhk.sh'), KNHK_SH);
  writeFileSync(
    join(dir, 'native', 'bench.json'),
    JSON.stringify({ ...bench, commit_sha: '__COMMIT__' }, null, 2),
  );
  return builds.map((works, i) => {
    writeFileSync(join(dir, 'native', 'Makefile'), works ? GOOD_MAKEFILE : BROKEN_MAKEFILE);
    writeFileSync(join(dir, 'native', 'VERSION'), `${i}\n`);
    git(dir, ['add', '-A']);
    const date = `2026-11-0${i + 1}T10:00:00Z`;
    git(dir, ['commit', '-q', '-m', `commit ${i + 1}`], gitEnv(ADA, date));
    return git(dir, ['rev-parse', 'HEAD']);
  });
}

describe('runBackfill', () => {
  let repo: string;
  let out: string;
  let scratch: string;
  let base: string;
  const options = (commits: number): BackfillOptions => ({
    repoDir: repo,
    commits,
    outDir: out,
    host: 'ci-box',
    tmpDir: scratch,
    now: () => new Date('2026-12-04T16:00:00Z'),
  });
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'knhk-backfill-test-'));
    repo = join(base, 'repo');
    out = join(base, 'runs');
    scratch = join(base, 'tmp');
    mkdirSync(repo);
    mkdirSync(scratch);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('benchmarks each of three commits in a worktree into a valid run folder, and removes the worktrees', async () => {
    const shas = makeRepo(repo, [true, true, true]);
    const result = await runBackfill(options(3));
    expect(result.failed).toEqual([]);
    expect(result.commits).toEqual(shas);
    const ids = shas.map((sha, i) => backfillRunId('ci-box', sha, `2026-11-0${i + 1}T10:00:00Z`));
    expect(result.backfilled).toEqual(ids);
    expect(ids[0]).toBe(`local-ci-box.backfill.${shas[0]!.slice(0, 12)}-20261101T100000Z`);
    for (const [i, id] of ids.entries()) {
      const checked = await checkRunDir(join(out, id));
      expect(checked.ok).toBe(true);
      if (!checked.ok) continue;
      expect(checked.run).toMatchObject({
        event: 'backfill',
        source: 'local',
        branch: 'main',
        commit: {
          sha: shas[i],
          message: `commit ${i + 1}`,
          author: 'Ada Lovelace',
          time: `2026-11-0${i + 1}T10:00:00Z`,
        },
      });
      const report = JSON.parse(readFileSync(join(out, id, 'tick-bench.json'), 'utf8')) as {
        commit_sha: string;
      };
      expect(report.commit_sha).toBe(shas[i]);
    }
    expect(git(repo, ['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('skips commits already backfilled', async () => {
    makeRepo(repo, [true, true, true]);
    await runBackfill(options(3));
    const again = await runBackfill(options(3));
    expect(again.backfilled).toEqual([]);
    expect(again.skipped.map((s) => s.reason)).toEqual([
      'already backfilled',
      'already backfilled',
      'already backfilled',
    ]);
  });

  it('records a commit whose build fails and goes on with the others', async () => {
    const shas = makeRepo(repo, [true, false, true, true]);
    const result = await runBackfill(options(4));
    expect(result.backfilled).toHaveLength(3);
    expect(result.failed).toEqual([
      {
        sha: shas[1],
        stage: 'build',
        reason: expect.stringMatching(/make -C .*native: expected exit 0, got exit 2: .*broken on purpose/),
      },
    ]);
    const state = JSON.parse(readFileSync(join(out, 'backfill-state.json'), 'utf8'));
    expect(state.failed[shas[1]!]).toMatchObject({ stage: 'build' });
    expect(readdirSync(out).filter((f) => f.startsWith('local-'))).toHaveLength(3);
    expect(git(repo, ['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it.each([
    ['only the last N commits', 2, 2],
    ['every commit when N exceeds the history', 10, 3],
  ])('takes %s', async (_name, n, want) => {
    makeRepo(repo, [true, true, true]);
    expect((await runBackfill(options(n))).backfilled).toHaveLength(want);
  });
});

describe('backfillRunId', () => {
  it.each([
    [
      'vm',
      'a'.repeat(40),
      '2026-11-01T11:00:00+01:00',
      `local-vm.backfill.${'a'.repeat(12)}-20261101T100000Z`,
    ],
    [
      'my host!',
      'b'.repeat(40),
      '2026-11-01T10:00:00Z',
      `local-my-host.backfill.${'b'.repeat(12)}-20261101T100000Z`,
    ],
  ])('%s %s %s -> %s', (host, sha, time, want) => {
    const id = backfillRunId(host, sha, time);
    expect(id).toBe(want);
    expect(id).toMatch(/^local-[A-Za-z0-9_.-]+-[0-9]{8}T[0-9]{6}Z$/);
  });
});
