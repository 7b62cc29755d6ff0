// planSetup decides what `npm run setup` installs and runs; these cases pin each decision.
import { describe, expect, it } from 'vitest';
import {
  decideNpmCi,
  describeMissing,
  findAcornParent,
  formatCommand,
  planSetup,
  type SetupFacts,
} from '../../../scripts/setup/plan.mjs';

/** A machine with everything installed and node_modules fresh; each case overrides what it tests. */
function facts(overrides: Partial<SetupFacts> = {}): SetupFacts {
  return {
    noBrowserEnv: undefined,
    chromePathEnv: undefined,
    chromePathEnvUsable: false,
    chromeOnPath: '/usr/bin/chromium',
    emccEnv: undefined,
    emccEnvUsable: false,
    emccOnPath: '/usr/bin/emcc',
    emccIsDebian: true,
    emccNodePath: '/usr/share/nodejs',
    cc: '/usr/bin/cc',
    make: '/usr/bin/make',
    hostArch: 'x64',
    aarch64Cc: '/usr/bin/aarch64-linux-gnu-gcc',
    aarch64Libc: true,
    qemuAarch64: '/usr/bin/qemu-aarch64',
    node: '/usr/bin/node',
    hasAptGet: true,
    isRoot: true,
    canSudo: false,
    aptListsEmpty: false,
    lockfileMtimeMs: 1_000,
    installedLockMtimeMs: 2_000,
    ...overrides,
  };
}

const NOTHING: Partial<SetupFacts> = {
  chromeOnPath: null,
  emccOnPath: null,
  emccIsDebian: false,
  emccNodePath: null,
  cc: null,
  make: null,
};
/** An x86-64 machine without the arm64 cross tools of make -C native test-neon. */
const NO_CROSS: Partial<SetupFacts> = { aarch64Cc: null, aarch64Libc: false, qemuAarch64: null };
const CROSS_PACKAGES = ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'qemu-user'];
const INSTALL = 'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends';

