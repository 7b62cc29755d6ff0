// Turns a tick-bench report into OpenTelemetry signals named as in registry/ (the telemetry Gate 1's
// Weaver live-check compares with the registry): one `knhk.operation` span per bench entry, the
// `knhk.operation.duration` histogram (ticks) and the `knhk.operation.r1_violations` counter.
import { readFileSync } from 'node:fs';
import { SpanKind, SpanStatusCode, type Attributes, type Meter, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { emptyResource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { validateAs } from '../../app/lib/reports/validate.ts';
import type { BenchEntry, TickBench } from '../../app/lib/reports/types.ts';

/** Names from registry/knhk/: the span group `span.knhk.operation` and the two metric groups. */
export const SPAN_NAME = 'knhk.operation';
export const DURATION_METRIC = 'knhk.operation.duration';
export const R1_VIOLATIONS_METRIC = 'knhk.operation.r1_violations';
/** Instrumentation scope of everything emitted here. */
export const SCOPE_NAME = 'knhk';
export const DEFAULT_ENDPOINT = 'http://localhost:4317';

/** Histogram buckets in ticks, dense around the R1 budget (8) and the alert threshold (10). */
const TICK_BUCKETS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 24, 32, 64, 128];
/** ExportResultCode.SUCCESS of @opentelemetry/core (a dependency of the SDK, not of ours). */
const EXPORT_SUCCESS = 0;

/** The bench file is unreadable or not a valid tick-bench report. */
export class BenchInputError extends Error {}
/** The collector did not accept the telemetry. */
export class ExportError extends Error {}

export interface EmitTelemetryOptions {
  /** Path of a `knhk.tick-bench/v1` report. */
  benchFile: string;
  /** OTLP gRPC endpoint. Default: OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4317. */
  endpoint?: string;
  /** Environment read for the default endpoint. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Exporters to use instead of OTLP gRPC (tests pass in-memory ones). */
  spanExporter?: SpanExporter;
  metricExporter?: PushMetricExporter;
  /** Per-export timeout of the OTLP exporters, in ms. Default 10 000. */
  timeoutMs?: number;
}

export interface EmitSummary {
  /** Spans emitted: one per bench entry. */
  spans: number;
  /** Observations recorded in the duration histogram (entries with evidence). */
  durations: number;
  /** R1 entries over budget, added to the violations counter. */
  r1_violations: number;
  /** Entries without a usable figure: their span carries no ticks and the histogram skips them. */
  without_evidence: string[];
}

export interface EmitTelemetryResult extends EmitSummary {
  /** Where the signals went; null when exporters were injected. */
  endpoint: string | null;
}

/**
 * Records the signals of one bench report on the given tracer and meter (no export: the caller's
 * providers decide where they go).
 * - span `knhk.operation` per entry, kind INTERNAL, with knhk.operation.{name, type, success,
 *   variant, call_mode, tier, target} and, when the entry has evidence, knhk.operation.ticks = its
 *   p95 in ticks (the budget statistic); the span lasts the p95 from the report's time; an entry over
 *   budget has status ERROR with its reason;
 * - histogram knhk.operation.duration: one observation per entry with evidence, its p95 in ticks;
 * - counter knhk.operation.r1_violations: +1 per R1 entry over budget, +0 per R1 entry within it (so
 *   each R1 series is present, and a count of 0 is evidence, not absence).
 * A figure of 0 or an entry judged no-evidence is not reported as a duration (registry note on ticks).
 */
export function emitBench(bench: TickBench, tracer: Tracer, meter: Meter): EmitSummary {
  const duration = meter.createHistogram(DURATION_METRIC, {
    description: 'Duration of one KNHK operation call, in ticks (1 tick = 0.25 ns).',
    unit: '{tick}',
    advice: { explicitBucketBoundaries: TICK_BUCKETS },
  });
  const violations = meter.createCounter(R1_VIOLATIONS_METRIC, {
    description: 'Number of R1 (hot) operation calls that exceeded the budget of 8 ticks.',
    unit: '{violation}',
  });
  const at = Date.parse(bench.generated_at);
  const summary: EmitSummary = { spans: 0, durations: 0, r1_violations: 0, without_evidence: [] };

  for (const entry of bench.entries) {
    const base = {
      'knhk.operation.type': entry.op,
      'knhk.operation.variant': entry.variant,
      'knhk.operation.call_mode': entry.call_mode,
      'knhk.operation.target': bench.target,
    } satisfies Attributes;
    const hasEvidence = entry.within_budget !== 'no-evidence' && entry.p95_ns > 0;
    const attributes: Attributes = {
      'knhk.operation.name': entry.op.toLowerCase(),
      ...base,
      'knhk.operation.tier': entry.tier,
      'knhk.operation.success': true, // a bench entry ran after admission
      ...(hasEvidence ? { 'knhk.operation.ticks': entry.p95_ticks } : {}),
    };
    const span = tracer.startSpan(SPAN_NAME, { kind: SpanKind.INTERNAL, attributes, startTime: at });
    if (entry.within_budget === 'fail') span.setStatus({ code: SpanStatusCode.ERROR, message: entry.reason });
    span.end(at + (hasEvidence ? entry.p95_ns / 1e6 : 0));
    summary.spans++;

    if (hasEvidence) {
      duration.record(entry.p95_ticks, {
        ...base,
        'knhk.operation.tier': entry.tier,
        'knhk.operation.success': true,
      });
      summary.durations++;
    } else {
      summary.without_evidence.push(describeEntry(entry));
    }
    if (entry.tier === 'R1' && (entry.within_budget === 'fail' || entry.within_budget === 'pass')) {
      const over = entry.within_budget === 'fail' ? 1 : 0;
      violations.add(over, base);
      summary.r1_violations += over;
    }
  }
  return summary;
}

/** Reads and validates a tick-bench report; every problem is in the error's message. */
export function readBench(file: string): TickBench {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BenchInputError(
      `--bench ${file}: cannot read the file: expected a tick-bench report, got ${code}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new BenchInputError(
      `--bench ${file}: not JSON: expected a tick-bench report, got ${(error as Error).message}`,
    );
  }
  const checked = validateAs('tick-bench', doc);
  if (!checked.ok) {
    const list = checked.issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ');
    throw new BenchInputError(`--bench ${file}: invalid tick-bench report: ${list}`);
  }
  return checked.value;
}

/**
 * Emits one bench report over OTLP gRPC (or to injected exporters), then flushes and shuts the
 * providers down, so every signal is sent before it returns.
 * @throws BenchInputError when the file is not a valid tick-bench report
 * @throws ExportError when an export did not succeed (collector unreachable, refused, timed out)
 */
export async function runEmitTelemetry(opts: EmitTelemetryOptions): Promise<EmitTelemetryResult> {
  const bench = readBench(opts.benchFile);
  const env = opts.env ?? process.env;
  const injected = opts.spanExporter !== undefined || opts.metricExporter !== undefined;
  const endpoint = opts.endpoint ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || DEFAULT_ENDPOINT);
  const timeoutMillis = opts.timeoutMs ?? 10_000;
  const failures: string[] = [];

  const spanExporter = recordSpanExports(
    opts.spanExporter ?? new OTLPTraceExporter({ url: endpoint, timeoutMillis }),
    failures,
  );
  const metricExporter = recordMetricExports(
    opts.metricExporter ?? new OTLPMetricExporter({ url: endpoint, timeoutMillis }),
    failures,
  );
  // No resource attributes: the registry defines only knhk.operation.*, and a live-check reports
  // attributes it does not know (service.name, telemetry.sdk.*) as violations.
  const resource = emptyResource();
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 60_000 })],
  });
  // One export at shutdown: the interval only has to outlast this process.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
    exportTimeoutMillis: timeoutMillis,
  });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });

  const version = bench.knhk_version;
  const summary = emitBench(
    bench,
    tracerProvider.getTracer(SCOPE_NAME, version),
    meterProvider.getMeter(SCOPE_NAME, version),
  );

  const settle = async (what: string, p: Promise<void>) => {
    try {
      await p;
    } catch (error) {
      failures.push(`${what}: ${(error as Error).message}`);
    }
  };
  await settle('spans', tracerProvider.shutdown());
  await settle('metrics', meterProvider.shutdown());
  if (failures.length > 0) {
    const where = injected ? 'the exporter' : `${endpoint} (OTLP gRPC)`;
    throw new ExportError(`could not export to ${where}: ${[...new Set(failures)].join('; ')}`);
  }
  return { ...summary, endpoint: injected ? null : endpoint };
}

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

function noteFailure(what: string, result: ExportResult, failures: string[]): void {
  if (result.code !== EXPORT_SUCCESS) failures.push(`${what}: ${result.error?.message ?? 'export failed'}`);
}

/** Wraps a span exporter to note every export that did not succeed (the SDK only logs them). */
function recordSpanExports(inner: SpanExporter, failures: string[]): SpanExporter {
  return {
    export: (spans, done) =>
      inner.export(spans, (result) => {
        noteFailure('spans', result, failures);
        done(result);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

function recordMetricExports(inner: PushMetricExporter, failures: string[]): PushMetricExporter {
  const wrapped: PushMetricExporter = {
    export: (metrics, done) =>
      inner.export(metrics, (result) => {
        noteFailure('metrics', result, failures);
        done(result);
      }),
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality)
    wrapped.selectAggregationTemporality = (type) => inner.selectAggregationTemporality!(type);
  if (inner.selectAggregation) wrapped.selectAggregation = (type) => inner.selectAggregation!(type);
  return wrapped;
}

function describeEntry(e: BenchEntry): string {
  return `${e.op} ${e.variant} ${e.call_mode}`;
}
