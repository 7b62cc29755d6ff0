#!/usr/bin/env node
// `npm run setup`: finds or installs Chromium (none with KNHK_NO_BROWSER=1), emscripten, a C compiler and
// make, and on x86-64 the arm64 cross compiler and qemu-aarch64 (make -C native test-neon), runs `npm ci`
// when node_modules is stale, and writes .knhk/toolchain.json. Node builtins only: it runs before
// node_modules exists.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatherFacts, mtimeOrNull } from './facts.mjs';
import { describeMissing, formatCommand, planSetup } from './plan.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STATE_DIR = join(ROOT, '.knhk');
const TOOLCHAIN_FILE = join(STATE_DIR, 'toolchain.json');
const APT_LOG = join(STATE_DIR, 'setup-apt.log');
const USAGE = `usage: node scripts/setup/setup.mjs [--dry-run]
  Finds (or apt-installs) chromium, emcc, a C compiler and make, and on x86-64 aarch64-linux-gnu-gcc and
  qemu-aarch64 (gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user: the NEON tests run under qemu);
  runs npm ci when node_modules is stale; writes .knhk/toolchain.json. --dry-run prints the plan and
  changes nothing.
  Env: CHROME_PATH (browser binary), EMCC (emcc binary) override the PATH look-up.
       KNHK_NO_BROWSER=1 says this machine has no usable browser (GitHub's ubuntu-24.04-arm runner: no
       Chrome for Testing, and Ubuntu's apt chromium is a snap stub): no browser is looked for or
       installed, chrome_path is null in .knhk/toolchain.json, and the end-to-end tests then have no
       evidence (npm test and npm run gates never count them as passed).`;

/** @param {string} line */
function say(line) {
  process.stdout.write(`setup: ${line}\n`);
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

  let plan = planSetup(gatherFacts({ root: ROOT }));
  for (const line of plan.found) say(line);
  for (const line of plan.notices) say(line);
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
    plan = planSetup(gatherFacts({ root: ROOT }));
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
