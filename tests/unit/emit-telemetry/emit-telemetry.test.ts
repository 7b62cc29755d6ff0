// The telemetry emitter: every span, metric and attribute it emits exists in registry/ with the right
// type (checked with the SDK's in-memory exporters), the counts follow the bench, and the OTLP gRPC
// path flushes to a real gRPC server before it returns.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { SpanKind, type AttributeValue, type Attributes } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BenchInputError,
  DURATION_METRIC,
  ExportError,
  R1_VIOLATIONS_METRIC,
  SPAN_NAME,
  emitBench,
  runEmitTelemetry,
} from '../../../scripts/emit-telemetry/index.ts';
import { parseRegistryFiles } from '../../../scripts/lib/registry-check.ts';
import { validateAs } from '../../../app/lib/reports/validate.ts';
import type { BenchEntry, TickBench } from '../../../app/lib/reports/types.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

// ---------------------------------------------------------------------------------------------
// The registry as the emitter must honour it: attribute types, span and metric groups.

type AttrType = { kind: 'string' | 'int' | 'double' | 'boolean' } | { kind: 'enum'; values: unknown[] };
interface Group {
  type: string;
  span_kind?: string;
  metric_name?: string;
  instrument?: string;
  unit?: string;
  refs: Map<string, unknown>;
}

function loadRegistry(): { attributes: Map<string, AttrType>; groups: Map<string, Group> } {
  const texts: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'schemas') walk(full);
      else if (/\.ya?ml$/.test(e.name))
        texts.push({ path: relative(ROOT, full), text: readFileSync(full, 'utf8') });
    }
  };
  walk(join(ROOT, 'registry'));
  const { files, problems } = parseRegistryFiles(texts);
  expect(problems).toEqual([]);
  const attributes = new Map<string, AttrType>();
  const groups = new Map<string, Group>();
  for (const f of files) {
    const doc = f.doc as { groups?: Record<string, unknown>[] } | null;
    for (const g of doc?.groups ?? []) {
      const refs = new Map<string, unknown>();
      for (const a of (g.attributes ?? []) as Record<string, unknown>[]) {
        if (typeof a.id === 'string') {
          const t = a.type as string | { members: { value: unknown }[] };
          attributes.set(
            a.id,
            typeof t === 'string'
              ? { kind: t as 'string' | 'int' | 'double' | 'boolean' }
              : { kind: 'enum', values: t.members.map((m) => m.value) },
          );
        }
        const name = (a.ref ?? a.id) as string;
        refs.set(name, a.requirement_level ?? 'recommended');
      }
      groups.set(g.id as string, {
        type: g.type as string,
        span_kind: g.span_kind as string | undefined,
        metric_name: g.metric_name as string | undefined,
        instrument: g.instrument as string | undefined,
        unit: g.unit as string | undefined,
        refs,
      });
    }
  }
  return { attributes, groups };
}

const REGISTRY = loadRegistry();

function fitsType(value: AttributeValue | undefined, type: AttrType): boolean {
  switch (type.kind) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return type.values.includes(value);
  }
}

/** Every problem of one signal's attributes against its registry group, as readable lines. */
function attributeProblems(where: string, attrs: Attributes, group: Group): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(attrs)) {
    const type = REGISTRY.attributes.get(key);
    if (!type) problems.push(`${where}: ${key} is not defined in the registry`);
    else if (!group.refs.has(key)) problems.push(`${where}: ${key} is not an attribute of its group`);
    else if (!fitsType(value, type))
      problems.push(`${where}: ${key} = ${JSON.stringify(value)} is not a ${type.kind}`);
  }
  for (const [key, level] of group.refs) {
    if (level === 'required' && !(key in attrs)) problems.push(`${where}: required ${key} is missing`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// A bench with every kind of entry: R1 within and over budget, W1, no evidence, other variants.

function benchWithEveryKind(): TickBench {
  const pass = JSON.parse(
    readFileSync(join(ROOT, 'tests/fixtures/tick-bench/valid-pass.json'), 'utf8'),
  ) as TickBench;
  const over = JSON.parse(
    readFileSync(join(ROOT, 'tests/fixtures/tick-bench/valid-over-budget.json'), 'utf8'),
  ) as TickBench;
  const short = JSON.parse(
    readFileSync(join(ROOT, 'tests/fixtures/tick-bench/valid-no-evidence-short-samples.json'), 'utf8'),
  ) as TickBench;
  const [api, inline] = pass.entries as [BenchEntry, BenchEntry];
  const overEntry = over.entries[0]!;
  const entries: BenchEntry[] = [
    api,
    inline,
    { ...overEntry, op: 'COUNT_SP_GE', variant: 'avx2', call_mode: 'batch' },
    {
      ...api,
      op: 'CONSTRUCT8',
      tier: 'W1',
      within_budget: 'skipped',
      reason: 'W1 (warm) operation: the R1 budget does not apply',
    },
    { ...short.entries[0]!, op: 'SELECT_SP', variant: 'sse2' },
  ];
  const bench = { ...pass, entries };
  const checked = validateAs('tick-bench', bench);
  expect(checked.ok ? [] : checked.issues).toEqual([]);
  return bench;
}

function providers() {
  const spans = new InMemorySpanExporter();
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 })],
  });
  return { spans, metrics, tracerProvider, meterProvider };
}