describe('planSetup', () => {
  it.each<[string, Partial<SetupFacts>, string | null]>([
    [
      'uses CHROME_PATH when it is an executable',
      { chromePathEnv: '/opt/chrome/chrome', chromePathEnvUsable: true, chromeOnPath: null },
      '/opt/chrome/chrome',
    ],
    [
      'prefers CHROME_PATH over chromium on PATH',
      { chromePathEnv: '/opt/chrome/chrome', chromePathEnvUsable: true },
      '/opt/chrome/chrome',
    ],
    ['uses chromium found on PATH', {}, '/usr/bin/chromium'],
    [
      'uses google-chrome found on PATH',
      { chromeOnPath: '/usr/bin/google-chrome' },
      '/usr/bin/google-chrome',
    ],
  ])('%s', (_name, override, want) => {
    const plan = planSetup(facts(override));
    expect(plan.tools.chrome_path).toBe(want);
    expect(plan.exitCode).toBe(0);
    expect(plan.aptPackages).toEqual([]);
    expect(plan.commands).toEqual([]);
  });

  it('exits 2 naming the value when CHROME_PATH is not an executable, even if chromium is on PATH', () => {
    const plan = planSetup(facts({ chromePathEnv: '/nope/chrome', chromePathEnvUsable: false }));
    expect(plan.exitCode).toBe(2);
    expect(plan.errors).toEqual([
      'knhk: setup: CHROME_PATH is not an executable file: expected a path to a Chrome or Chromium binary, got /nope/chrome',
    ]);
    expect(plan.commands).toEqual([]);
  });

  it('exits 2 when EMCC is set but not an executable', () => {
    const plan = planSetup(facts({ emccEnv: '/nope/emcc', emccEnvUsable: false }));
    expect(plan.exitCode).toBe(2);
    expect(plan.errors[0]).toMatch(/^knhk: setup: EMCC is not an executable file: .*got \/nope\/emcc$/);
  });

  it.each<[string, Partial<SetupFacts>, { emcc: string | null; node: string | null }]>([
    ["records NODE_PATH for Debian's emcc", {}, { emcc: '/usr/bin/emcc', node: '/usr/share/nodejs' }],
    [
      "needs no NODE_PATH for emsdk's emcc",
      { emccOnPath: '/opt/emsdk/upstream/emscripten/emcc', emccIsDebian: false, emccNodePath: null },
      { emcc: '/opt/emsdk/upstream/emscripten/emcc', node: null },
    ],
    [
      'accepts EMCC from the environment',
      { emccEnv: '/opt/emsdk/emcc', emccEnvUsable: true, emccOnPath: null, emccIsDebian: false },
      { emcc: '/opt/emsdk/emcc', node: null },
    ],
  ])('%s', (_name, override, want) => {
    const plan = planSetup(facts(override));
    expect(plan.tools.emcc).toBe(want.emcc);
    expect(plan.tools.emcc_node_path).toBe(want.node);
    expect(plan.exitCode).toBe(0);
  });

  it.each<[string, Partial<SetupFacts>, string[]]>([
    ['nothing present as root: one apt list', NOTHING, ['chromium', 'emscripten', 'build-essential']],
    ['only the browser missing', { chromeOnPath: null }, ['chromium']],
    ['only emcc missing', { emccOnPath: null, emccIsDebian: false, emccNodePath: null }, ['emscripten']],
    ["Debian's emcc without acorn", { emccNodePath: null }, ['node-acorn']],
    ['only make missing: make, not build-essential', { make: null }, ['make']],
    ['compiler and make missing: build-essential brings make', { cc: null, make: null }, ['build-essential']],
    ['the arm64 cross tools missing on x86-64', NO_CROSS, CROSS_PACKAGES],
    [
      'only the arm64 libc missing (a Recommends that --no-install-recommends skips)',
      { aarch64Libc: false },
      ['libc6-dev-arm64-cross'],
    ],
    ['only qemu-aarch64 missing', { qemuAarch64: null }, ['qemu-user']],
    [
      'everything missing on x86-64',
      { ...NOTHING, ...NO_CROSS },
      ['chromium', 'emscripten', 'build-essential', ...CROSS_PACKAGES],
    ],
  ])('apt-installs what is missing when %s', (_name, override, want) => {
    const plan = planSetup(facts(override));
    expect(plan.exitCode).toBe(0);
    expect(plan.aptPackages).toEqual(want);
    expect(plan.commands.map(formatCommand)).toEqual([`${INSTALL} ${want.join(' ')}`]);
    expect(plan.aptInstall?.argv).toContain('-y');
  });

  it('runs apt-get update first only when the package lists are empty', () => {
    const fresh = planSetup(facts({ ...NOTHING, aptListsEmpty: true }));
    expect(fresh.commands.map((c) => c.label)).toEqual(['apt-update', 'apt-install']);
    const kept = planSetup(facts({ ...NOTHING, aptListsEmpty: false }));
    expect(kept.commands.map((c) => c.label)).toEqual(['apt-install']);
    // Kept for the retry after a failed install (stale lists).
    expect(kept.aptUpdate?.argv.slice(-2)).toEqual(['apt-get', 'update']);
  });

  it('prefixes sudo -n when not root but passwordless sudo works', () => {
    const plan = planSetup(facts({ ...NOTHING, isRoot: false, canSudo: true }));
    expect(plan.exitCode).toBe(0);
    expect(plan.sudo).toBe(true);
    expect(formatCommand(plan.aptInstall!)).toBe(`sudo -n ${INSTALL} chromium emscripten build-essential`);
  });

  it('exits 2 with the exact command when nothing is present and there is no root or sudo', () => {
    const plan = planSetup(facts({ ...NOTHING, isRoot: false, canSudo: false }));
    expect(plan.exitCode).toBe(2);
    expect(plan.manualCommand).toBe('sudo apt-get install -y chromium emscripten build-essential');
    expect(plan.errors.join('\n')).toContain(
      'run: sudo apt-get install -y chromium emscripten build-essential',
    );
    expect(plan.commands).toEqual([]);
  });

  it('exits 2 with the exact command when the arm64 cross tools are missing and there is no root or sudo', () => {
    const plan = planSetup(facts({ ...NO_CROSS, isRoot: false, canSudo: false }));
    expect(plan.exitCode).toBe(2);
    expect(plan.manualCommand).toBe(`sudo apt-get install -y ${CROSS_PACKAGES.join(' ')}`);
    expect(plan.commands).toEqual([]);
  });

  it('records the arm64 cross tools it found on x86-64', () => {
    const plan = planSetup(facts());
    expect(plan.tools).toMatchObject({
      aarch64_cc: '/usr/bin/aarch64-linux-gnu-gcc',
      qemu_aarch64: '/usr/bin/qemu-aarch64',
    });
    expect(plan.found).toEqual(
      expect.arrayContaining([
        'aarch64-linux-gnu-gcc: /usr/bin/aarch64-linux-gnu-gcc',
        'qemu-aarch64: /usr/bin/qemu-aarch64',
      ]),
    );
    expect(plan.notices).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    [
      'arm64, which runs the NEON tests natively',
      'arm64',
      /^neon: this arm64 machine runs make -C native test-neon natively/,
    ],
    [
      'another architecture, which says the neon suite will have no evidence',
      'riscv64',
      /records it as no evidence/,
    ],
  ])('installs no arm64 cross tool on %s', (_name, hostArch, notice) => {
    const plan = planSetup(facts({ ...NO_CROSS, hostArch }));
    expect(plan.exitCode).toBe(0);
    expect(plan.missing).toEqual([]);
    expect(plan.aptPackages).toEqual([]);
    expect(plan.tools).toMatchObject({ aarch64_cc: null, qemu_aarch64: null });
    expect(plan.notices).toEqual([expect.stringMatching(notice)]);
  });

  it('needs no root when nothing is missing', () => {
    const plan = planSetup(facts({ isRoot: false, canSudo: false }));
    expect(plan.exitCode).toBe(0);
    expect(plan.errors).toEqual([]);
  });

  it('exits 2 listing every missing tool on a machine without apt-get', () => {
    const plan = planSetup(facts({ ...NOTHING, hasAptGet: false }));
    expect(plan.exitCode).toBe(2);
    expect(plan.manualCommand).toBeNull();
    expect(plan.errors).toHaveLength(5);
    expect(plan.errors[0]).toContain('no browser found');
    expect(plan.errors[4]).toContain('expected apt-get (Debian/Ubuntu), got none on PATH');
  });

  it.each<[string, Partial<SetupFacts>, boolean]>([
    ['node_modules fresh: no npm ci', {}, false],
    [
      'node_modules older than the lockfile: npm ci',
      { lockfileMtimeMs: 3_000, installedLockMtimeMs: 2_000 },
      true,
    ],
    ['node_modules missing: npm ci', { installedLockMtimeMs: null }, true],
  ])('%s', (_name, override, want) => {
    const plan = planSetup(facts(override));
    expect(plan.runNpmCi).toBe(want);
    if (want) {
      expect(plan.commands.at(-1)).toEqual({
        label: 'npm-ci',
        argv: ['npm', 'ci', '--no-audit', '--no-fund'],
        env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
      });
    }
  });

  describe('with KNHK_NO_BROWSER', () => {
    const SKIPPED =
      'browser: skipped (KNHK_NO_BROWSER=1: no browser on this machine): chrome_path is null, so the end-to-end tests will not run; npm test and npm run gates record them as no evidence, never as passed';

    it.each<[string, Partial<SetupFacts>]>([
      ['no browser on PATH (the ubuntu-24.04-arm runner)', { chromeOnPath: null }],
      [
        'no browser, no apt-get and no root (a macOS runner)',
        { chromeOnPath: null, hasAptGet: false, isRoot: false },
      ],
    ])('=1 skips the browser without apt and says so when %s', (_name, override) => {
      const plan = planSetup(facts({ noBrowserEnv: '1', ...override }));
      expect(plan.exitCode).toBe(0);
      expect(plan.errors).toEqual([]);
      expect(plan.tools.chrome_path).toBeNull();
      expect(plan.missing).toEqual([]);
      expect(plan.aptPackages).toEqual([]);
      expect(plan.commands).toEqual([]);
      expect(plan.notices).toEqual([SKIPPED]);
    });

    it('=1 leaves a browser on PATH unused and names it', () => {
      const plan = planSetup(facts({ noBrowserEnv: '1' }));
      expect(plan.tools.chrome_path).toBeNull();
      expect(plan.found).not.toContainEqual(expect.stringContaining('chromium'));
      expect(plan.notices).toEqual([
        expect.stringContaining(
          '(KNHK_NO_BROWSER=1: no browser on this machine; /usr/bin/chromium on PATH is not used)',
        ),
      ]);
    });

    it('=1 still installs the other missing tools, and only them', () => {
      const plan = planSetup(facts({ ...NOTHING, noBrowserEnv: '1' }));
      expect(plan.exitCode).toBe(0);
      expect(plan.aptPackages).toEqual(['emscripten', 'build-essential']);
      expect(plan.commands.map(formatCommand)).toEqual([`${INSTALL} emscripten build-essential`]);
    });

    it('=0 is the same as unset: the browser is looked for', () => {
      const plan = planSetup(facts({ noBrowserEnv: '0', chromeOnPath: null }));
      expect(plan.notices).toEqual([]);
      expect(plan.aptPackages).toEqual(['chromium']);
    });

    it.each<[string, Partial<SetupFacts>, string]>([
      [
        'another value',
        { noBrowserEnv: 'yes' },
        'knhk: setup: KNHK_NO_BROWSER must be 1 or unset: expected 1 (no browser on this machine), 0 or empty, got yes',
      ],
      [
        'CHROME_PATH too',
        { noBrowserEnv: '1', chromePathEnv: '/opt/chrome/chrome', chromePathEnvUsable: true },
        'knhk: setup: KNHK_NO_BROWSER=1 and CHROME_PATH contradict each other: expected one of them, got both (CHROME_PATH=/opt/chrome/chrome)',
      ],
    ])('exits 2 naming the value when it has %s', (_name, override, error) => {
      const plan = planSetup(facts(override));
      expect(plan.exitCode).toBe(2);
      expect(plan.errors).toEqual([error]);
      expect(plan.commands).toEqual([]);
    });
  });

  it('installs system packages before npm ci', () => {
    const plan = planSetup(facts({ chromeOnPath: null, installedLockMtimeMs: null }));
    expect(plan.commands.map((c) => c.label)).toEqual(['apt-install', 'npm-ci']);
  });
});

