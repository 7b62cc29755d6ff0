// bump-version: one version in package.json, package-lock.json, knhk.h and the Weaver manifest, all
// or nothing; malformed and non-increasing versions are refused with every file left as it was.
import { beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runBumpVersion, unifiedDiff } from '../../../scripts/bump-version/index.ts';
import { tempDirs } from '../temp.ts';

const { tempDir } = tempDirs();

const FILES = {
  'package.json':
    '{\n  "name": "knhk-release-health",\n  "version": "1.4.2",\n  "private": true,\n  "devDependencies": {\n    "vite": "^8.4.1"\n  }\n}\n',
  'package-lock.json':
    '{\n  "name": "knhk-release-health",\n  "version": "1.4.2",\n  "lockfileVersion": 3,\n  "packages": {\n    "": {\n      "name": "knhk-release-health",\n      "version": "1.4.2"\n    },\n    "node_modules/vite": {\n      "version": "8.4.1"\n    }\n  }\n}\n',
  'native/include/knhk.h':
    '/* knhk.h */\n#ifndef KNHK_H\n#define KNHK_H\n/** Library version (semver). */\n#define KNHK_VERSION "1.4.2"\n#define KNHK_MAX_LANES 8u\n#endif\n',
  'registry/registry_manifest.yaml':
    '# manifest\nname: knhk\nsemconv_version: 1.4.2\nschema_base_url: https://knhk.dev/schemas/\n',
} as const;
type FileName = keyof typeof FILES;

function writeTree(root: string, files: Partial<Record<FileName, string>>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

function readTree(root: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const file of Object.keys(FILES)) {
    out[file] = existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : null;
  }
  return out;
}

