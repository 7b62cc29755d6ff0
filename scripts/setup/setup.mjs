#!/usr/bin/env node
// `npm run setup`: finds or installs Chromium, emscripten, a C compiler and make, runs `npm ci` when
// node_modules is stale, and writes .knhk/toolchain.json. Node builtins only: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CC_NAMES,
  CHROME_NAMES,
  describeMissing,
  findAcornParent,
  formatCommand,
  planSetup,
} from './plan.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STATE_DIR = join(ROOT, '.knhk');
const TOOLCHAIN_FILE = join(STATE_DIR, 'toolchain.json');
const APT_LOG = join(STATE_DIR, 'setup-apt.log');
const USAGE = `usage: node scripts/setup/setup.mjs [--dry-run]
  Finds (or apt-installs) chromium, emcc, a C compiler and make; runs npm ci when node_modules is stale;
  writes .knhk/toolchain.json. --dry-run prints the plan and changes nothing.
  Env: CHROME_PATH (browser binary), EMCC (emcc binary) override the PATH look-up.`;

/** @param {string} line */
function say(line) {
  process.stdout.write(`setup: ${line}\n`);
}

/** @param {string} p */
function isExecutableFile(p) {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false; // missing, unreadable or not executable: all mean "not usable"
  }
}

/**
 * First executable `name` on PATH, like `command -v`.
 * @param {string} name
 * @returns {string | null}
 */
function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** @param {readonly string[]} names */
function whichFirst(names) {
  for (const name of names) {
    const found = which(name);
    if (found) return found;
  }
  return null;
}

/** @param {string} p */
function mtimeOrNull(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return null; // no such file: the caller treats null as "missing"
  }
}

/** @param {string | undefined} value */
function nonEmpty(value) {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Debian's /usr/bin/emcc is a small sh wrapper around /usr/share/emscripten/emcc.py.
 * @param {string} emcc
 */
function isDebianEmcc(emcc) {
  try {
    const real = realpathSync(emcc);
    if (real.startsWith('/usr/share/emscripten/')) return true;
    if (statSync(real).size > 64 * 1024) return false;
    return readFileSync(real, 'utf8').includes('/usr/share/emscripten/');
  } catch {
    return false; // unreadable wrapper: treat as a non-Debian emcc, which needs no NODE_PATH
  }
}

function acornParentFromDpkg() {
  if (!which('dpkg')) return null;
  const out = spawnSync('dpkg', ['-L', 'node-acorn'], { encoding: 'utf8' });
  if (out.status !== 0) return null;
  const parent = findAcornParent(out.stdout);
  return parent !== null && exists(join(parent, 'acorn', 'package.json')) ? parent : null;
}

/** @param {string} p */
function exists(p) {
  try {
    statSync(p);
    return true;
  } catch {
    return false; // absent
  }
}

function aptListsEmpty() {
  try {
    return !readdirSync('/var/lib/apt/lists').some(
      (f) => f !== 'lock' && f !== 'partial' && f !== 'auxfiles',
    );
  } catch {
    return true; // no lists folder at all
  }
}

/**
 * Looks at the machine. Probes sudo only when something must be installed and we are not root.
 * @returns {import('./plan.mjs').SetupFacts}
 */
function gatherFacts() {
  const chromePathEnv = nonEmpty(process.env.CHROME_PATH);
  const emccEnv = nonEmpty(process.env.EMCC);
  const emccPath = emccEnv ? (isExecutableFile(emccEnv) ? resolve(emccEnv) : null) : which('emcc');
  const emccIsDebian = emccPath !== null && isDebianEmcc(emccPath);
  const cc = whichFirst(CC_NAMES);
  const make = which('make');
  const chromeOnPath = whichFirst(CHROME_NAMES);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasAptGet = which('apt-get') !== null;
  const needsInstall = (!chromePathEnv && !chromeOnPath) || !emccPath || !cc || !make;
  const canSudo =
    !isRoot &&
    needsInstall &&
    hasAptGet &&
    which('sudo') !== null &&
    spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  return {
    chromePathEnv: chromePathEnv ? resolve(chromePathEnv) : undefined,
    chromePathEnvUsable: chromePathEnv !== undefined && isExecutableFile(chromePathEnv),
    chromeOnPath,
    emccEnv: emccEnv ? resolve(emccEnv) : undefined,
    emccEnvUsable: emccEnv !== undefined && isExecutableFile(emccEnv),
    emccOnPath: emccEnv ? null : emccPath,
    emccIsDebian,
    emccNodePath: emccIsDebian ? acornParentFromDpkg() : null,
    cc,
    make,
    node: process.execPath,
    hasAptGet,
    isRoot,
    canSudo,
    aptListsEmpty: needsInstall ? aptListsEmpty() : false,
    lockfileMtimeMs: mtimeOrNull(join(ROOT, 'package-lock.json')),
    installedLockMtimeMs: mtimeOrNull(join(ROOT, 'node_modules', '.package-lock.json')),
  };
}

/**
 * Runs an apt command with its (long) output in .knhk/setup-apt.log; prints the tail when it fails.
 * @param {import('./plan.mjs').SetupCommand} command
 * @returns {boolean} exit 0
 */
function runApt(command) {
  say(`running ${formatCommand(command)} (log: .knhk/setup-apt.log)`);
  mkdirSync(STATE_DIR, { recursive: true });
  const fd = openSync(APT_LOG, 'a');
  const [cmd, ...args] = command.argv;
  const result = spawnSync(/** @type {string} */ (cmd), args, {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...command.env },
  });
  closeSync(fd);
  if (result.status === 0) return true;
  const tail = readFileSync(APT_LOG, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  process.stderr.write(`${tail}\n`);
  process.stderr.write(
    `knhk: setup: ${command.label} failed: expected exit 0, got ${result.status ?? result.signal ?? result.error?.message}\n`,
  );
  return false;
}

/** @param {import('./plan.mjs').SetupPlan} plan */
function installWithApt(plan) {
  const { aptUpdate, aptInstall } = plan;
  if (!aptUpdate || !aptInstall) return true;
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(APT_LOG, ''); // one log per setup run, so a failure's tail is this run's
  let updated = false;
  if (plan.aptUpdateFirst) {
    if (!runApt(aptUpdate)) return false;
    updated = true;
  }
  if (runApt(aptInstall)) return true;
  if (updated) return false;
  // The usual cause of a failed install on a kept machine is stale package lists (404 on a .deb).
  say('apt-get install failed; updating the package lists and trying once more');
  return runApt(aptUpdate) && runApt(aptInstall);
}

/** @param {import('./plan.mjs').SetupCommand} command */
function runNpmCi(command) {
  say(`running ${formatCommand(command)}`);
  const [cmd, ...args] = command.argv;
  const result = spawnSync(/** @type {string} */ (cmd), args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...command.env },
  });
  if (result.status !== 0) {
    process.stderr.write(
      `knhk: setup: npm ci failed: expected exit 0, got ${result.status ?? result.signal}\n`,
    );
    return false;
  }
  // npm writes node_modules/.package-lock.json last; make sure the next run sees it as fresh.
  const lock = mtimeOrNull(join(ROOT, 'package-lock.json'));
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  const installedMtime = mtimeOrNull(installed);
  if (lock !== null && installedMtime !== null && installedMtime < lock) {
    const now = new Date();
    utimesSync(installed, now, now);
  }
  return true;
}

