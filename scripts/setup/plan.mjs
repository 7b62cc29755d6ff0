// Pure decision logic of `npm run setup`: facts about the machine in, what to install and run out.
// Dependency-free ESM (node: builtins only, and none here): it runs before node_modules exists.

/** Browser commands looked up on PATH, best first. */
export const CHROME_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** C compilers looked up on PATH, first found wins. */
export const CC_NAMES = ['cc', 'gcc', 'clang'];
/** The arm64 cross compiler and emulator `make -C native test-neon` runs on an x86-64 machine. */
export const AARCH64_CC_NAME = 'aarch64-linux-gnu-gcc';
export const QEMU_AARCH64_NAME = 'qemu-aarch64';

/**
 * What setup.mjs found on this machine. Paths are absolute; null means "not found".
 * @typedef {object} SetupFacts
 * @property {string | undefined} noBrowserEnv    KNHK_NO_BROWSER when set and non-empty ("1": no browser here)
 * @property {string | undefined} chromePathEnv   CHROME_PATH when set and non-empty
 * @property {boolean} chromePathEnvUsable        CHROME_PATH names an existing executable file
 * @property {string | null} chromeOnPath         first of CHROME_NAMES on PATH
 * @property {string | undefined} emccEnv         EMCC when set and non-empty
 * @property {boolean} emccEnvUsable              EMCC names an existing executable file
 * @property {string | null} emccOnPath           `emcc` on PATH (Debian's or emsdk's)
 * @property {boolean} emccIsDebian               the emcc in use is Debian's wrapper of /usr/share/emscripten
 * @property {string | null} emccNodePath         folder holding Debian's `acorn/` (from `dpkg -L node-acorn`)
 * @property {string | null} cc                   first of CC_NAMES on PATH
 * @property {string | null} make                 `make` on PATH
 * @property {string} hostArch                    process.arch of this machine ("x64", "arm64", ...)
 * @property {string | null} aarch64Cc            `aarch64-linux-gnu-gcc` on PATH (only needed on x64)
 * @property {boolean} aarch64Libc                that compiler finds libc.a (libc6-dev-arm64-cross: static links)
 * @property {string | null} qemuAarch64          `qemu-aarch64` on PATH (only needed on x64)
 * @property {string} node                        the node binary running setup
 * @property {boolean} hasAptGet                  `apt-get` on PATH
 * @property {boolean} isRoot                     uid 0
 * @property {boolean} canSudo                    `sudo -n true` succeeds (only probed when needed)
 * @property {boolean} aptListsEmpty              /var/lib/apt/lists holds no package list
 * @property {number | null} lockfileMtimeMs      mtime of package-lock.json
 * @property {number | null} installedLockMtimeMs mtime of node_modules/.package-lock.json (npm writes it last)
 */

/**
 * One command to run: argv plus extra environment.
 * @typedef {object} SetupCommand
 * @property {'apt-update' | 'apt-install' | 'npm-ci'} label
 * @property {string[]} argv
 * @property {Record<string, string>} env
 */

/**
 * Tool paths as written to .knhk/toolchain.json (checked_at and node are added by setup.mjs).
 * @typedef {object} ToolPaths
 * @property {string | null} chrome_path  null only with KNHK_NO_BROWSER=1: no browser on this machine
 * @property {string | null} emcc
 * @property {string | null} emcc_node_path
 * @property {string | null} cc
 * @property {string | null} make
 * @property {string | null} aarch64_cc    the arm64 cross compiler of `make -C native test-neon` (null off x64)
 * @property {string | null} qemu_aarch64  its emulator (null off x64: arm64 runs the tests natively)
 */

/**
 * @typedef {object} SetupPlan
 * @property {ToolPaths} tools             what is usable now (before any install)
 * @property {string[]} found              one line per tool found, e.g. "chromium: /usr/bin/chromium"
 * @property {string[]} notices            what setup leaves out on purpose and its consequence (KNHK_NO_BROWSER)
 * @property {string[]} missing            names of the tools not found ("chromium", "emcc", "cc", "make", "acorn",
 *                                         and on x64 "aarch64-linux-gnu-gcc", "arm64-libc", "qemu-aarch64")
 * @property {string[]} aptPackages        Debian packages that provide the missing tools, deduplicated
 * @property {boolean} sudo                apt runs through `sudo -n` (not root, passwordless sudo works)
 * @property {boolean} aptUpdateFirst      the package lists are empty: `apt-get update` before installing
 * @property {SetupCommand | null} aptUpdate   also run (then install retried once) when install fails
 * @property {SetupCommand | null} aptInstall
 * @property {SetupCommand | null} npmCi
 * @property {boolean} runNpmCi
 * @property {string} npmReason            why npm ci runs or not, one short phrase
 * @property {SetupCommand[]} commands     the normal path, in order
 * @property {string | null} manualCommand what the user must run when setup cannot install (exit 2)
 * @property {string[]} errors             `knhk: setup: …` lines for stderr
 * @property {0 | 2} exitCode              2: setup cannot proceed on its own (usage/environment)
 */

