// Command-line options of `npm run gates` (scripts/gates/cli.ts), parsed here so they can be tested.
import { UsageError } from '../lib/cli.ts';
import { GATES, type GateId } from './context.ts';

/** Thrown for a bad command line (the shared CLI frame, scripts/lib/cli.ts). */
export { UsageError };

export const USAGE = `usage: npm run gates -- [--only <gates>] [--quick] [--weaver-report FILE] [--verbose]
  --only <gates>        run only these gates: 1..4 or weaver, build, tests, security (comma-separated or
                        repeated). Gates not run are not in the report, so its verdict is no-evidence.
  --quick               leave out the site build and the end-to-end tests (local use)
  --weaver-report FILE  read this Weaver live-check report (JSON or JSONL) instead of running a live-check
  --runs-dir DIR        where run folders go (default .knhk/runs)
  --verbose             stream every command's output to stderr
  Writes <runs-dir>/<run-id>/gate-report.json and run.json. Exit 0 when every blocking gate that ran
  passed, 1 when one failed or has no evidence, 2 on usage errors, 3 on internal errors.`;

export interface GatesArgs {
  only: GateId[] | undefined;
  quick: boolean;
  weaverReport: string | undefined;
  runsDir: string | undefined;
  verbose: boolean;
  help: boolean;
}

/** `1`..`4` or a gate id to the gate id. */
function gateOf(name: string): GateId | undefined {
  return GATES.find((g) => g.id === name || String(g.number) === name)?.id;
}

const EXPECTED_GATES = `1..4 or ${GATES.map((g) => g.id).join(', ')}`;

/**
 * Parses the gates command line (`--flag value` or `--flag=value`).
 * @throws UsageError naming the flag and the bad value
 */
export function parseGatesArgs(argv: readonly string[]): GatesArgs {
  const args: GatesArgs = {
    only: undefined,
    quick: false,
    weaverReport: undefined,
    runsDir: undefined,
    verbose: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (expected: string): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) {
        throw new UsageError(
          `knhk: gates: ${flag} needs a value: expected ${expected}, got ${v || 'nothing'}`,
        );
      }
      return v;
    };
    const noValue = () => {
      if (inline !== undefined) {
        throw new UsageError(`knhk: gates: ${flag} takes no value: expected ${flag}, got ${arg}`);
      }
    };
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        return args;
      case '--quick':
        noValue();
        args.quick = true;
        break;
      case '--verbose':
        noValue();
        args.verbose = true;
        break;
      case '--weaver-report':
        args.weaverReport = value('a Weaver live-check report file');
        break;
      case '--runs-dir':
        args.runsDir = value('a folder');
        break;
      case '--only': {
        const list = value(EXPECTED_GATES);
        for (const name of list.split(',').map((s) => s.trim())) {
          const id = gateOf(name);
          if (!id)
            throw new UsageError(
              `knhk: gates: --only has an unknown gate: expected ${EXPECTED_GATES}, got "${name}"`,
            );
          args.only = args.only ?? [];
          if (!args.only.includes(id)) args.only.push(id);
        }
        break;
      }
      default:
        throw new UsageError(
          `knhk: gates: unknown argument: expected --only, --quick, --weaver-report, --runs-dir, --verbose or --help, got ${arg}`,
        );
    }
  }
  return args;
}