function metricsByName(exporter: InMemoryMetricExporter): Map<string, MetricData> {
  const out = new Map<string, MetricData>();
  for (const rm of exporter.getMetrics())
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.descriptor.name, m);
  return out;
}

describe('emitBench', () => {
  const bench = benchWithEveryKind();
  const p = providers();
  let summary: ReturnType<typeof emitBench>;
  beforeAll(async () => {
    summary = emitBench(bench, p.tracerProvider.getTracer('knhk'), p.meterProvider.getMeter('knhk'));
    await p.tracerProvider.forceFlush();
    await p.meterProvider.forceFlush();
  });
  afterAll(async () => {
    await p.tracerProvider.shutdown();
    await p.meterProvider.shutdown();
  });

  it('emits one knhk.operation span per bench entry, each conforming to span.knhk.operation', () => {
    const spans = p.spans.getFinishedSpans();
    expect(spans).toHaveLength(bench.entries.length);
    const group = REGISTRY.groups.get(`span.${SPAN_NAME}`);
    expect(group?.type).toBe('span');
    expect(group?.span_kind).toBe('internal');
    const problems = spans.flatMap((s, i) => {
      const own = s.name === SPAN_NAME ? [] : [`span ${i}: name ${s.name} is not ${SPAN_NAME}`];
      const kind = s.kind === SpanKind.INTERNAL ? [] : [`span ${i}: kind ${s.kind} is not INTERNAL`];
      return [...own, ...kind, ...attributeProblems(`span ${i}`, s.attributes, group!)];
    });
    expect(problems).toEqual([]);
  });

  it('reports ticks (the p95) only for entries with evidence, and marks entries over budget as errors', () => {
    const spans = p.spans.getFinishedSpans();
    expect(spans.map((s) => s.attributes['knhk.operation.ticks'])).toEqual([7.6, 5.2, 12.4, 7.6, undefined]);
    expect(spans.map((s) => s.status.code)).toEqual([0, 0, 2, 0, 0]);
    expect(summary.without_evidence).toEqual(['SELECT_SP sse2 api']);
  });

  it.each([
    [DURATION_METRIC, 'histogram', DataPointType.HISTOGRAM],
    [R1_VIOLATIONS_METRIC, 'counter', DataPointType.SUM],
  ])('emits %s as a %s conforming to its registry group', (name, instrument, pointType) => {
    const metric = metricsByName(p.metrics).get(name);
    expect(metric).toBeDefined();
    const group = [...REGISTRY.groups.values()].find((g) => g.metric_name === name);
    expect(group).toMatchObject({ type: 'metric', instrument, unit: metric!.descriptor.unit });
    expect(metric!.dataPointType).toBe(pointType);
    if (metric!.dataPointType === DataPointType.SUM) expect(metric!.isMonotonic).toBe(true);
    const problems = metric!.dataPoints.flatMap((dp, i) =>
      attributeProblems(`${name} point ${i}`, dp.attributes, group!),
    );
    expect(problems).toEqual([]);
  });

  it('records one duration per entry with evidence and counts the R1 entries over budget', () => {
    const metrics = metricsByName(p.metrics);
    const durations = metrics.get(DURATION_METRIC)!;
    const observations = durations.dataPoints.reduce((n, dp) => n + (dp.value as { count: number }).count, 0);
    expect(observations).toBe(4);
    const violations = metrics.get(R1_VIOLATIONS_METRIC)!;
    const byOp = Object.fromEntries(
      violations.dataPoints.map((dp) => [
        `${dp.attributes['knhk.operation.type']} ${dp.attributes['knhk.operation.call_mode']}`,
        dp.value,
      ]),
    );
    // R1 entries with a judgement each have a series; W1 and no-evidence entries do not count.
    expect(byOp).toEqual({ 'ASK_SP api': 0, 'ASK_SP inline': 0, 'COUNT_SP_GE batch': 1 });
    expect(summary).toMatchObject({ spans: 5, durations: 4, r1_violations: 1 });
  });
});