/** Which Debian package provides each missing tool; `make` alone is lighter than build-essential. */
const APT_PACKAGE = /** @type {const} */ ({
  chromium: 'chromium',
  emcc: 'emscripten',
  acorn: 'node-acorn',
  cc: 'build-essential',
  make: 'make',
  // The NEON variant's cross build and its emulator (make -C native test-neon). libc6-dev-arm64-cross
  // is only a Recommends of the compiler, which --no-install-recommends leaves out: named on its own.
  [AARCH64_CC_NAME]: 'gcc-aarch64-linux-gnu',
  'arm64-libc': 'libc6-dev-arm64-cross',
  [QEMU_AARCH64_NAME]: 'qemu-user',
});

/**
 * Whether this machine needs the arm64 cross tools to test the NEON variant: x86-64 does (under
 * qemu-aarch64); arm64 runs `make -C native test-neon` natively; elsewhere npm test records the neon
 * suite as no evidence.
 * @param {string} hostArch  process.arch
 */
export function needsArm64CrossTools(hostArch) {
  return hostArch === 'x64';
}

/**
 * Finds the folder that holds `acorn/` in the file list printed by `dpkg -L node-acorn`.
 * Debian's emcc runs node scripts that `require('acorn')`, so NODE_PATH must point there.
 * @param {string} listing  stdout of `dpkg -L node-acorn` (one path per line)
 * @returns {string | null} e.g. "/usr/share/nodejs", or null when acorn's package.json is not listed
 */
export function findAcornParent(listing) {
  /** @type {string[]} */
  const parents = [];
  for (const line of listing.split('\n')) {
    const match = /^(\/.*)\/acorn\/package\.json$/.exec(line.trim());
    if (match?.[1]) parents.push(match[1]);
  }
  // The shortest path is the top-level module folder, not a copy nested in another package.
  parents.sort((a, b) => a.length - b.length);
  return parents[0] ?? null;
}

/**
 * Decides whether node_modules must be (re)installed with `npm ci`.
 * @param {number | null} lockfileMtimeMs       mtime of package-lock.json
 * @param {number | null} installedLockMtimeMs  mtime of node_modules/.package-lock.json
 * @returns {{run: boolean, reason: string, error: string | null}}
 */
export function decideNpmCi(lockfileMtimeMs, installedLockMtimeMs) {
  if (lockfileMtimeMs === null) {
    if (installedLockMtimeMs === null) {
      return {
        run: false,
        reason: 'no package-lock.json',
        error:
          'knhk: setup: cannot install node_modules: expected package-lock.json (npm ci needs it), got no such file',
      };
    }
    return { run: false, reason: 'present (no package-lock.json to compare)', error: null };
  }
  if (installedLockMtimeMs === null) return { run: true, reason: 'node_modules missing', error: null };
  if (installedLockMtimeMs < lockfileMtimeMs) {
    return { run: true, reason: 'node_modules older than package-lock.json', error: null };
  }
  return { run: false, reason: 'up to date', error: null };
}

/**
 * Turns facts into a plan. Never touches the machine.
 * @param {SetupFacts} facts
 * @returns {SetupPlan}
 */
