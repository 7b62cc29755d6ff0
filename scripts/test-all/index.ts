// `npm test`: runs every suite (C, C for arm64 NEON, wasm build, pipeline, unit, site build, e2e) in order,
// streams their output, and counts what each proved. A suite with no evidence (0 tests, no report file) fails.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import {
  SUITES,
  emptyCounts,
  failure,
  mergeCounts,
  neonSuiteCounts,
  parsePlaywrightJson,
  parseVitestJson,
  stepCounts,
  sumSuites,
  tapSuiteCounts,
  withExitCode,
  type Counts,
  type SuiteName,
  type SuiteResult,
  type Summary,
} from './sum.ts';

/** Where the runners' JSON reports go (inside the git-ignored .knhk/). */
export const RESULTS_DIR = '.knhk/test-results';
export const VITEST_JSON = `${RESULTS_DIR}/vitest.json`;
export const PLAYWRIGHT_JSON = `${RESULTS_DIR}/playwright.json`;
export const TOOLCHAIN_JSON = '.knhk/toolchain.json';
/** Why e2e did not run when setup found no browser on purpose. */
export const NO_BROWSER = `not run: no browser on this machine (chrome_path is null in ${TOOLCHAIN_JSON}: npm run setup ran with KNHK_NO_BROWSER=1): no evidence`;
/** What `make -C native test-neon` needs off arm64: the cross compiler and the emulator. */
export const NEON_CROSS_TOOLS = ['aarch64-linux-gnu-gcc', 'qemu-aarch64'] as const;

/** Why the neon suite did not run: the tools missing from PATH. */
export function noNeonTools(missing: readonly string[]): string {
  return `not run: ${missing.join(' and ')} not on PATH, so the NEON variant cannot be built and run under qemu (npm run setup installs gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user on Debian x86-64): no evidence`;
}

export interface ExecResult {
  /** Exit code; a signal or a spawn error is reported as non-zero. */
  code: number;
  /** The command's stdout (it is also streamed to the console). */
  stdout: string;
}

export interface ExecOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Runs one command; injectable so tests can fake the runners. */
export type Exec = (command: string, args: readonly string[], opts: ExecOptions) => Promise<ExecResult>;

export interface TestAllOptions {
  /** Repository root the commands run in. Default: the current directory. */
  root?: string;
  /** Suites to run, in the fixed order whatever the order given. Default: all. */
  only?: readonly SuiteName[];
  /** Environment of the commands. Default: process.env (so CI=true passes through). */
  env?: NodeJS.ProcessEnv;
  /** Command runner. Default: spawn, streaming output to this process's stdout/stderr. */
  exec?: Exec;
  /** Where progress headers go. Default: process.stdout. */
  log?: (line: string) => void;
  /** This machine's architecture as process.arch names it; arm64 runs the neon suite natively.
   *  Default: process.arch. */
  arch?: string;
  /** Whether a command is on the PATH of `env`. Default: a look through env.PATH. */
  hasCommand?: (name: string, env: NodeJS.ProcessEnv) => boolean;
}

export interface TestAllResult {
  suites: SuiteResult[];
  summary: Summary;
  /** Suites left out by `only`. */
  notSelected: SuiteName[];
}

/** Paths resolved by scripts/setup/setup.mjs; every field may be missing when setup has not run. */
export interface Toolchain {
  /** null: setup ran with KNHK_NO_BROWSER=1 (no browser on this machine), so e2e has no evidence. */
  chrome_path?: string | null;
  emcc?: string | null;
  emcc_node_path?: string | null;
}

/** Streams a child's output to ours while keeping its stdout for parsing. */
export const spawnExec: Exec = (command, args, opts) =>
  new Promise((resolvePromise) => {
    const child = spawn(command, [...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('error', (error) => {
      process.stderr.write(`knhk: test-all: cannot run ${command}: ${error.message}\n`);
      resolvePromise({ code: 127, stdout: Buffer.concat(chunks).toString('utf8') });
    });
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(chunks).toString('utf8');
      if (signal) process.stderr.write(`knhk: test-all: ${command} was killed by ${signal}\n`);
      resolvePromise({ code: code ?? 128, stdout });
    });
  });