/** @param {import('./plan.mjs').ToolPaths} tools */
function writeToolchain(tools) {
  const doc = { ...tools, node: process.execPath, checked_at: new Date().toISOString() };
  mkdirSync(STATE_DIR, { recursive: true });
  // Write then rename: the test runner or a build may read the file while setup runs again.
  const tmp = `${TOOLCHAIN_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(tmp, TOOLCHAIN_FILE);
}

/** @param {string[]} argv */
function main(argv) {
  let dryRun = false;
  for (const arg of argv) {
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else {
      process.stderr.write(
        `knhk: setup: unknown option: expected --dry-run or --help, got ${arg}\n${USAGE}\n`,
      );
      return 2;
    }
  }

  let plan = planSetup(gatherFacts());
  for (const line of plan.found) say(line);
  if (plan.exitCode !== 0) {
    for (const line of plan.errors) process.stderr.write(`${line}\n`);
    return plan.exitCode;
  }
  if (dryRun) {
    if (plan.missing.length) say(`missing: ${plan.missing.join(', ')}`);
    for (const command of plan.commands) say(`would run: ${formatCommand(command)}`);
    say(`node_modules: ${plan.npmReason}`);
    return 0;
  }

  if (plan.aptInstall) {
    say(`missing: ${plan.missing.join(', ')}; installing ${plan.aptPackages.join(' ')}`);
    if (!installWithApt(plan)) return 1;
    const npmCi = plan.npmCi;
    const before = new Set(plan.found);
    plan = planSetup(gatherFacts());
    for (const line of plan.found) if (!before.has(line)) say(line);
    const still = describeMissing(plan);
    if (still.length || plan.exitCode !== 0) {
      for (const line of [...still, ...plan.errors]) process.stderr.write(`${line}\n`);
      return 1;
    }
    if (npmCi && !plan.npmCi) plan = { ...plan, npmCi, runNpmCi: true };
  }

  if (plan.npmCi) {
    say(`node_modules: ${plan.npmReason}`);
    if (!runNpmCi(plan.npmCi)) return 1;
  } else {
    say(`node_modules: ${plan.npmReason}`);
  }

  say(`node: ${process.execPath} ${process.version}`);
  writeToolchain(plan.tools);
  say('wrote .knhk/toolchain.json');
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `knhk: setup: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 3;
}