describe('decideNpmCi', () => {
  it.each<[string, number | null, number | null, boolean, boolean]>([
    ['runs when node_modules is missing', 1, null, true, false],
    ['runs when the lockfile is newer', 2, 1, true, false],
    ['skips when node_modules is as new as the lockfile', 1, 1, false, false],
    ['fails when there is neither lockfile nor node_modules', null, null, false, true],
    ['skips when node_modules exists without a lockfile', null, 1, false, false],
  ])('%s', (_name, lock, installed, run, hasError) => {
    const got = decideNpmCi(lock, installed);
    expect(got.run).toBe(run);
    expect(got.error !== null).toBe(hasError);
  });
});

describe('findAcornParent', () => {
  it.each<[string, string, string | null]>([
    [
      'finds the folder holding acorn/ in a dpkg listing',
      '/.\n/usr\n/usr/share/nodejs\n/usr/share/nodejs/acorn\n/usr/share/nodejs/acorn/package.json\n/usr/share/nodejs/acorn/bin/acorn\n/usr/bin/acorn\n',
      '/usr/share/nodejs',
    ],
    [
      'prefers the top-level copy over a nested one',
      '/usr/share/nodejs/x/node_modules/acorn/package.json\n/usr/share/nodejs/acorn/package.json\n',
      '/usr/share/nodejs',
    ],
    ['returns null when acorn is not listed', '/usr/bin/acorn\n', null],
    ['returns null for an empty listing', '', null],
  ])('%s', (_name, listing, want) => expect(findAcornParent(listing)).toBe(want));
});

describe('describeMissing', () => {
  it('names each missing tool after a failed install', () => {
    const plan = planSetup(facts({ chromeOnPath: null, make: null }));
    expect(describeMissing(plan)).toEqual([
      'knhk: setup: no browser found: expected CHROME_PATH or one of chromium, chromium-browser, google-chrome, google-chrome-stable on PATH, got none',
      'knhk: setup: no make found: expected make on PATH, got none',
    ]);
  });

  it('names each missing arm64 cross tool and its Debian package', () => {
    expect(describeMissing(planSetup(facts(NO_CROSS)))).toEqual([
      'knhk: setup: no arm64 cross compiler found (make -C native test-neon needs it): expected aarch64-linux-gnu-gcc on PATH (Debian package gcc-aarch64-linux-gnu), got none',
      'knhk: setup: no arm64 C library for static links: expected `aarch64-linux-gnu-gcc -print-file-name=libc.a` to name a file (Debian package libc6-dev-arm64-cross), got none',
      'knhk: setup: no arm64 emulator found (make -C native test-neon runs the arm64 tests in it): expected qemu-aarch64 on PATH (Debian package qemu-user), got none',
    ]);
  });
});
