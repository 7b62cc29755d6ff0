// What every gate works with: the gate definitions, the shared context (runner, paths, the one bench
// run), and helpers that turn a command's outcome into a check and checks into a gate.
import type { Exec, ExecResult } from '../lib/exec.ts';
import { commandLine } from '../lib/exec.ts';
import type {
  RunReportRef,
  Check,
  CheckCounts,
  CheckStatus,
  Gate,
  TickBench,
} from '../../app/lib/reports/types.ts';
import { rollupGate } from '../../app/lib/health/verdict.ts';
import type { TestAllOptions, TestAllResult } from '../test-all/index.ts';

export type GateId = Gate['id'];

export interface GateDefinition {
  id: GateId;
  number: number;
  name: string;
  blocking: boolean;
}

/** The four gates in report order. Gate 4 is advisory: its findings are shown, never blocking. */
export const GATES: readonly GateDefinition[] = [
  { id: 'weaver', number: 1, name: 'Weaver telemetry schema', blocking: true },
  { id: 'build', number: 2, name: 'Build and quality', blocking: true },
  { id: 'tests', number: 3, name: 'Tests and tick budget', blocking: true },
  { id: 'security', number: 4, name: 'Security audit', blocking: false },
];

/** Runs `npm test`'s suites (scripts/test-all); injectable so tests hand in suite results. */
export type TestAllRunner = (opts: TestAllOptions) => Promise<Pick<TestAllResult, 'suites'>>;

/** Probes the live-check's OTLP port. */
export interface PortProbe {
  /** True when nothing listens on the port (so the live-check's listener can bind it). */
  isFree(port: number): Promise<boolean>;
  /** Resolves true once something accepts connections on 127.0.0.1:port, false after timeoutMs. */
  waitListening(port: number, timeoutMs: number): Promise<boolean>;
}

export interface LiveCheckSettings {
  /** OTLP gRPC port the live-check listens on (Weaver's default 4317). */
  port: number;
  /** Weaver's admin HTTP port (its default 4320). */
  adminPort: number;
  /** Seconds without telemetry after which the live-check stops and writes its report. */
  inactivityTimeoutS: number;
  /** How long to wait for the listener to come up, in ms. */
  readyTimeoutMs: number;
}

/** The command that sends a bench report's telemetry to OTLP_EXPORTER_OTLP_ENDPOINT. */
export type EmitCommand = (benchFile: string) => { command: string; args: string[] };

/** The one `knhk bench` run of a gates run (Gate 3 judges it, Gate 1 sends it as telemetry). */
export interface BenchOutcome {
  check: Omit<Check, 'id' | 'name'>;
  /** The valid report and where it was written, when the bench produced one. */
  report?: TickBench;
  file?: string;
}

export interface GateContext {
  root: string;
  env: NodeJS.ProcessEnv;
  exec: Exec;
  quick: boolean;
  commitSha: string;
  /** Paths relative to root. */
  knhkBinary: string;
  nativeDir: string;
  registryDir: string;
  scanDirs: readonly string[];
  weaverBinary: string;
  /** An existing live-check report to read instead of running one (--weaver-report). */
  weaverReport?: string;
  testAll: TestAllRunner;
  ports: PortProbe;
  liveCheck: LiveCheckSettings;
  emitCommand: EmitCommand;
  /** Scratch space of this run, removed at the end. */
  workDir: string;
  /** The run's folder (.knhk/runs/<id>/), where reports are written. */
  runDir: string;
  /** Whether this run built native/ (Gate 2's C build or the C suite): the bench only trusts a binary
   *  built from this checkout, and builds it itself when nothing has yet. */
  nativeBuild: 'ok' | 'failed' | 'not-run';
  /** Runs `knhk bench` once and writes tick-bench.json; later calls get the same outcome. */
  bench(): Promise<BenchOutcome>;
  /** Reports this run writes besides the gate report (tick-bench, the Weaver live-check report). */
  artifacts: RunReportRef[];
  /** Progress lines (stderr by default). */
  log(line: string): void;
  /** Stream commands' output to stderr as it arrives. */
  verbose: boolean;
}

/** A check built from parts; the reason is forced to one line. */
export function makeCheck(
  id: string,
  name: string,
  command: string | null,
  status: CheckStatus,
  durationMs: number,
  counts: CheckCounts,
  reason: string,
): Check {
  return {
    id,
    name,
    command,
    status,
    duration_ms: Math.max(0, Math.round(durationMs)),
    counts,
    reason: oneLine(reason),
  };
}

/** The outcome of a command that could not be started or was stopped: an `error` check, or null. */
export function execFailure(result: ExecResult, command: string): { status: 'error'; reason: string } | null {
  switch (result.failure) {
    case 'not-found':
      return { status: 'error', reason: `${command.split(' ')[0]} is not installed or not on PATH` };
    case 'spawn-error':
      return { status: 'error', reason: `could not start ${command}: ${lastLine(result.stderr)}` };
    case 'timeout':
      return {
        status: 'error',
        reason: `${command} timed out after ${(result.duration_ms / 1000).toFixed(0)} s`,
      };
    case 'aborted':
      return { status: 'error', reason: `${command} was stopped` };
    default:
      return null;
  }
}

/** Runs one command and judges it; a command that cannot start or times out is an `error` check. */
export async function commandCheck(
  ctx: GateContext,
  spec: { id: string; name: string; command: string; args: string[]; timeoutMs?: number },
  judge: (result: ExecResult) => { status: CheckStatus; counts: CheckCounts; reason: string },
): Promise<Check> {
  const line = commandLine(spec.command, spec.args);
  const result = await ctx.exec(spec.command, spec.args, {
    cwd: ctx.root,
    env: ctx.env,
    ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
  });
  const failed = execFailure(result, line);
  if (failed)
    return makeCheck(spec.id, spec.name, line, failed.status, result.duration_ms, {}, failed.reason);
  const judged = judge(result);
  return makeCheck(spec.id, spec.name, line, judged.status, result.duration_ms, judged.counts, judged.reason);
}

/** A gate from its checks: status by the one rollup (app/lib/health/verdict.ts), and a one-line reason
 *  naming the checks that decided it. */
export function finishGate(def: GateDefinition, checks: Check[]): Gate {
  const status = rollupGate(checks);
  return { ...def, status, reason: gateReason(status, checks), checks };
}

function gateReason(status: Gate['status'], checks: Check[]): string {
  if (checks.length === 0) return 'no check ran: no evidence';
  const pick = (statuses: CheckStatus[]) =>
    checks
      .filter((c) => statuses.includes(c.status))
      .map((c) => `${c.id}: ${c.reason}`)
      .join('; ');
  if (status === 'fail') return oneLine(pick(['fail', 'error']));
  if (status === 'no-evidence') return oneLine(pick(['no-evidence', 'skipped']));
  return `${checks.length} check${checks.length === 1 ? '' : 's'} passed`;
}

/** Collapses whitespace and cuts a text to one line of at most `max` characters. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The last non-empty line of a text (a command's most telling message), or ''. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/** The last non-empty line a command wrote to stderr, else to stdout: what says why it failed. */
export function lastOutputLine(result: { stderr: string; stdout: string }): string {
  return lastLine(result.stderr) || lastLine(result.stdout);
}

export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}
