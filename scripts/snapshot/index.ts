// Assembles the static data snapshot (static/data/): immutable per-run folders, monthly shards that
// list every run, and a small index.json with the latest runs. Every run is checked with the same
// module as `report check` (schema, consistency, the SHA-256 of each report) before it is published;
// what is invalid is refused with the reason. Idempotent: the same inputs give byte-identical output.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkDocument } from '../../app/lib/reports/check.ts';
import type { RunManifest } from '../../app/lib/reports/types.ts';
import {
  INDEX_LATEST_RUNS,
  SHARD_RUNS,
  SNAPSHOT_FORMAT,
  type SnapshotIndex,
  type SnapshotRunEntry,
  type SnapshotShard,
} from '../../app/lib/reports/snapshot-index.ts';

export interface SnapshotOptions {
  /** Folders holding one sub-folder per run (`<run-id>/run.json` plus its reports). */
  runsDirs: string[];
  outDir: string;
}

export interface SnapshotResult {
  outDir: string;
  runs: number;
  added: string[];
  refused: { source: string; reason: string }[];
}

export async function runSnapshot(opts: SnapshotOptions): Promise<SnapshotResult> {
  const runsOut = join(opts.outDir, 'runs');
  mkdirSync(runsOut, { recursive: true });
  const added: string[] = [];
  const refused: SnapshotResult['refused'] = [];

  for (const dir of opts.runsDirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const source = join(dir, name, 'run.json');
      if (!existsSync(source)) continue;
      const verdict = await checkRunFolder(source);
      if (!verdict.ok) {
        refused.push({ source, reason: verdict.reason });
        continue;
      }
      const run = verdict.run;
      const files = ['run.json', ...run.reports.map((r) => r.file)];
      const target = join(runsOut, run.id);
      const clash = files.find((f) => {
        const out = join(target, f);
        return existsSync(out) && !readFileSync(out).equals(readFileSync(join(dir, name, f)));
      });
      if (clash) {
        refused.push({
          source,
          reason: `run ${run.id} is already published with a different ${clash}: runs are immutable`,
        });
        continue;
      }
      let copied = false;
      for (const f of files) {
        const out = join(target, f);
        if (existsSync(out)) continue;
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, readFileSync(join(dir, name, f)));
        copied = true;
      }
      if (copied) added.push(run.id);
    }
  }

  // Re-read every published run (including earlier snapshots') so the listings cover all history.
  const entries: SnapshotRunEntry[] = [];
  for (const id of readdirSync(runsOut).sort()) {
    const path = join(runsOut, id, 'run.json');
    if (!existsSync(path)) continue;
    const checked = await checkRunFolder(path);
    if (!checked.ok) {
      refused.push({ source: path, reason: checked.reason });
      continue;
    }
    const run = checked.run;
    entries.push({
      id: run.id,
      commit_sha: run.commit.sha,
      branch: run.branch,
      tag: run.tag,
      target: run.target,
      source: run.source,
      started_at: run.started_at,
      verdict: checked.verdict,
      path: `runs/${run.id}/run.json`,
    });
  }
  entries.sort((a, b) =>
    a.started_at === b.started_at ? a.id.localeCompare(b.id) : b.started_at.localeCompare(a.started_at),
  );

  // Shards: per month, oldest run first, at most SHARD_RUNS runs each, each run with its files' text,
  // so the site loads a month in one request. New runs append to the last shard of their month; full
  // shards no longer change. Per-run folders stay for links and downloads.
  const byMonth = new Map<string, SnapshotRunEntry[]>();
  for (const e of [...entries].reverse()) {
    const month = e.started_at.slice(0, 7);
    byMonth.set(month, [...(byMonth.get(month) ?? []), e]);
  }
  const shards: SnapshotIndex['shards'] = [];
  mkdirSync(join(opts.outDir, 'shards'), { recursive: true });
  for (const [month, runs] of [...byMonth].sort(([a], [b]) => b.localeCompare(a))) {
    for (let part = 0; part * SHARD_RUNS < runs.length; part++) {
      const slice = runs.slice(part * SHARD_RUNS, (part + 1) * SHARD_RUNS);
      const shard: SnapshotShard = {
        format: SNAPSHOT_FORMAT,
        month,
        part,
        runs: slice.map((e) => ({ ...e, files: readRunFiles(join(runsOut, e.id)) })),
      };
      const path = `shards/${month}-${String(part).padStart(3, '0')}.json`;
      writeIfChanged(join(opts.outDir, path), shard);
      shards.push({ month, part, path, runs: slice.length });
    }
  }
  const index: SnapshotIndex = {
    format: SNAPSHOT_FORMAT,
    updated_at: entries[0]?.started_at ?? null,
    runs: entries.slice(0, INDEX_LATEST_RUNS),
    shards,
  };
  writeIfChanged(join(opts.outDir, 'index.json'), index);
  return { outDir: opts.outDir, runs: entries.length, added, refused };
}

type FolderCheck =
  { ok: true; run: RunManifest; verdict: SnapshotRunEntry['verdict'] } | { ok: false; reason: string };

async function checkRunFolder(runJson: string): Promise<FolderCheck> {
  const base = dirname(runJson);
  const result = await checkDocument(readFileSync(runJson, 'utf8'), async (file) => {
    const path = join(base, file);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
  });
  if (result.kind !== 'run') return { ok: false, reason: `not a run manifest (kind ${String(result.kind)})` };
  if (!result.valid || !result.report) {
    return { ok: false, reason: result.problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ') };
  }
  return { ok: true, run: result.report as RunManifest, verdict: result.verdict };
}

/** The text of every file of a published run folder, by its path relative to the folder. */
function readRunFiles(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const run = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8')) as RunManifest;
  for (const f of ['run.json', ...run.reports.map((r) => r.file)])
    files[f] = readFileSync(join(folder, f), 'utf8');
  return files;
}

function writeIfChanged(path: string, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text);
}
