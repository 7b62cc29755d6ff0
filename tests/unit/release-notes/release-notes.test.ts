// release-notes: a scripted history in a temporary repository (fixed names and dates, so the SHAs
// and the text are the same on every machine) read into grouped notes, breaking changes first.
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseCommit,
  parseSha256Sums,
  runReleaseNotes,
  groupOf,
} from '../../../scripts/release-notes/index.ts';
import { validateAs } from '../../../app/lib/reports/validate.ts';
import { git, gitEnv, tempDirs } from '../temp.ts';

const { tempDir } = tempDirs();

const FIXTURES = join(import.meta.dirname, '../../fixtures');

/** The scripted history, oldest first: [message, tag after it]. */
const HISTORY: [string, string?][] = [
  ['chore: start the project', 'v1.0.0'],
  ['feat(api): add ASK_OP'],
  ['fix: refuse a run longer than 8 lanes'],
  ['docs: explain the triples format'],
  ['feat!: drop the v0 report format'],
  ['perf(clock): serialise counter reads with lfence'],
  [
    'refactor(dispatch): choose the variant once\n\nCallers pay one dispatch per batch.\n\nBREAKING CHANGE: knhk_dispatch() is gone;\nuse knhk_variant_choose() once per batch.\nRefs: #12',
  ],
  ['refactor: split the CLI commands'],
  ['test: shared vectors for every op'],
  ['build: deterministic ar archives'],
  ['ci: arm64 job'],
  ['chore(deps): bump vite'],
  ['Update the README'],
  ['style: prettier'],
  [
    'fix(cli)!: exit 2 on a bad triples file\n\nBREAKING-CHANGE: scripts that relied on exit 1 must check for 2.',
  ],
  ['chore(release): 1.1.0', 'v1.1.0'],
];

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };

/** Builds the repository: one commit per message, a minute apart from 2026-12-01T10:00:00Z. */
function buildRepo(): string {
  const dir = tempDir('knhk-notes-');
  git(dir, ['init', '-q', '-b', 'main'], gitEnv(ADA));
  HISTORY.forEach(([message, tag], i) => {
    const version = i === HISTORY.length - 1 ? '1.1.0' : '1.0.0';
    writeFileSync(join(dir, 'package.json'), `{\n  "name": "knhk",\n  "version": "${version}"\n}\n`);
    appendFileSync(join(dir, 'changes.txt'), `${i}\n`);
    const date = new Date(Date.UTC(2026, 11, 1, 10, i)).toISOString();
    git(dir, ['add', '-A'], gitEnv(ADA, date));
    git(dir, ['commit', '-q', '-m', message], gitEnv(ADA, date));
    if (tag) git(dir, ['tag', tag], gitEnv(ADA, date));
  });
  return dir;
}

function headings(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((l) => l.startsWith('## '))
    .map((l) => l.slice(3));
}

function gateReport(sha: string, runId: string): unknown {
  const doc = JSON.parse(
    readFileSync(join(FIXTURES, 'gate-report/valid-go-advisory-finding.json'), 'utf8'),
  ) as Record<string, unknown>;
  return { ...doc, commit_sha: sha, run_id: runId };
}

describe('parseCommit', () => {
  it.each([
    ['a typed, scoped subject', 'feat(api): add ASK_OP', '', 'feat', 'api', 'add ASK_OP', null],
    ['an upper-case type', 'Fix: typo', '', 'fix', null, 'typo', null],
    ['a ! after the type', 'feat!: drop v0', '', 'feat', null, 'drop v0', 'drop v0'],
    ['a ! after the scope', 'fix(cli)!: exit 2', '', 'fix', 'cli', 'exit 2', 'exit 2'],
    [
      'a BREAKING CHANGE footer',
      'refactor: x',
      'Why.\n\nBREAKING CHANGE: gone\nfor good\nRefs: #1',
      'refactor',
      null,
      'x',
      'gone for good',
    ],
    ['a BREAKING-CHANGE footer', 'fix: x', 'BREAKING-CHANGE: exit codes', 'fix', null, 'x', 'exit codes'],
    [
      'a footer and a !',
      'feat!: x',
      'BREAKING CHANGE: the footer wins',
      'feat',
      null,
      'x',
      'the footer wins',
    ],
    ['a plain subject', 'Update the README', '', null, null, 'Update the README', null],
    ['a space before the colon', 'feat (api): x', '', null, null, 'feat (api): x', null],
    ['no space after the colon', 'feat:x', '', null, null, 'feat:x', null],
  ])('reads %s', (_name, subject, body, type, scope, description, note) => {
    expect(parseCommit({ sha: 'abc', subject, body })).toEqual({
      sha: 'abc',
      type,
      scope,
      description,
      breaking: note !== null,
      breakingNote: note,
    });
  });
});

