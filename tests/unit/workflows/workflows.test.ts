// The GitHub workflows are thin wrappers over npm scripts: each validates against the workflow schema
// (action-validator), every `run:` line is `npm run <script>` for a script package.json has, every
// action is pinned by commit SHA with its version in a comment, and CI uploads exactly the artifacts
// `collect` looks for.
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ARTIFACT_PREFIX, TARGET_PATTERN } from '../../../scripts/collect/index.ts';
import { NOTES_FILE } from '../../../scripts/package/index.ts';

const DIR = '.github/workflows';
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
  .sort();
const scripts = Object.keys(
  (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts,
);
// The validator is a CommonJS wasm-bindgen module (the CLI, `npx action-validator <file>`, wraps it).
const validator = createRequire(import.meta.url)('@action-validator/core') as {
  validateWorkflow(src: string): { errors: unknown[] };
};

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  container?: string;
  env?: Record<string, unknown>;
  steps?: Step[];
  strategy?: { matrix?: { include?: Record<string, unknown>[] } };
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');
const workflow = (file: string) => parse(read(file)) as Workflow;
const steps = (file: string) => Object.values(workflow(file).jobs).flatMap((j) => j.steps ?? []);

describe('workflows', () => {
  it('are the three the project documents', () => {
    expect(files).toEqual(['ci.yml', 'pages.yml', 'release.yml']);
  });

  it.each(files)('%s validates against the workflow schema', (file) => {
    expect(validator.validateWorkflow(read(file)).errors).toEqual([]);
  });

  it.each(files)('%s runs only npm scripts that package.json defines', (file) => {
    const runs = steps(file).flatMap((s) => (s.run ? s.run.split('\n') : []));
    expect(runs.length).toBeGreaterThan(0);
    for (const line of runs.map((l) => l.trim()).filter(Boolean)) {
      const match = /^npm run ([a-z0-9:_-]+)(\s|$)/.exec(line);
      expect(match, `"${line}": expected "npm run <script> ..."`).not.toBeNull();
      expect(scripts, `"${line}": package.json has no script "${match![1]}"`).toContain(match![1]);
    }
  });

  it.each(files)('%s pins every action by full commit SHA with its version in a comment', (file) => {
    const uses = read(file)
      .split('\n')
      .filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      expect(line, `expected owner/repo@<40 hex> # <version>`).toMatch(
        /uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # \S+/,
      );
    }
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const matrix = ci.jobs.gates!.strategy!.matrix!.include!;

  it('runs the gates on push, on pull requests and on demand, on x86_64 and arm64 Linux and arm64 macOS', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(matrix.map((m) => [m.runner, m.target])).toEqual([
      ['ubuntu-24.04', 'x86_64-linux-gnu'],
      ['ubuntu-24.04-arm', 'aarch64-linux-gnu'],
      ['macos-14', 'aarch64-apple-darwin'],
    ]);
    expect(
      steps('ci.yml')
        .map((s) => s.run)
        .filter(Boolean),
    ).toEqual(['npm run setup', 'npm run gates']);
  });

  it('uploads the run folder as the artifact collect reads: knhk-reports-<target>, .knhk/runs/', () => {
    const upload = steps('ci.yml').find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with).toMatchObject({
      name: `${ARTIFACT_PREFIX}\${{ matrix.target }}`,
      path: '.knhk/runs/',
      'if-no-files-found': 'error',
    });
    for (const m of matrix) expect(m.target).toMatch(TARGET_PATTERN);
  });
});

