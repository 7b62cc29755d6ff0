// What `npm run setup` looks at: tools on PATH, the environment's overrides, root/sudo, apt and the npm
// lockfiles, gathered into the SetupFacts that plan.mjs decides on. Node builtins only (runs before npm ci).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import {
  AARCH64_CC_NAME,
  CC_NAMES,
  CHROME_NAMES,
  QEMU_AARCH64_NAME,
  findAcornParent,
  needsArm64CrossTools,
} from './plan.mjs';

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
 * First executable `name` in the folders of `path`, like `command -v`.
 * @param {string} name
 * @param {string} path  a PATH value
 * @returns {string | null}
 */
function which(name, path) {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/**
 * @param {readonly string[]} names
 * @param {string} path
 */
function whichFirst(names, path) {
  for (const name of names) {
    const found = which(name, path);
    if (found) return found;
  }
  return null;
}

/**
 * @param {string} p
 * @returns {number | null} the mtime in ms, or null when there is no such file
 */
export function mtimeOrNull(p) {
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
 * Debian's /usr/bin/emcc is a small sh wrapper around /usr/share/emscripten/emcc.py. emsdk's (what the
 * setup-emsdk action puts on PATH: <emsdk>/upstream/emscripten/emcc) is a small sh launcher of its own
 * emcc.py, and never names /usr/share/emscripten.
 * @param {string} emcc
 */
export function isDebianEmcc(emcc) {
  try {
    const real = realpathSync(emcc);
    if (real.startsWith('/usr/share/emscripten/')) return true;
    if (statSync(real).size > 64 * 1024) return false;
    return readFileSync(real, 'utf8').includes('/usr/share/emscripten/');
  } catch {
    return false; // unreadable wrapper: treat as a non-Debian emcc, which needs no NODE_PATH
  }
}

/** @param {string} path */
function acornParentFromDpkg(path) {
  if (!which('dpkg', path)) return null;
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

/**
 * Whether the arm64 cross compiler finds a libc.a to link static binaries with (libc6-dev-arm64-cross):
 * gcc prints the full path of a file it finds, and the bare name when it finds none.
 * @param {string | null} compiler
 */
function crossLibcFound(compiler) {
  if (!compiler) return false;
  const out = spawnSync(compiler, ['-print-file-name=libc.a'], { encoding: 'utf8' });
  const path = out.status === 0 ? out.stdout.trim() : '';
  return path.startsWith('/') && exists(path);
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
 * @param {{env?: NodeJS.ProcessEnv, root: string, arch?: string}} opts  env: default process.env; root: the
 *   repository; arch: default process.arch (tests pass another to see that machine's plan)
 * @returns {import('./plan.mjs').SetupFacts}
 */
export function gatherFacts({ env = process.env, root, arch = process.arch }) {
  const path = env.PATH ?? '';
  const noBrowserEnv = nonEmpty(env.KNHK_NO_BROWSER);
  const chromePathEnv = nonEmpty(env.CHROME_PATH);
  const emccEnv = nonEmpty(env.EMCC);
  const emccPath = emccEnv ? (isExecutableFile(emccEnv) ? resolve(emccEnv) : null) : which('emcc', path);
  const emccIsDebian = emccPath !== null && isDebianEmcc(emccPath);
  const cc = whichFirst(CC_NAMES, path);
  const make = which('make', path);
  const chromeOnPath = whichFirst(CHROME_NAMES, path);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasAptGet = which('apt-get', path) !== null;
  const wantsBrowser = noBrowserEnv !== '1';
  const cross = needsArm64CrossTools(arch);
  const aarch64Cc = cross ? which(AARCH64_CC_NAME, path) : null;
  const aarch64Libc = crossLibcFound(aarch64Cc);
  const qemuAarch64 = cross ? which(QEMU_AARCH64_NAME, path) : null;
  const needsInstall =
    (wantsBrowser && !chromePathEnv && !chromeOnPath) ||
    !emccPath ||
    !cc ||
    !make ||
    (cross && (!aarch64Cc || !aarch64Libc || !qemuAarch64));
  const canSudo =
    !isRoot &&
    needsInstall &&
    hasAptGet &&
    which('sudo', path) !== null &&
    spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  return {
    noBrowserEnv,
    chromePathEnv: chromePathEnv ? resolve(chromePathEnv) : undefined,
    chromePathEnvUsable: chromePathEnv !== undefined && isExecutableFile(chromePathEnv),
    chromeOnPath,
    emccEnv: emccEnv ? resolve(emccEnv) : undefined,
    emccEnvUsable: emccEnv !== undefined && isExecutableFile(emccEnv),
    emccOnPath: emccEnv ? null : emccPath,
    emccIsDebian,
    emccNodePath: emccIsDebian ? acornParentFromDpkg(path) : null,
    cc,
    make,
    hostArch: arch,
    aarch64Cc,
    aarch64Libc,
    qemuAarch64,
    node: process.execPath,
    hasAptGet,
    isRoot,
    canSudo,
    aptListsEmpty: needsInstall ? aptListsEmpty() : false,
    lockfileMtimeMs: mtimeOrNull(join(root, 'package-lock.json')),
    installedLockMtimeMs: mtimeOrNull(join(root, 'node_modules', '.package-lock.json')),
  };
}