// ---------------------------------------------------------------------------------------------

/** An in-memory span exporter that keeps its spans after shutdown (the SDK's clears them). */
class KeepingSpanExporter extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('runEmitTelemetry', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'knhk-emit-'));
    writeFileSync(join(dir, 'bench.json'), JSON.stringify(benchWithEveryKind()));
    writeFileSync(join(dir, 'not-a-bench.json'), '{"schema": "knhk.tick-bench/v1"}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flushes every signal to the exporters before it returns, with no resource attributes', async () => {
    const spans = new KeepingSpanExporter();
    const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const result = await runEmitTelemetry({
      benchFile: join(dir, 'bench.json'),
      spanExporter: spans,
      metricExporter: metrics,
    });
    expect(result).toMatchObject({ endpoint: null, spans: 5, durations: 4, r1_violations: 1 });
    expect(spans.getFinishedSpans()).toHaveLength(5);
    expect(spans.getFinishedSpans()[0]!.resource.attributes).toEqual({});
    expect([...metricsByName(metrics).keys()].sort()).toEqual([DURATION_METRIC, R1_VIOLATIONS_METRIC]);
  });

  it.each([
    ['a missing file', 'missing.json', /cannot read the file: expected a tick-bench report, got ENOENT/],
    [
      'an invalid report',
      'not-a-bench.json',
      /invalid tick-bench report: \/generated_at missing required property/,
    ],
  ])('refuses %s', async (_name, file, message) => {
    const run = runEmitTelemetry({ benchFile: join(dir, file), spanExporter: new InMemorySpanExporter() });
    await expect(run).rejects.toThrow(BenchInputError);
    await expect(run).rejects.toThrow(message);
  });

  it('fails with the endpoint named when nothing listens there', async () => {
    const port = await closedPort();
    const run = runEmitTelemetry({
      benchFile: join(dir, 'bench.json'),
      endpoint: `http://127.0.0.1:${port}`,
      timeoutMs: 2000,
    });
    await expect(run).rejects.toThrow(ExportError);
    await expect(run).rejects.toThrow(`could not export to http://127.0.0.1:${port} (OTLP gRPC)`);
  });

  it('sends spans and metrics over OTLP gRPC to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const received: { service: string; bytes: Buffer }[] = [];
    const server = new Server();
    for (const [service, path] of [
      ['trace', '/opentelemetry.proto.collector.trace.v1.TraceService/Export'],
      ['metrics', '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export'],
    ] as const) {
      // A raw-bytes service: the collector side of OTLP without its protobuf definitions.
      const same = (b: Buffer) => b;
      const definition: ServiceDefinition = {
        Export: {
          path,
          requestStream: false,
          responseStream: false,
          requestSerialize: same,
          requestDeserialize: same,
          responseSerialize: same,
          responseDeserialize: same,
        },
      };
      server.addService(definition, {
        Export: (call: { request: Buffer }, reply: (err: null, res: Buffer) => void) => {
          received.push({ service, bytes: call.request });
          reply(null, Buffer.alloc(0)); // an empty Export*ServiceResponse: everything accepted
        },
      });
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    try {
      const result = await runEmitTelemetry({
        benchFile: join(dir, 'bench.json'),
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
      });
      expect(result.endpoint).toBe(`http://127.0.0.1:${port}`);
      expect(received.map((r) => r.service).sort()).toEqual(['metrics', 'trace']);
      const trace = Buffer.concat(received.filter((r) => r.service === 'trace').map((r) => r.bytes)).toString(
        'latin1',
      );
      const metrics = Buffer.concat(
        received.filter((r) => r.service === 'metrics').map((r) => r.bytes),
      ).toString('latin1');
      expect(trace).toContain(SPAN_NAME);
      expect(trace).toContain('knhk.operation.call_mode');
      expect(metrics).toContain(DURATION_METRIC);
      expect(metrics).toContain(R1_VIOLATIONS_METRIC);
    } finally {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
  });
});

/** A local port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