describe('pages.yml', () => {
  it('collects this repository with its token, then snapshots, builds and deploys', () => {
    const runs = steps('pages.yml')
      .map((s) => s.run)
      .filter(Boolean);
    expect(runs).toEqual([
      'npm run setup',
      expect.stringMatching(/^npm run collect -- --repo \$\{\{ github.repository \}\} .*--published /),
      'npm run snapshot -- --from .knhk/artifacts',
      'npm run build:wasm',
      'npm run build',
    ]);
    const uses = steps('pages.yml').map((s) => s.uses?.split('@')[0]);
    expect(uses).toEqual(
      expect.arrayContaining([
        'actions/configure-pages',
        'actions/cache/restore',
        'actions/cache/save',
        'actions/upload-pages-artifact',
        'actions/deploy-pages',
      ]),
    );
  });
});

describe('release.yml', () => {
  it('packages per target, attests provenance and publishes with SHA256SUMS and notes', () => {
    const release = workflow('release.yml');
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
    const runs = steps('release.yml')
      .map((s) => s.run)
      .filter(Boolean);
    expect(runs).toEqual(
      expect.arrayContaining([
        'npm run gates',
        expect.stringMatching(/^npm run package -- --target/),
        expect.stringMatching(/^npm run package -- --checksums/),
        expect.stringMatching(/^npm run release-notes/),
      ]),
    );
    const uses = steps('release.yml').map((s) => s.uses?.split('@')[0]);
    expect(uses).toEqual(
      expect.arrayContaining(['actions/attest-build-provenance', 'softprops/action-gh-release']),
    );
  });
});

describe.each([
  ['ci.yml', 'gates'],
  ['release.yml', 'build'],
])('%s without a browser', (file, job) => {
  const gates = workflow(file).jobs[job]!;
  const matrix = gates.strategy!.matrix!.include!;

  it('runs the ubuntu-24.04-arm entry in a Debian container (apt chromium) and every entry with a browser', () => {
    expect(gates.container).toBe('${{ matrix.container }}');
    expect(matrix.filter((m) => m.container !== undefined).map((m) => [m.runner, m.container])).toEqual([
      ['ubuntu-24.04-arm', 'node:20-bookworm'],
    ]);
    // No entry gives up its end-to-end evidence.
    expect(matrix.filter((m) => m['no-browser'] === '1')).toEqual([]);
  });
});

describe('release.yml publish', () => {
  const publish = workflow('release.yml').jobs.publish!.steps!;
  const at = (predicate: (s: Step) => boolean) => publish.findIndex(predicate);

  it('sets up without a browser: the job runs no end-to-end tests', () => {
    expect(publish.find((s) => s.run === 'npm run setup')?.env).toEqual({ KNHK_NO_BROWSER: '1' });
  });

  it('checks the downloaded tarballs, then writes the notes where package and the release read them', () => {
    const download = publish.find(
      (s) => s.uses?.startsWith('actions/download-artifact@') && s.with?.pattern === 'knhk-release-*',
    )!;
    const dir = String(download.with!.path);
    const checksums = at((s) => s.run === `npm run package -- --checksums ${dir}`);
    const notes = at((s) => s.run?.startsWith('npm run release-notes') ?? false);
    const release = at((s) => s.uses?.startsWith('softprops/action-gh-release@') ?? false);
    expect(at((s) => s === download)).toBeLessThan(checksums);
    // The notes quote SHA256SUMS and then name themselves in release.json: after the checksums.
    expect(checksums).toBeLessThan(notes);
    expect(notes).toBeLessThan(release);
    const notesFile = `${dir}/${NOTES_FILE}`;
    expect(publish[notes]!.run).toMatch(new RegExp(` --out ${notesFile.replace(/\./g, '\\.')}$`));
    expect(publish[release]!.with).toMatchObject({ body_path: notesFile, files: `${dir}/*` });
  });

  it('gets from each build job only its tarball and .sha256, which --checksums verifies', () => {
    const upload = workflow('release.yml').jobs.build!.steps!.find((s) =>
      String(s.with?.name ?? '').startsWith('knhk-release-'),
    )!;
    expect(String(upload.with!.path).trim().split('\n')).toEqual([
      '.knhk/dist/*.tar.gz',
      '.knhk/dist/*.tar.gz.sha256',
    ]);
  });
});
