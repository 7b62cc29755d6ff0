// A labelled synthetic data set for benchmarking the dashboard only: never real data, never published.
// Every run says so (repo "synthetic/benchmark-only", branch "synthetic", commit messages "[synthetic]").
// The reports are valid and self-consistent, so they take the same checks as real ones.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgeBenchEntry } from '../../app/lib/health/verdict.ts';
import {
  OPS,
  type BenchEntry,
  type GateReport,
  type RunManifest,
  type TickBench,
} from '../../app/lib/reports/types.ts';

export const SYNTHETIC_REPO = 'synthetic/benchmark-only';
export { OPS };
export const TARGETS = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'aarch64-apple-darwin'] as const;

/** A deterministic pseudo-random stream (xorshift32), so the data set is the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const hex = (n: number, rand: () => number) =>
  Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

function entry(op: string, variant: BenchEntry['variant'], rand: () => number): BenchEntry {
  const p50 = 0.6 + rand() * 1.6;
  const ns = {
    min: p50 * 0.8,
    p5: p50 * 0.9,
    p50,
    p95: p50 * 1.2,
    p99: p50 * 1.4,
    max: p50 * 6,
    mean: p50 * 1.05,
    stddev: p50 * 0.1,
  };
  const e = {
    op,
    tier: op === 'CONSTRUCT8' ? 'W1' : 'R1',
    variant,
    call_mode: 'batch',
    calls_per_sample: 4096,
    samples: 1000,
    warmup_samples: 100,
    n: 1000,
    min_sample_ns: 4096 * ns.min,
    results_checksum: hex(16, rand),
    within_budget: 'pass',
    reason: '',
  } as Record<string, unknown>;
  for (const [k, v] of Object.entries(ns)) {
    e[`${k}_ns`] = v;
    e[`${k}_ticks`] = v / 0.25;
  }
  const judged = judgeBenchEntry(e as unknown as BenchEntry, 0.43, {
    ticks: 8,
    min_sample_resolutions: 1000,
  });
  e.within_budget = judged.status;
  e.reason = judged.reason;
  return e as unknown as BenchEntry;
}

function write(dir: string, file: string, doc: unknown) {
  const text = `${JSON.stringify(doc)}\n`;
  writeFileSync(join(dir, file), text);
  return { file, sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
}

/** Writes `runs` workflow runs × 3 targets as run folders under `outDir`; returns the folder count. */
export function writeSyntheticRuns(outDir: string, runs: number, gateTemplate: GateReport): number {
  const rand = rng(20261204);
  let written = 0;
  const start = Date.parse('2026-09-01T00:00:00Z');
  for (let i = 0; i < runs; i++) {
    const runId = 9_000_000 + i;
    const sha = hex(40, rand);
    const at = new Date(start + i * 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const target of TARGETS) {
      const id = `gh-${runId}-1-${target}`;
      const dir = join(outDir, id);
      mkdirSync(dir, { recursive: true });
      const variant = target.startsWith('x86_64') ? 'avx512' : 'neon';
      const bench: TickBench = {
        schema: 'knhk.tick-bench/v1',
        generated_at: at,
        knhk_version: '0.1.0',
        commit_sha: sha,
        target,
        variant,
        cpu: { model: `[synthetic] ${target} CPU`, arch: target.split('-')[0]!, features: [] },
        compiler: { name: 'gcc', version: '12.2.0', flags: '-O2' },
        clock: {
          source: 'rdtsc-lfence',
          reference: 'CLOCK_MONOTONIC',
          frequency_hz: 2.3e9,
          resolution_ns: 0.43,
          read_overhead_ns: 9.8,
          overhead_subtracted: true,
          calibration_ms: 50,
        },
        budget: {
          ticks: 8,
          tick_ns: 0.25,
          statistic: 'p95',
          min_sample_resolutions: 1000,
          call_mode: 'batch',
        },
        peak_rss_bytes: 2_000_000,
        results_checksum: hex(16, rand),
        entries: OPS.flatMap((op) => [entry(op, variant, rand), entry(op, 'portable', rand)]),
      };
      const gates: GateReport = { ...gateTemplate, run_id: id, commit_sha: sha, generated_at: at };
      const reports = [
        { kind: 'tick-bench' as const, ...write(dir, 'tick-bench.json', bench) },
        { kind: 'gate-report' as const, ...write(dir, 'gate-report.json', gates) },
      ];
      const manifest: RunManifest = {
        schema: 'knhk.run/v1',
        id,
        group: `gh-${runId}-1`,
        source: 'github-actions',
        repo: SYNTHETIC_REPO,
        workflow: 'ci',
        event: i % 5 === 0 ? 'pull_request' : 'push',
        commit: { sha, message: `[synthetic] benchmark data ${i}`, author: 'synthetic', time: at },
        branch: i % 7 === 0 ? 'synthetic-feature' : 'synthetic',
        tag: null,
        base_sha: null,
        target,
        runner: { os: 'Linux', arch: target.split('-')[0]!, cpu_model: '[synthetic]', hostname: 'synthetic' },
        started_at: at,
        finished_at: at,
        url: null,
        reports,
      };
      write(dir, 'run.json', manifest);
      written++;
    }
  }
  return written;
}
