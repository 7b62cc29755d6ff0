// gatherFacts on a temporary PATH: what a GitHub runner looks like after the setup-emsdk action (emcc
// on PATH from <emsdk>/upstream/emscripten, no EMCC variable) and on the arm runner without a browser.
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
    const facts = gatherFacts({ env: { PATH: `${RUNNER_PATH}${delimiter}${browserBin}` }, root: ROOT });
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
    });
    expect(facts).toMatchObject({ noBrowserEnv: '1', chromePathEnv: undefined, chromeOnPath: null });
    const plan = planSetup(facts);
    expect(plan.exitCode).toBe(0);
    expect(plan.tools.chrome_path).toBeNull();
    expect(plan.tools.emcc).toBe(emcc);
    expect(plan.commands).toEqual([]);
    expect(plan.notices).toEqual([expect.stringMatching(/^browser: skipped \(KNHK_NO_BROWSER=1: /)]);
  });

  it('treats an empty KNHK_NO_BROWSER (a matrix entry without it) as unset', () => {
    const facts = gatherFacts({ env: { PATH: RUNNER_PATH, KNHK_NO_BROWSER: '' }, root: ROOT });
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