describe('groupOf', () => {
  it.each([
    ['feat', 'Features'],
    ['fix', 'Fixes'],
    ['perf', 'Performance'],
    ['refactor', 'Refactoring'],
    ['docs', 'Documentation'],
    ['test', 'Tests'],
    ['build', 'Build'],
    ['ci', 'CI'],
    ['chore', 'Chores'],
    ['style', 'Other'],
    ['revert', 'Other'],
    [null, 'Other'],
  ])('puts %s in %s', (type, title) => expect(groupOf(type)).toBe(title));
});

describe('parseSha256Sums', () => {
  it('reads text and binary mode lines and skips the rest', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(parseSha256Sums(`${a}  x.tar.gz\n${b} *y.tar.gz\nnot a line\n`)).toEqual([
      { sha256: a, file: 'x.tar.gz' },
      { sha256: b, file: 'y.tar.gz' },
    ]);
  });
});

describe('runReleaseNotes', () => {
  let repo: string;
  let head: string;
  beforeAll(() => {
    repo = buildRepo();
    head = git(repo, ['rev-parse', 'HEAD']);
  });

  it('matches the expected notes of the fixture history (breaking first, then the groups in order)', async () => {
    const result = await runReleaseNotes({ root: repo });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const expected = readFileSync(join(FIXTURES, 'release-notes/expected-v1.1.0.md'), 'utf8');
    expect(result.markdown).toBe(expected);
    expect(result.from).toEqual({ ref: 'v1.0.0', sha: git(repo, ['rev-parse', 'v1.0.0']) });
    expect(result.commits).toBe(HISTORY.length - 1);
  });

  it('puts breaking changes first, with their notes, and every other type in its group', async () => {
    const result = await runReleaseNotes({ root: repo });
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(headings(result.markdown)).toEqual([
      'Breaking changes',
      'Features',
      'Fixes',
      'Performance',
      'Refactoring',
      'Documentation',
      'Tests',
      'Build',
      'CI',
      'Chores',
      'Other',
      'Checksums',
      'Gate verdicts',
    ]);
    const breaking = result.markdown.split('## Breaking changes\n\n')[1]?.split('\n\n')[0];
    expect(breaking?.split('\n').map((l) => l.replace(/ \(`[0-9a-f]{7}`\)$/, ''))).toEqual([
      '- **fix(cli):** exit 2 on a bad triples file',
      '  - scripts that relied on exit 1 must check for 2.',
      '- **refactor(dispatch):** choose the variant once',
      '  - knhk_dispatch() is gone; use knhk_variant_choose() once per batch.',
      '- **feat:** drop the v0 report format',
    ]);
    // A breaking commit is listed once, in the breaking section only.
    expect(result.markdown.match(/drop the v0 report format/g)).toHaveLength(1);
  });

  it.each([
    ['the previous tag by default', {}, 15, 'v1.0.0'],
    ['an explicit --from', { from: 'HEAD~3' }, 3, 'HEAD~3'],
    ['the first commit when --to has no earlier tag', { to: 'v1.0.0' }, 1, null],
    ['a --to between tags', { to: 'HEAD~1' }, 14, 'v1.0.0'],
  ])('covers the range from %s', async (_name, range, commits, fromRef) => {
    const result = await runReleaseNotes({ root: repo, ...range });
    expect(result.ok && [result.commits, result.from.ref]).toEqual([commits, fromRef]);
  });

  it.each([
    [
      '--to',
      { to: 'no-such-ref' },
      '--to is not a commit: expected a ref such as HEAD or v1.2.3, got "no-such-ref"',
    ],
    ['--from', { from: 'v9.9.9' }, '--from is not a commit: expected a tag or ref, got "v9.9.9"'],
    [
      'an option-like ref',
      { to: '--all' },
      '--to is not a commit: expected a ref such as HEAD or v1.2.3, got "--all"',
    ],
  ])('refuses a bad %s as a usage error', async (_name, range, problem) => {
    expect(await runReleaseNotes({ root: repo, ...range })).toEqual({
      ok: false,
      code: 2,
      problems: [problem],
    });
  });

  it('lists the checksums of SHA256SUMS and the gates of every run of the release commit', async () => {
    const dist = tempDir('knhk-notes-dist-');
    const runs = tempDir('knhk-notes-runs-');
    const digest = 'c'.repeat(64);
    writeFileSync(join(dist, 'SHA256SUMS'), `${digest}  knhk-v1.1.0-x86_64-linux-gnu.tar.gz\n`);
    const write = (run: string, doc: unknown) => {
      mkdirSync(join(runs, run), { recursive: true });
      writeFileSync(join(runs, run, 'gate-report.json'), JSON.stringify(doc));
    };
    write('gh-1-1-x86_64-linux-gnu', gateReport(head, 'gh-1-1-x86_64-linux-gnu'));
    write('gh-2-1-x86_64-linux-gnu', gateReport('f'.repeat(40), 'gh-2-1-x86_64-linux-gnu'));
    write('gh-3-1-aarch64-linux-gnu', {
      ...(gateReport(head, 'gh-3-1-aarch64-linux-gnu') as object),
      verdict: 'maybe',
    });
    const result = await runReleaseNotes({ root: repo, distDir: dist, runsDir: runs });
    if (!result.ok) throw new Error(result.problems.join('; '));
    const tail = result.markdown.slice(result.markdown.indexOf('## Checksums'));
    expect(tail).toContain(`| \`knhk-v1.1.0-x86_64-linux-gnu.tar.gz\` | \`${digest}\` |`);
    expect(tail).toContain('Run `gh-1-1-x86_64-linux-gnu`: **go**');
    expect(tail).toContain('| 1 | Weaver telemetry schema | yes | pass |');
    expect(tail).toContain('| 4 | Security audit | advisory |');
    expect(tail).not.toContain('gh-2-1');
    expect(tail).toMatch(
      /- refused `gh-3-1-aarch64-linux-gnu\/gate-report\.json`: invalid gate report .*\(no evidence\)/,
    );
    expect(tail).not.toContain('no gate report for');
  });

  it('says there is no evidence when no gate report or checksum list is present', async () => {
    const empty = tempDir('knhk-notes-empty-');
    const result = await runReleaseNotes({ root: repo, distDir: empty, runsDir: join(empty, 'runs') });
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.markdown).toContain(`no gate report for ${head}: no evidence\n`);
    expect(result.markdown).toMatch(
      /No SHA256SUMS in the dist dir yet \(run `npm run package` first\): no evidence\./,
    );
  });

  it('writes the notes and points the release.json of the same commit at them', async () => {
    const dist = tempDir('knhk-notes-out-');
    const release = JSON.parse(
      readFileSync(join(FIXTURES, 'release/valid-without-notes.json'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(
      join(dist, 'release.json'),
      JSON.stringify({ ...release, commit_sha: head, notes: { file: null, sha256: null } }),
    );
    const out = join(dist, 'RELEASE_NOTES.md');
    const result = await runReleaseNotes({ root: repo, distDir: dist, runsDir: dist, out });
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.written).toEqual([out, join(dist, 'release.json')]);
    const text = readFileSync(out);
    expect(text.toString()).toBe(result.markdown);
    const updated = JSON.parse(readFileSync(join(dist, 'release.json'), 'utf8')) as unknown;
    expect(validateAs('release', updated).ok).toBe(true);
    expect((updated as { notes: unknown }).notes).toEqual({
      file: 'RELEASE_NOTES.md',
      sha256: createHash('sha256').update(text).digest('hex'),
    });
  });

  it('leaves a release.json of another commit alone, with a warning', async () => {
    const dist = tempDir('knhk-notes-other-');
    cpSync(join(FIXTURES, 'release/valid-without-notes.json'), join(dist, 'release.json'));
    const before = readFileSync(join(dist, 'release.json'), 'utf8');
    const result = await runReleaseNotes({
      root: repo,
      distDir: dist,
      runsDir: dist,
      out: join(dist, 'notes.md'),
    });
    expect(result.ok && result.written).toEqual([join(dist, 'notes.md')]);
    expect(result.ok && result.warnings).toEqual([
      expect.stringMatching(/release\.json is for commit [0-9a-f]{12}, not [0-9a-f]{12}: not updated$/),
    ]);
    expect(readFileSync(join(dist, 'release.json'), 'utf8')).toBe(before);
  });

  it('gives the same text when run twice', async () => {
    const a = await runReleaseNotes({ root: repo });
    const b = await runReleaseNotes({ root: repo });
    expect(a.ok && b.ok && a.markdown === b.markdown).toBe(true);
  });
});