describe('runBumpVersion', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir('knhk-bump-');
    writeTree(root, FILES);
  });

  it.each([
    ['two parts', '1.2'],
    ['a v prefix', 'v1.2.3'],
    ['four parts', '1.2.3.4'],
    ['a leading zero', '01.2.3'],
    ['build metadata', '1.5.0+build.7'],
    ['an empty string', ''],
    ['a word', 'next'],
  ])('refuses %s (%j) as a usage error and changes nothing', (_name, version) => {
    const before = readTree(root);
    const result = runBumpVersion({ root, version });
    expect(result).toEqual({
      ok: false,
      code: 2,
      problems: [
        expect.stringMatching(
          new RegExp(
            `^not a semantic version: expected X\\.Y\\.Z.*, got "${version.replace(/[.+]/g, '\\$&')}"$`,
          ),
        ),
      ],
    });
    expect(readTree(root)).toEqual(before);
  });

  it.each([
    ['a lower patch', '1.4.1', ''],
    ['a lower minor', '1.3.9', ''],
    ['the same version', '1.4.2', ' (the current version)'],
    ['a pre-release of the current version', '1.4.2-rc.1', ''],
  ])('refuses %s and changes nothing', (_name, version, suffix) => {
    const before = readTree(root);
    const result = runBumpVersion({ root, version });
    expect(result).toEqual({
      ok: false,
      code: 1,
      problems: [
        `version must go up: expected a version above 1.4.2 (package.json, package-lock.json, native/include/knhk.h, registry/registry_manifest.yaml), got "${version}"${suffix}`,
      ],
    });
    expect(readTree(root)).toEqual(before);
  });

  it.each([
    ['a patch', '1.4.3'],
    ['a minor', '1.5.0'],
    ['a major', '2.0.0'],
    ['a pre-release of the next minor', '1.5.0-rc.1'],
  ])('changes the version in every file together for %s', (_name, version) => {
    const result = runBumpVersion({ root, version });
    expect(result.ok).toBe(true);
    const after = readTree(root);
    // Exactly the version strings change: every other byte of every file stays.
    expect(after).toEqual({
      'package.json': FILES['package.json'].replace('"version": "1.4.2"', `"version": "${version}"`),
      'package-lock.json': FILES['package-lock.json'].replaceAll(
        '"version": "1.4.2"',
        `"version": "${version}"`,
      ),
      'native/include/knhk.h': FILES['native/include/knhk.h'].replace('"1.4.2"', `"${version}"`),
      'registry/registry_manifest.yaml': FILES['registry/registry_manifest.yaml'].replace('1.4.2', version),
    });
    // The lock's dependency versions are not the project's.
    expect(after['package-lock.json']).toContain('"version": "8.4.1"');
  });

  it('prints a unified diff and changes nothing in a dry run', () => {
    const before = readTree(root);
    const result = runBumpVersion({ root, version: '1.5.0', dryRun: true });
    expect(readTree(root)).toEqual(before);
    expect(result.ok && result.dryRun).toBe(true);
    if (!result.ok) return;
    expect(result.diff).toBe(
      [
        '--- a/package.json',
        '+++ b/package.json',
        '@@ -2,3 +2,3 @@',
        '   "name": "knhk-release-health",',
        '-  "version": "1.4.2",',
        '+  "version": "1.5.0",',
        '   "private": true,',
        '--- a/package-lock.json',
        '+++ b/package-lock.json',
        '@@ -2,3 +2,3 @@',
        '   "name": "knhk-release-health",',
        '-  "version": "1.4.2",',
        '+  "version": "1.5.0",',
        '   "lockfileVersion": 3,',
        '@@ -7,3 +7,3 @@',
        '       "name": "knhk-release-health",',
        '-      "version": "1.4.2"',
        '+      "version": "1.5.0"',
        '     },',
        '--- a/native/include/knhk.h',
        '+++ b/native/include/knhk.h',
        '@@ -4,3 +4,3 @@',
        ' /** Library version (semver). */',
        '-#define KNHK_VERSION "1.4.2"',
        '+#define KNHK_VERSION "1.5.0"',
        ' #define KNHK_MAX_LANES 8u',
        '--- a/registry/registry_manifest.yaml',
        '+++ b/registry/registry_manifest.yaml',
        '@@ -2,3 +2,3 @@',
        ' name: knhk',
        '-semconv_version: 1.4.2',
        '+semconv_version: 1.5.0',
        ' schema_base_url: https://knhk.dev/schemas/',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [
      'knhk.h has no version macro',
      { 'native/include/knhk.h': '#define KNHK_H\n' },
      'native/include/knhk.h: expected one line #define KNHK_VERSION "x.y.z", got 0 such lines',
    ],
    [
      'the manifest has two semconv_version lines',
      { 'registry/registry_manifest.yaml': 'semconv_version: 1.4.2\nsemconv_version: 1.4.2\n' },
      'registry/registry_manifest.yaml: expected one line semconv_version: x.y.z, got 2 such lines',
    ],
    [
      'package.json is not JSON',
      { 'package.json': '{ "version": "1.4.2", }\n' },
      expect.stringMatching(/^package\.json: not JSON: expected a JSON object, got /),
    ],
    [
      'package.json has no version',
      { 'package.json': '{ "name": "x" }\n' },
      'package.json: no version to update: expected a string at /version, got none',
    ],
  ])('changes no file when %s', (_name, broken, problem) => {
    writeTree(root, broken);
    const before = readTree(root);
    const result = runBumpVersion({ root, version: '1.5.0' });
    expect(result).toEqual({ ok: false, code: 1, problems: [problem] });
    expect(readTree(root)).toEqual(before);
  });

  it('names every file whose version disagrees, and refuses when any holds a higher one', () => {
    writeTree(root, { 'registry/registry_manifest.yaml': 'semconv_version: 1.6.0\n' });
    const result = runBumpVersion({ root, version: '1.5.0' });
    expect(result).toEqual({
      ok: false,
      code: 1,
      problems: [
        'version must go up: expected a version above 1.6.0 (registry/registry_manifest.yaml), got "1.5.0"',
      ],
    });
  });

  it('reports a missing file and changes none of the others', () => {
    rmSync(join(root, 'registry/registry_manifest.yaml'));
    const before = readTree(root);
    const result = runBumpVersion({ root, version: '1.5.0' });
    expect(result).toEqual({
      ok: false,
      code: 1,
      problems: ['registry/registry_manifest.yaml is missing: expected the file, got nothing'],
    });
    expect(readTree(root)).toEqual(before);
  });

  it('updates three files when there is no package-lock.json', () => {
    rmSync(join(root, 'package-lock.json'));
    const result = runBumpVersion({ root, version: '1.4.3' });
    expect(result.ok && result.changes.map((c) => c.file)).toEqual([
      'package.json',
      'native/include/knhk.h',
      'registry/registry_manifest.yaml',
    ]);
  });

  it('updates only the top-level version of a lockfileVersion 1 lock', () => {
    const lock =
      '{\n  "name": "knhk",\n  "version": "1.4.2",\n  "lockfileVersion": 1,\n  "dependencies": {\n    "vite": {\n      "version": "1.4.2"\n    }\n  }\n}\n';
    writeTree(root, { 'package-lock.json': lock });
    expect(runBumpVersion({ root, version: '1.4.3' }).ok).toBe(true);
    expect(readTree(root)['package-lock.json']).toBe(
      lock.replace('"version": "1.4.2"', '"version": "1.4.3"'),
    );
  });

  it("edits copies of the repository's own files in place", () => {
    const repo = join(import.meta.dirname, '../../..');
    const copy = tempDir('knhk-bump-repo-');
    for (const file of Object.keys(FILES)) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(repo, file), join(copy, file));
    }
    const current = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { version: string };
    const result = runBumpVersion({ root: copy, version: '99.0.0' });
    expect(result.ok).toBe(true);
    const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as Record<string, unknown>;
    const lock = JSON.parse(readFileSync(join(copy, 'package-lock.json'), 'utf8')) as {
      version: string;
      packages: Record<string, { version?: string }>;
    };
    expect([pkg.version, lock.version, lock.packages['']?.version]).toEqual(['99.0.0', '99.0.0', '99.0.0']);
    expect(readFileSync(join(copy, 'native/include/knhk.h'), 'utf8')).toContain(
      '#define KNHK_VERSION "99.0.0"\n',
    );
    expect(readFileSync(join(copy, 'registry/registry_manifest.yaml'), 'utf8')).toContain(
      '\nsemconv_version: 99.0.0\n',
    );
    // Only the version lines differ from the originals.
    for (const file of Object.keys(FILES)) {
      const a = readFileSync(join(repo, file), 'utf8').split('\n');
      const b = readFileSync(join(copy, file), 'utf8').split('\n');
      expect(b.length).toBe(a.length);
      const changed = a.filter((line, i) => line !== b[i]);
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.every((line) => line.includes(current.version))).toBe(true);
    }
  });
});

