// `npm run emit-telemetry -- --bench FILE [--endpoint URL]`: sends a tick-bench report as OpenTelemetry
// spans and metrics over OTLP gRPC. Exit codes: 0 sent, 1 invalid bench or export failed, 2 usage, 3 internal.
import { UsageError, parseOrExitCode, runCli } from '../lib/cli.ts';
import { BenchInputError, DEFAULT_ENDPOINT, ExportError, runEmitTelemetry } from './index.ts';

const USAGE = `usage: npm run emit-telemetry -- --bench FILE [--endpoint URL]
  --bench FILE     a knhk.tick-bench/v1 report (knhk bench --json)
  --endpoint URL   OTLP gRPC endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT, else ${DEFAULT_ENDPOINT})`;

function parseArgs(argv: readonly string[]): { bench: string; endpoint?: string } | 'help' {
  let bench: string | undefined;
  let endpoint: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    if (flag !== '--bench' && flag !== '--endpoint') {
      throw new UsageError(
        `knhk: emit-telemetry: unknown argument: expected --bench FILE or --endpoint URL, got ${arg}`,
      );
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(
        `knhk: emit-telemetry: ${flag} needs a value: expected ${flag === '--bench' ? 'a file' : 'a URL'}, got ${value || 'nothing'}`,
      );
    }
    if (flag === '--bench') bench = value;
    else endpoint = value;
  }
  if (bench === undefined) {
    throw new UsageError('knhk: emit-telemetry: no bench report: expected --bench FILE, got nothing');
  }
  return { bench, ...(endpoint ? { endpoint } : {}) };
}

async function main(): Promise<number> {
  const args = parseOrExitCode(
    () => parseArgs(process.argv.slice(2)),
    USAGE,
    (a): a is 'help' => a === 'help',
  );
  if (typeof args === 'number') return args;
  try {
    const result = await runEmitTelemetry({
      benchFile: args.bench,
      ...(args.endpoint ? { endpoint: args.endpoint } : {}),
    });
    process.stdout.write(
      `emit-telemetry: sent ${result.spans} span(s), ${result.durations} duration(s), ` +
        `${result.r1_violations} R1 violation(s) to ${result.endpoint ?? 'the exporter'}\n`,
    );
    if (result.without_evidence.length > 0) {
      process.stdout.write(
        `emit-telemetry: no duration for (no evidence): ${result.without_evidence.join(', ')}\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof BenchInputError || error instanceof ExportError) {
      process.stderr.write(`knhk: emit-telemetry: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

runCli('emit-telemetry', main);