export function planSetup(facts) {
  /** @type {string[]} */
  const errors = [];
  /** @type {string[]} */
  const found = [];
  /** @type {string[]} */
  const missing = [];
  /** @type {string[]} */
  const notices = [];

  // Browser: an explicit CHROME_PATH is a promise; a wrong one is a usage error, never silently replaced.
  // KNHK_NO_BROWSER=1 is the opposite promise (no usable browser here: never look for or install one).
  const noBrowser = facts.noBrowserEnv === '1';
  if (facts.noBrowserEnv !== undefined && facts.noBrowserEnv !== '1' && facts.noBrowserEnv !== '0') {
    errors.push(
      `knhk: setup: KNHK_NO_BROWSER must be 1 or unset: expected 1 (no browser on this machine), 0 or empty, got ${facts.noBrowserEnv}`,
    );
  }
  /** @type {string | null} */
  let chrome = null;
  if (noBrowser) {
    if (facts.chromePathEnv !== undefined) {
      errors.push(
        `knhk: setup: KNHK_NO_BROWSER=1 and CHROME_PATH contradict each other: expected one of them, got both (CHROME_PATH=${facts.chromePathEnv})`,
      );
    } else {
      const unused = facts.chromeOnPath ? `; ${facts.chromeOnPath} on PATH is not used` : '';
      notices.push(
        `browser: skipped (KNHK_NO_BROWSER=1: no browser on this machine${unused}): chrome_path is null, so the end-to-end tests will not run; npm test and npm run gates record them as no evidence, never as passed`,
      );
    }
  } else if (facts.chromePathEnv !== undefined) {
    if (facts.chromePathEnvUsable) {
      chrome = facts.chromePathEnv;
      found.push(`browser: ${chrome} (CHROME_PATH)`);
    } else {
      errors.push(
        `knhk: setup: CHROME_PATH is not an executable file: expected a path to a Chrome or Chromium binary, got ${facts.chromePathEnv}`,
      );
    }
  } else if (facts.chromeOnPath) {
    chrome = facts.chromeOnPath;
    found.push(`${basename(chrome)}: ${chrome}`);
  } else {
    missing.push('chromium');
  }

  /** @type {string | null} */
  let emcc = null;
  if (facts.emccEnv !== undefined) {
    if (facts.emccEnvUsable) {
      emcc = facts.emccEnv;
    } else {
      errors.push(
        `knhk: setup: EMCC is not an executable file: expected a path to emscripten's emcc, got ${facts.emccEnv}`,
      );
    }
  } else if (facts.emccOnPath) {
    emcc = facts.emccOnPath;
  } else {
    missing.push('emcc');
  }
  /** @type {string | null} */
  let emccNodePath = null;
  if (emcc) {
    if (facts.emccIsDebian) {
      emccNodePath = facts.emccNodePath;
      if (emccNodePath) found.push(`emcc: ${emcc} (NODE_PATH=${emccNodePath})`);
      else missing.push('acorn');
    } else {
      found.push(`emcc: ${emcc}${facts.emccEnv !== undefined ? ' (EMCC)' : ''}`);
    }
  }

  if (facts.cc) found.push(`cc: ${facts.cc}`);
  else missing.push('cc');
  if (facts.make) found.push(`make: ${facts.make}`);
  else missing.push('make');

  // NEON: cross-compiled and run under qemu on x86-64, native on arm64.
  const cross = needsArm64CrossTools(facts.hostArch);
  if (cross) {
    if (facts.aarch64Cc) found.push(`${AARCH64_CC_NAME}: ${facts.aarch64Cc}`);
    else missing.push(AARCH64_CC_NAME);
    if (!facts.aarch64Libc) missing.push('arm64-libc');
    if (facts.qemuAarch64) found.push(`${QEMU_AARCH64_NAME}: ${facts.qemuAarch64}`);
    else missing.push(QEMU_AARCH64_NAME);
  } else if (facts.hostArch === 'arm64') {
    notices.push(
      'neon: this arm64 machine runs make -C native test-neon natively (no cross compiler or qemu)',
    );
  } else {
    notices.push(
      `neon: no arm64 cross tools are installed on ${facts.hostArch}: npm test runs the neon suite only when ${AARCH64_CC_NAME} and ${QEMU_AARCH64_NAME} are on PATH, and records it as no evidence otherwise`,
    );
  }

  const aptPackages = dedupe(
    missing
      .map((tool) => APT_PACKAGE[/** @type {keyof typeof APT_PACKAGE} */ (tool)])
      // build-essential already depends on make.
      .filter((pkg) => !(pkg === 'make' && missing.includes('cc'))),
  );

  const npm = decideNpmCi(facts.lockfileMtimeMs, facts.installedLockMtimeMs);
  if (npm.error) errors.push(npm.error);

  /** @type {string | null} */
  let manualCommand = null;
  const sudo = !facts.isRoot && facts.canSudo;
  if (aptPackages.length > 0) {
    if (!facts.hasAptGet) {
      for (const tool of missing) errors.push(missingToolError(tool));
      errors.push(
        `knhk: setup: cannot install ${missing.join(', ')}: expected apt-get (Debian/Ubuntu), got none on PATH; install them with your package manager and run npm run setup again`,
      );
    } else if (!facts.isRoot && !facts.canSudo) {
      manualCommand = `sudo apt-get install -y ${aptPackages.join(' ')}`;
      errors.push(
        `knhk: setup: cannot install ${aptPackages.join(', ')}: expected root or passwordless sudo, got neither; run: ${manualCommand}`,
      );
    }
  }

  const exitCode = errors.length > 0 ? 2 : 0;
  const canInstall = exitCode === 0 && aptPackages.length > 0;
  const aptPrefix = [...(sudo ? ['sudo', '-n'] : []), 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
  /** @type {SetupCommand | null} */
  const aptUpdate = canInstall ? { label: 'apt-update', argv: [...aptPrefix, 'update'], env: {} } : null;
  /** @type {SetupCommand | null} */
  const aptInstall = canInstall
    ? {
        label: 'apt-install',
        argv: [...aptPrefix, 'install', '-y', '--no-install-recommends', ...aptPackages],
        env: {},
      }
    : null;
  const runNpmCi = exitCode === 0 && npm.run;
  /** @type {SetupCommand | null} */
  const npmCi = runNpmCi
    ? {
        label: 'npm-ci',
        argv: ['npm', 'ci', '--no-audit', '--no-fund'],
        env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
      }
    : null;
  const aptUpdateFirst = canInstall && facts.aptListsEmpty;

  /** @type {SetupCommand[]} */
  const commands = [];
  if (aptUpdate && aptUpdateFirst) commands.push(aptUpdate);
  if (aptInstall) commands.push(aptInstall);
  if (npmCi) commands.push(npmCi);

  return {
    tools: {
      chrome_path: chrome,
      emcc,
      emcc_node_path: emccNodePath,
      cc: facts.cc,
      make: facts.make,
      aarch64_cc: cross ? facts.aarch64Cc : null,
      qemu_aarch64: cross ? facts.qemuAarch64 : null,
    },
    found,
    notices,
    missing,
    aptPackages,
    sudo: canInstall && sudo,
    aptUpdateFirst,
    aptUpdate,
    aptInstall,
    npmCi,
    runNpmCi,
    npmReason: npm.reason,
    commands,
    manualCommand,
    errors,
    exitCode,
  };
}

/**
 * The tools still missing after an install: the plan of the re-gathered facts says it.
 * @param {SetupPlan} plan
 * @returns {string[]} `knhk: setup: …` lines, empty when every tool is there
 */
export function describeMissing(plan) {
  return plan.missing.map(missingToolError);
}

/**
 * Renders a command for humans (and for copy-paste into a shell).
 * @param {SetupCommand} command
 * @returns {string}
 */
export function formatCommand(command) {
  const env = Object.entries(command.env).map(([k, v]) => `${k}=${v}`);
  return [...env, ...command.argv].map(shellQuote).join(' ');
}

/** @param {string} tool */
function missingToolError(tool) {
  switch (tool) {
    case 'chromium':
      return `knhk: setup: no browser found: expected CHROME_PATH or one of ${CHROME_NAMES.join(', ')} on PATH, got none`;
    case 'emcc':
      return 'knhk: setup: no emcc found: expected EMCC or emcc on PATH (Debian package emscripten, or emsdk), got none';
    case 'acorn':
      return "knhk: setup: Debian's emcc cannot find acorn: expected `dpkg -L node-acorn` to list acorn/package.json, got nothing";
    case 'cc':
      return `knhk: setup: no C compiler found: expected one of ${CC_NAMES.join(', ')} on PATH, got none`;
    case 'make':
      return 'knhk: setup: no make found: expected make on PATH, got none';
    case AARCH64_CC_NAME:
      return `knhk: setup: no arm64 cross compiler found (make -C native test-neon needs it): expected ${AARCH64_CC_NAME} on PATH (Debian package gcc-aarch64-linux-gnu), got none`;
    case 'arm64-libc':
      return `knhk: setup: no arm64 C library for static links: expected \`${AARCH64_CC_NAME} -print-file-name=libc.a\` to name a file (Debian package libc6-dev-arm64-cross), got none`;
    case QEMU_AARCH64_NAME:
      return `knhk: setup: no arm64 emulator found (make -C native test-neon runs the arm64 tests in it): expected ${QEMU_AARCH64_NAME} on PATH (Debian package qemu-user), got none`;
    default:
      return `knhk: setup: ${tool} not found`;
  }
}

/** @param {string} p */
function basename(p) {
  const parts = p.split('/');
  return parts[parts.length - 1] ?? p;
}

/**
 * @template T
 * @param {T[]} xs
 * @returns {T[]}
 */
function dedupe(xs) {
  return [...new Set(xs)];
}

/** @param {string} word */
function shellQuote(word) {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
