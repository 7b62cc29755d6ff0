// gatherFacts on a temporary PATH: what a GitHub runner looks like after the setup-emsdk action (emcc
// on PATH from <emsdk>/upstream/emscripten, no EMCC variable), on the arm runner without a browser, and
// an x86-64 machine with and without the arm64 cross tools.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { gatherFacts, isDebianEmcc } from '../../../scripts/setup/facts.mjs';
import { planSetup } from '../../../scripts/setup/plan.mjs';

const TEMP = mkdtempSync(join(tmpdir(), 'knhk-setup-facts-'));
afterAll(() => rmSync(TEMP, { recursive: true, force: true }));

/** Writes an executable script. */
function tool(path: string, text = '#!/bin/sh\nexit 0\n'): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

// The launcher emsdk installs as upstream/emscripten/emcc (emscripten's tools/run_python.sh).
const EMSDK_EMCC = `#!/bin/sh
if [ -z "$PYTHON" ]; then PYTHON=$EMSDK_PYTHON; fi
if [ -z "$PYTHON" ]; then PYTHON=$(command -v python3 2> /dev/null); fi
exec "$PYTHON" -E "$0.py" "$@"
`;
// Debian's /usr/bin/emcc wrapper.
const DEBIAN_EMCC = '#!/bin/sh\nexec python3 /usr/share/emscripten/emcc.py "$@"\n';

const EMSDK = join(TEMP, 'emsdk-cache', 'emsdk-master');
const emcc = tool(join(EMSDK, 'upstream', 'emscripten', 'emcc'), EMSDK_EMCC);
const bin = join(TEMP, 'bin');
tool(join(bin, 'cc'));
tool(join(bin, 'make'));
// The arm64 cross tools, in a folder of their own; the compiler names its libc.a the way gcc's
// -print-file-name does (the full path when the file exists).
const crossBin = join(TEMP, 'cross');
const crossLibc = join(TEMP, 'arm64-sysroot', 'libc.a');
mkdirSync(join(crossLibc, '..'), { recursive: true });
writeFileSync(crossLibc, '');
const aarch64Gcc = tool(join(crossBin, 'aarch64-linux-gnu-gcc'), `#!/bin/sh\necho ${crossLibc}\n`);
const qemu = tool(join(crossBin, 'qemu-aarch64'));
// A cross compiler without libc6-dev-arm64-cross: gcc prints the bare name it could not find.
const bareBin = join(TEMP, 'bare');
tool(join(bareBin, 'aarch64-linux-gnu-gcc'), '#!/bin/sh\necho libc.a\n');
tool(join(bareBin, 'qemu-aarch64'));
const browserBin = join(TEMP, 'browser');
const chromium = tool(join(browserBin, 'chromium'));
// What setup-emsdk prepends to PATH (emsdk construct_env), before the runner's own folders.
const RUNNER_PATH = [EMSDK, join(EMSDK, 'upstream', 'emscripten'), bin].join(delimiter);
// A checkout with node_modules installed after its lockfile (so npm ci is not needed).
const ROOT = join(TEMP, 'repo');
mkdirSync(join(ROOT, 'node_modules'), { recursive: true });
writeFileSync(join(ROOT, 'package-lock.json'), '{}\n');
writeFileSync(join(ROOT, 'node_modules', '.package-lock.json'), '{}\n');
utimesSync(join(ROOT, 'package-lock.json'), 1_700_000_000, 1_700_000_000);

describe('gatherFacts', () => {
  it("accepts the setup-emsdk action's emcc on PATH: no EMCC, no NODE_PATH, nothing to install", () => {
    const facts = gatherFacts({
      env: { PATH: [RUNNER_PATH, browserBin, crossBin].join(delimiter) },
      root: ROOT,
      arch: 'x64',
    });
    expect(facts).toMatchObject({
      emccEnv: undefined,
      emccOnPath: emcc,
      emccIsDebian: false,
      emccNodePath: null,
      chromeOnPath: chromium,
      noBrowserEnv: undefined,
    });
    const plan = planSetup(facts);
    expect(plan.errors).toEqual([]);
    expect(plan.commands).toEqual([]);
    expect(plan.tools).toMatchObject({ emcc, emcc_node_path: null, chrome_path: chromium });
    expect(plan.found).toContain(`emcc: ${emcc}`);
    expect(plan.aptPackages).toEqual([]);
  });

  it('skips the browser on the arm runner with KNHK_NO_BROWSER=1: chrome_path null, no apt', () => {
    const facts = gatherFacts({
      env: { PATH: RUNNER_PATH, KNHK_NO_BROWSER: '1', CHROME_PATH: '' },
      root: ROOT,
      arch: 'arm64',
    });
    expect(facts).toMatchObject({ noBrowserEnv: '1', chromePathEnv: undefined, chromeOnPath: null });
    const plan = planSetup(facts);
    expect(plan.exitCode).toBe(0);
    expect(plan.tools.chrome_path).toBeNull();
    expect(plan.tools.emcc).toBe(emcc);
    expect(plan.commands).toEqual([]);
    expect(plan.notices).toEqual([
      expect.stringMatching(/^browser: skipped \(KNHK_NO_BROWSER=1: /),
      expect.stringMatching(/^neon: this arm64 machine runs make -C native test-neon natively/),
    ]);
    expect(facts).toMatchObject({ hostArch: 'arm64', aarch64Cc: null, qemuAarch64: null });
  });

  it('finds the arm64 cross compiler, its libc.a and qemu-aarch64 on x86-64', () => {
    const facts = gatherFacts({
      env: { PATH: [RUNNER_PATH, crossBin].join(delimiter) },
      root: ROOT,
      arch: 'x64',
    });
    expect(facts).toMatchObject({
      hostArch: 'x64',
      aarch64Cc: aarch64Gcc,
      aarch64Libc: true,
      qemuAarch64: qemu,
    });
    expect(planSetup(facts).tools).toMatchObject({ aarch64_cc: aarch64Gcc, qemu_aarch64: qemu });
  });

  it.each<[string, string, string[]]>([
    ['none of the arm64 cross tools', RUNNER_PATH, ['aarch64-linux-gnu-gcc', 'arm64-libc', 'qemu-aarch64']],
    ['a cross compiler without its libc.a', [RUNNER_PATH, bareBin].join(delimiter), ['arm64-libc']],
  ])('lists what is missing on x86-64 with %s', (_name, PATH, want) => {
    const plan = planSetup(gatherFacts({ env: { PATH, KNHK_NO_BROWSER: '1' }, root: ROOT, arch: 'x64' }));
    expect(plan.missing).toEqual(want);
  });

  it('treats an empty KNHK_NO_BROWSER (a matrix entry without it) as unset', () => {
    const facts = gatherFacts({ env: { PATH: RUNNER_PATH, KNHK_NO_BROWSER: '' }, root: ROOT, arch: 'arm64' });
    expect(facts.noBrowserEnv).toBeUndefined();
    expect(planSetup(facts).missing).toContain('chromium');
  });
});

describe('isDebianEmcc', () => {
  it.each([
    ["emsdk's launcher", EMSDK_EMCC, false],
    ["Debian's wrapper", DEBIAN_EMCC, true],
  ])('%s -> %s', (_name, text, want) => {
    expect(isDebianEmcc(tool(join(TEMP, 'which', String(want), 'emcc'), text))).toBe(want);
  });
});