/** Whether `name` is an executable file in a folder of env.PATH, like `command -v`. */
export function isOnPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return statSync(join(dir, name)).isFile();
    } catch {
      return false; // not in this folder, or not executable
    }
  });
}

/** Reads .knhk/toolchain.json; a missing or broken file yields {} (the suites then use the environment). */
export function readToolchain(root: string): Toolchain {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(root, TOOLCHAIN_JSON), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Toolchain) : {};
  } catch {
    return {}; // setup has not run here: CHROME_PATH and NODE_PATH come from the environment, if at all
  }
}

/**
 * Reads a runner's JSON report.
 * @returns the parsed document, or a failure naming the file and what is wrong with it
 */
export function readJsonReport(
  root: string,
  relPath: string,
): { ok: true; json: unknown } | { ok: false; counts: Counts } {
  let text: string;
  try {
    text = readFileSync(join(root, relPath), 'utf8');
  } catch {
    return { ok: false, counts: failure(`no report at ${relPath}: the runner wrote no results`) };
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, counts: failure(`${relPath} is not valid JSON: ${(error as Error).message}`) };
  }
}

/**
 * Runs the selected suites in order and sums them. Never throws for a failing suite: failures are
 * counted. Throws only on bugs.
 */
export async function runTestAll(opts: TestAllOptions = {}): Promise<TestAllResult> {
  const root = opts.root ?? process.cwd();
  const baseEnv = opts.env ?? process.env;
  const exec = opts.exec ?? spawnExec;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const arch = opts.arch ?? process.arch;
  const hasCommand = opts.hasCommand ?? isOnPath;
  const selected = new Set<SuiteName>(opts.only ?? SUITES);
  const toolchain = readToolchain(root);
  const results: SuiteResult[] = [];

  const run = async (command: string, args: readonly string[], env: NodeJS.ProcessEnv = baseEnv) => {
    log(`\n== ${[command, ...args].join(' ')}`);
    return exec(command, args, { cwd: root, env });
  };
  const record = (suite: SuiteName, ...parts: Counts[]) => {
    const result: SuiteResult = { suite, ...mergeCounts(...parts) };
    results.push(result);
    return result;
  };

  // 1. C core: build, then the TAP test binary.
  let nativeBuildFailed = false;
  if (selected.has('c')) {
    log('\n### c: native core (make -C native test)');
    const build = await run('make', ['-C', 'native']);
    nativeBuildFailed = build.code !== 0;
    const test = await run('make', ['-C', 'native', 'test']);
    record(
      'c',
      nativeBuildFailed ? failure(`make -C native exited ${build.code}`) : mergeCounts(),
      tapSuiteCounts(test.stdout, 'make -C native test', test.code),
    );
  }

  // 1b. The NEON variant: the C tests and `knhk selftest` built for arm64, run under qemu-aarch64 (or
  // natively on arm64). Missing tools are no evidence, never a pass: sumSuites counts 0 tests as failed.
  if (selected.has('neon')) {
    log('\n### neon: arm64 NEON variant (make -C native test-neon)');
    const missing = arch === 'arm64' ? [] : NEON_CROSS_TOOLS.filter((tool) => !hasCommand(tool, baseEnv));
    if (missing.length > 0) {
      const why = noNeonTools(missing);
      log(`knhk: test-all: neon: ${why}`);
      record('neon', { ...emptyCounts(), notes: [why] });
    } else {
      const neon = await run('make', ['-C', 'native', 'test-neon']);
      record('neon', neonSuiteCounts(neon.stdout, neon.code));
    }
  }

  // 2. Build steps: the WebAssembly build and the pipeline (knhk bench, manifest, static/data/).
  if (selected.has('wasm')) {
    log('\n### wasm: bash wasm/build.sh');
    const wasmEnv: NodeJS.ProcessEnv = { ...baseEnv };
    if (toolchain.emcc) wasmEnv.EMCC = toolchain.emcc;
    if (toolchain.emcc_node_path) {
      // Debian's emcc requires acorn from here; only this step gets it, so nothing else resolves
      // modules from the system folder by accident.
      wasmEnv.NODE_PATH = [toolchain.emcc_node_path, baseEnv.NODE_PATH].filter(Boolean).join(':');
    }
    const wasm = await run('bash', ['wasm/build.sh'], wasmEnv);
    record('wasm', stepCounts('bash wasm/build.sh', wasm.code));
  }
  if (selected.has('pipeline')) {
    log('\n### pipeline: npm run pipeline');
    if (nativeBuildFailed) {
      record(
        'pipeline',
        failure('not run: make -C native failed, and the pipeline runs the knhk binary it builds'),
      );
    } else {
      const pipeline = await run('npm', ['run', '--silent', 'pipeline']);
      record('pipeline', stepCounts('npm run pipeline', pipeline.code));
    }
  }

  // 3. Unit tests (Vitest), after generating the validators they import.
  if (selected.has('unit')) {
    log('\n### unit: vitest');
    const gen = await run('npm', ['run', '--silent', 'gen']);
    const genCounts = gen.code === 0 ? mergeCounts() : failure(`npm run gen exited ${gen.code}`);
    mkdirSync(join(root, RESULTS_DIR), { recursive: true });
    rmSync(join(root, VITEST_JSON), { force: true }); // a stale report must never count
    const vitest = await run('npx', [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile=${VITEST_JSON}`,
    ]);
    const report = readJsonReport(root, VITEST_JSON);
    const counts = report.ok
      ? withExitCode(parseVitestJson(report.json), 'vitest run', vitest.code)
      : report.counts;
    record('unit', genCounts, counts);
  }

  // 4. The static site.
  let siteBuildFailed = false;
  if (selected.has('build')) {
    log('\n### build: npm run build');
    const build = await run('npm', ['run', '--silent', 'build']);
    siteBuildFailed = build.code !== 0;
    record('build', stepCounts('npm run build', build.code));
  }

  // 5. End-to-end tests in real Chromium, against the site just built.
  if (selected.has('e2e')) {
    log('\n### e2e: playwright');
    if (siteBuildFailed) {
      record('e2e', failure('not run: the site build failed, so there is no site to test'));
    } else if (toolchain.chrome_path === null) {
      // Setup recorded that this machine has no browser: Playwright would fall back to a path that is
      // not there (or a snap stub). 0 tests is no evidence, which sumSuites counts as a failure and the
      // gates report as `no-evidence`: never a pass.
      log(`knhk: test-all: e2e: ${NO_BROWSER}`);
      record('e2e', { ...emptyCounts(), notes: [NO_BROWSER] });
    } else {
      mkdirSync(join(root, RESULTS_DIR), { recursive: true });
      rmSync(join(root, PLAYWRIGHT_JSON), { force: true });
      const env: NodeJS.ProcessEnv = {
        ...baseEnv,
        PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON,
        // Playwright resolves _NAME against the config's folder but _FILE against the cwd; the absolute
        // _FILE makes the location independent of where playwright.config.ts lives.
        PLAYWRIGHT_JSON_OUTPUT_FILE: join(root, PLAYWRIGHT_JSON),
      };
      const chrome = toolchain.chrome_path ?? baseEnv.CHROME_PATH;
      if (chrome) env.CHROME_PATH = chrome;
      else
        log(
          'knhk: test-all: no browser path: expected chrome_path in .knhk/toolchain.json (run npm run setup), got none',
        );
      const pw = await run('npx', ['playwright', 'test', '--reporter=list,json'], env);
      const report = readJsonReport(root, PLAYWRIGHT_JSON);
      const counts = report.ok
        ? withExitCode(parsePlaywrightJson(report.json), 'playwright test', pw.code)
        : report.counts;
      record('e2e', counts);
    }
  }

  return {
    suites: results,
    summary: sumSuites(results),
    notSelected: SUITES.filter((s) => !selected.has(s)),
  };
}