describe('unifiedDiff', () => {
  it.each([
    ['one change in the middle', 'a\nb\nc\nd\n', 'a\nB\nc\nd\n', ['@@ -1,3 +1,3 @@', ' a', '-b', '+B', ' c']],
    ['a change on the first line', 'a\nb\n', 'A\nb\n', ['@@ -1,2 +1,2 @@', '-a', '+A', ' b']],
    [
      'two changes whose context touches share a hunk',
      'a\nb\nc\nd\ne\n',
      'a\nB\nc\nD\ne\n',
      ['@@ -1,5 +1,5 @@', ' a', '-b', '+B', ' c', '-d', '+D', ' e'],
    ],
    [
      'adjacent changed lines are removed, then added',
      'a\nb\nc\nd\n',
      'a\nB\nC\nd\n',
      ['@@ -1,4 +1,4 @@', ' a', '-b', '-c', '+B', '+C', ' d'],
    ],
    [
      'far apart changes get two hunks',
      'a\nb\nc\nd\ne\nf\ng\n',
      'A\nb\nc\nd\ne\nf\nG\n',
      ['@@ -1,2 +1,2 @@', '-a', '+A', ' b', '@@ -6,2 +6,2 @@', ' f', '-g', '+G'],
    ],
  ])('%s', (_name, before, after, hunks) => {
    expect(unifiedDiff('f.txt', before, after)).toBe(
      ['--- a/f.txt', '+++ b/f.txt', ...hunks].join('\n') + '\n',
    );
  });
});
