// `npm run gates`: runs the four quality gates, writes a gate report (knhk.gate-report/v1) and the run
// manifest (knhk.run/v1) under .knhk/runs/<run-id>/, and returns them. Every green mark traces to a
// check that could have been red: a gate without evidence is `no-evidence`, never `pass`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readHeadCommit, toUtc, type CommitInfo } from '../lib/git.ts';
import { exec as defaultExec, type Exec } from '../lib/exec.ts';
import {
  buildRunManifest,
  describeRunner,
  detectTarget,
  runIdentity,
  writeReport,
  writeRunManifest,
} from '../lib/run-manifest.ts';
import { runTestAll } from '../test-all/index.ts';
import { validateAs } from '../../app/lib/reports/validate.ts';
import { rollupRun } from '../../app/lib/health/verdict.ts';
import type { Gate, GateReport, RunManifest } from '../../app/lib/reports/types.ts';
import {
  GATES,
  finishGate,
  type BenchOutcome,
  type EmitCommand,
  type GateContext,
  type GateId,
  type LiveCheckSettings,
  type PortProbe,
  type TestAllRunner,
} from './context.ts';
import { runWeaverGate } from './weaver.ts';
import { runBuildGate } from './build.ts';
import { runBench, runTestsGate } from './tests.ts';
import { runSecurityGate } from './security.ts';

export { GATES, type GateId } from './context.ts';

export interface GatesOptions {
  /** Repository root: commands run here and paths are relative to it. */
  root: string;
  /** Where run folders go. Default: <root>/.knhk/runs. */
  runsDir?: string;
  /** Gates to run (default all). Gates left out are not in the report, so its verdict is then
   *  `no-evidence` (a missing blocking gate is missing evidence). */
  only?: readonly GateId[];
  /** Leave out the site build and the end-to-end tests (local use). */
  quick?: boolean;
  /** Read this Weaver live-check report instead of running a live-check. */
  weaverReport?: string;
  /** Environment of the commands and of the run identity. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Command runner. Default: scripts/lib/exec.ts. */
  exec?: Exec;
  /** `npm test`'s suite runner. Default: scripts/test-all's runTestAll. */
  testAll?: TestAllRunner;
  now?: () => Date;
  /** Host name in a local run id. Default: this machine's. */
  host?: string;
  /** The commit judged. Default: HEAD of root. */
  commit?: CommitInfo;
  /** GNU target triple. Default: `cc -dumpmachine`. */
  target?: string;
  /** Paths relative to root. */
  knhkBinary?: string;
  nativeDir?: string;
  registryDir?: string;
  /** Folders scanned for forbidden patterns. Default: app, scripts. */
  scanDirs?: readonly string[];
  weaverBinary?: string;
  ports?: PortProbe;
  liveCheck?: Partial<LiveCheckSettings>;
  emitCommand?: EmitCommand;
  /** Progress lines. Default: stderr. */
  log?: (line: string) => void;
  /** Stream every command's output to stderr. */
  verbose?: boolean;
}

export interface GatesResult {
  report: GateReport;
  manifest: RunManifest;
  runId: string;
  runDir: string;
  /** Paths of the files written (reports, then run.json). */
  files: string[];
  /** Gates not run (--only). */
  notRun: GateId[];
  /** 1 when a blocking gate that ran failed or has no evidence, else 0. */
  exitCode: 0 | 1;
}

/** Gates run in this order: the C build (Gate 2) and the suites (Gate 3) build what Gate 1's bench
 *  telemetry and Gate 3's budget need; the report lists them by number. */
const EXECUTION_ORDER: readonly GateId[] = ['build', 'tests', 'weaver', 'security'];

const RUNNERS: Record<GateId, (ctx: GateContext) => Promise<Gate['checks']>> = {
  weaver: runWeaverGate,
  build: runBuildGate,
  tests: runTestsGate,
  security: runSecurityGate,
};

const DEFAULT_LIVE_CHECK: LiveCheckSettings = {
  port: 4317,
  adminPort: 4320,
  inactivityTimeoutS: 5,
  readyTimeoutMs: 30_000,
};

/** Sends a bench report's telemetry with this repository's emitter (scripts/emit-telemetry). */
export const defaultEmitCommand: EmitCommand = (benchFile) => ({
  command: 'npx',
  args: ['tsx', 'scripts/emit-telemetry/cli.ts', '--bench', benchFile],
});

/**
 * Runs the selected gates and writes gate-report.json and run.json (plus tick-bench.json when the
 * bench ran, and the Weaver live-check report when there is one) in the run's folder.
 * @throws Error only for bugs or an unusable checkout (no git commit): failing gates are results
 */
