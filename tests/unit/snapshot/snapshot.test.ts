// The snapshot builder: publishes only runs whose reports check out, and is byte-for-byte idempotent.
import { describe, expect, it, beforeEach } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSnapshot } from '../../../scripts/snapshot/index.ts';
import type { RunManifest } from '../../../app/lib/reports/types.ts';
import {
  INDEX_LATEST_RUNS,
  SHARD_RUNS,
  type SnapshotIndex,
  type SnapshotShard,
} from '../../../app/lib/reports/snapshot-index.ts';
import { tempDirs } from '../temp.ts';

const { tempDir } = tempDirs();

const bench = readFileSync('tests/fixtures/tick-bench/valid-pass.json');
const baseRun = JSON.parse(readFileSync('tests/fixtures/run/valid-local.json', 'utf8')) as RunManifest;

function writeRun(
  dir: string,
  id: string,
  startedAt: string,
  benchBytes: Buffer = bench,
  digestOf: Buffer = bench,
) {
  const run: RunManifest = {
    ...baseRun,
    id,
    group: id,
    started_at: startedAt,
    finished_at: startedAt,
    reports: [
      {
        kind: 'tick-bench',
        file: 'tick-bench.json',
        sha256: createHash('sha256').update(digestOf).digest('hex'),
        bytes: benchBytes.length,
      },
    ],
  };
  mkdirSync(join(dir, id), { recursive: true });
  writeFileSync(join(dir, id, 'run.json'), JSON.stringify(run, null, 2));
  writeFileSync(join(dir, id, 'tick-bench.json'), benchBytes);
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

describe('runSnapshot', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = tempDir('knhk-snapshot-');
  });

  it('publishes valid runs newest first, with monthly shards, and is byte-identical when run twice', async () => {
    const runs = join(tmp, 'runs');
    writeRun(runs, 'local-a-20261130T100000Z', '2026-11-30T10:00:00Z');
    writeRun(runs, 'local-a-20261204T100000Z', '2026-12-04T10:00:00Z');
    const out = join(tmp, 'data');
    const first = await runSnapshot({ runsDirs: [runs], outDir: out });
    expect(first.refused).toEqual([]);
    expect(first.added).toHaveLength(2);
    const tree = readTree(out);
    const index = JSON.parse(tree['index.json']!) as {
      runs: { id: string; verdict: string }[];
      shards: unknown[];
    };
    expect(index.runs.map((r) => r.id)).toEqual(['local-a-20261204T100000Z', 'local-a-20261130T100000Z']);
    expect(index.runs[0]!.verdict).toBe('no-evidence');
    expect(Object.keys(tree).filter((k) => k.startsWith('shards/'))).toEqual([
      'shards/2026-11-000.json',
      'shards/2026-12-000.json',
    ]);

    const second = await runSnapshot({ runsDirs: [runs], outDir: out });
    expect(second.added).toEqual([]);
    expect(readTree(out)).toEqual(tree);
  });

  it('caps every shard at SHARD_RUNS runs, oldest first, each run carrying its files', async () => {
    const runs = join(tmp, 'runs');
    for (let i = 0; i <= SHARD_RUNS; i++) {
      const t = `2026-12-04T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
      writeRun(runs, `local-a-20261204T10${t.slice(14, 16)}${t.slice(17, 19)}Z`, t);
    }
    const out = join(tmp, 'data');
    await runSnapshot({ runsDirs: [runs], outDir: out });
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SnapshotIndex;
    expect(index.shards.map((s) => [s.path, s.runs])).toEqual([
      ['shards/2026-12-000.json', SHARD_RUNS],
      ['shards/2026-12-001.json', 1],
    ]);
    const first = JSON.parse(readFileSync(join(out, 'shards/2026-12-000.json'), 'utf8')) as SnapshotShard;
    expect(first.runs[0]!.id).toBe('local-a-20261204T100000Z');
    expect(first.runs[0]!.files['tick-bench.json']).toBe(bench.toString('utf8'));
    expect(index.runs).toHaveLength(INDEX_LATEST_RUNS);
  });

  it('refuses a run whose report does not match its SHA-256, naming it, and publishes nothing of it', async () => {
    const runs = join(tmp, 'runs');
    writeRun(runs, 'local-a-20261204T100000Z', '2026-12-04T10:00:00Z', bench, Buffer.from('something else'));
    const out = join(tmp, 'data');
    const result = await runSnapshot({ runsDirs: [runs], outDir: out });
    expect(result.runs).toBe(0);
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]!.reason).toMatch(
      /\/reports\/0\/sha256: "tick-bench.json" has SHA-256 [0-9a-f]{64}, the manifest says/,
    );
    expect(readdirSync(join(out, 'runs'))).toEqual([]);
  });

  it('refuses a run whose report is itself invalid, with the inner problem', async () => {
    const runs = join(tmp, 'runs');
    const broken = Buffer.from(
      readFileSync('tests/fixtures/tick-bench/invalid-claims-pass-over-budget.json'),
    );
    writeRun(runs, 'local-a-20261204T100000Z', '2026-12-04T10:00:00Z', broken, broken);
    const result = await runSnapshot({ runsDirs: [runs], outDir: join(tmp, 'data') });
    expect(result.refused[0]!.reason).toContain('/reports/0/entries/0/within_budget');
  });

  it('refuses to overwrite a published run with different content (runs are immutable)', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    const out = join(tmp, 'data');
    writeRun(a, 'local-a-20261204T100000Z', '2026-12-04T10:00:00Z');
    await runSnapshot({ runsDirs: [a], outDir: out });
    writeRun(b, 'local-a-20261204T100000Z', '2026-12-04T11:00:00Z');
    const result = await runSnapshot({ runsDirs: [b], outDir: out });
    expect(result.refused[0]!.reason).toMatch(/already published with a different run.json/);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as {
      runs: { started_at: string }[];
    };
    expect(index.runs[0]!.started_at).toBe('2026-12-04T10:00:00Z');
  });
});