export async function runGates(opts: GatesOptions): Promise<GatesResult> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const root = resolve(opts.root);
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const verbose = opts.verbose ?? false;
  const baseExec = opts.exec ?? defaultExec;
  const exec: Exec = verbose
    ? (command, args, o) => baseExec(command, args, { ...o, echo: (chunk) => process.stderr.write(chunk) })
    : baseExec;
  const commit = opts.commit ?? readHeadCommit(root);
  const target = opts.target ?? (await detectTarget(exec, root));
  const identity = runIdentity({ env, host: opts.host ?? hostname(), at: started, target });
  const runsDir = opts.runsDir ?? join(root, '.knhk', 'runs');
  const runDir = join(runsDir, identity.id);
  mkdirSync(runDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'knhk-gates-'));

  // One bench per run, shared by Gate 3 (budget) and Gate 1 (telemetry); set when first asked for.
  const benchRun: { promise: Promise<BenchOutcome> | null } = { promise: null };
  const ctx: GateContext = {
    root,
    env,
    exec,
    quick: opts.quick ?? false,
    commitSha: commit.sha,
    knhkBinary: opts.knhkBinary ?? 'native/build/knhk',
    nativeDir: opts.nativeDir ?? 'native',
    registryDir: opts.registryDir ?? 'registry',
    scanDirs: opts.scanDirs ?? ['app', 'scripts'],
    weaverBinary: opts.weaverBinary ?? 'weaver',
    ...(opts.weaverReport ? { weaverReport: opts.weaverReport } : {}),
    testAll: opts.testAll ?? runTestAll,
    ports: opts.ports ?? tcpPorts,
    liveCheck: { ...DEFAULT_LIVE_CHECK, ...opts.liveCheck },
    emitCommand: opts.emitCommand ?? defaultEmitCommand,
    workDir,
    runDir,
    nativeBuild: 'not-run',
    bench: () => (benchRun.promise ??= runBench(ctx)),
    artifacts: [],
    log,
    verbose,
  };

  const selected = new Set<GateId>(opts.only ?? GATES.map((g) => g.id));
  const gates: Gate[] = [];
  try {
    for (const id of EXECUTION_ORDER) {
      if (!selected.has(id)) continue;
      const def = GATES.find((g) => g.id === id)!;
      log(`gates: gate ${def.number} (${def.id}): ${def.name}${def.blocking ? '' : ' (advisory)'}`);
      const checks = await RUNNERS[id](ctx);
      for (const c of checks) {
        log(`gates:   ${c.status.padEnd(11)} ${c.id} (${(c.duration_ms / 1000).toFixed(1)} s): ${c.reason}`);
      }
      gates.push(finishGate(def, checks));
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  gates.sort((a, b) => a.number - b.number);

  const report: GateReport = {
    schema: 'knhk.gate-report/v1',
    run_id: identity.id,
    commit_sha: commit.sha,
    generated_at: toUtc(now().toISOString()),
    verdict: rollupRun(gates),
    gates,
  };
  const checked = validateAs('gate-report', report);
  if (!checked.ok) {
    throw new Error(`internal: the gate report is invalid: ${JSON.stringify(checked.issues)}`);
  }
  const gateRef = writeReport(
    runDir,
    'gate-report',
    'gate-report.json',
    `${JSON.stringify(report, null, 2)}\n`,
  );
  const bench = benchRun.promise ? (await benchRun.promise).report : undefined;
  const manifest = writeRunManifest(
    runDir,
    buildRunManifest({
      identity,
      commit,
      target: bench?.target ?? target,
      runner: describeRunner(bench?.cpu.model),
      startedAt: started,
      finishedAt: now(),
      reports: [gateRef, ...ctx.artifacts],
    }),
  );
  const files = [gateRef, ...ctx.artifacts].map((r) => join(runDir, r.file));
  files.push(join(runDir, 'run.json'));
  const ran = gates.filter((g) => g.blocking);
  return {
    report,
    manifest,
    runId: identity.id,
    runDir,
    files,
    notRun: GATES.map((g) => g.id).filter((id) => !selected.has(id)),
    exitCode: ran.every((g) => g.status === 'pass') ? 0 : 1,
  };
}

/** Real TCP probes of 127.0.0.1 / 0.0.0.0. */
export const tcpPorts: PortProbe = {
  isFree: (port) =>
    new Promise((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '0.0.0.0', () => server.close(() => done(true)));
    }),
  waitListening: async (port, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const open = await new Promise<boolean>((done) => {
        const socket = createConnection({ port, host: '127.0.0.1' });
        socket.once('connect', () => {
          socket.destroy();
          done(true);
        });
        socket.once('error', () => done(false));
      });
      if (open) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  },
};
