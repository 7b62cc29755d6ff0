// Run folders (`<run-id>/run.json` plus the reports it lists) as collect and backfill store them:
// checked with the one validation module (app/lib/reports/check.ts), and put in place atomically so
// a folder that exists is always complete.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkDocument } from '../../app/lib/reports/check.ts';
import type { Problem } from '../../app/lib/reports/problem.ts';
import type { RunManifest } from '../../app/lib/reports/types.ts';
import { unsafePathReason } from './zip.ts';

export type RunCheck = { ok: true; run: RunManifest } | { ok: false; problems: Problem[] };

/** Checks a run manifest's text and the reports it lists, read with `read` (null when missing): the
 *  schema, the consistency rules and every report's SHA-256. Never throws on user data. */
export async function checkRunFiles(
  runJson: string,
  read: (file: string) => Uint8Array | null,
): Promise<RunCheck> {
  const result = await checkDocument(runJson, async (file) => {
    // The schema's file pattern allows "." and ".." segments: never read (or later write) outside the folder.
    return unsafePathReason(file) ? null : read(file);
  });
  if (result.kind !== 'run') {
    return {
      ok: false,
      problems: result.problems.length
        ? result.problems
        : [{ path: '/schema', message: `expected a run manifest (knhk.run/v1), got ${String(result.kind)}` }],
    };
  }
  if (!result.valid || !result.report) return { ok: false, problems: result.problems };
  const run = result.report as RunManifest;
  const unsafe = run.reports.flatMap((r, i) => {
    const reason = unsafePathReason(r.file);
    return reason ? [{ path: `/reports/${i}/file`, message: `"${r.file}": ${reason}` }] : [];
  });
  return unsafe.length ? { ok: false, problems: unsafe } : { ok: true, run };
}

/** Checks the run folder `dir` as stored on disk. */
export async function checkRunDir(dir: string): Promise<RunCheck> {
  const manifest = join(dir, 'run.json');
  if (!existsSync(manifest))
    return { ok: false, problems: [{ path: '', message: `${manifest} is missing` }] };
  return checkRunFiles(readFileSync(manifest, 'utf8'), (file) => {
    const path = join(dir, file);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
  });
}

/** True when `<outDir>/<id>` holds a complete, valid run whose manifest names that id. */
export async function isStored(outDir: string, id: string): Promise<boolean> {
  const dir = join(outDir, id);
  if (!existsSync(dir)) return false;
  const checked = await checkRunDir(dir);
  return checked.ok && checked.run.id === id;
}

/** Writes a checked run (its manifest text and listed files) to `<outDir>/<run.id>/`: into a
 *  temporary sibling first, then renamed, replacing an incomplete folder of the same id. */
export function storeRun(
  outDir: string,
  run: RunManifest,
  runJson: Uint8Array | string,
  read: (file: string) => Uint8Array | null,
): string {
  const target = join(outDir, run.id);
  const tmp = join(outDir, `.incoming-${run.id}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'run.json'), runJson);
  for (const ref of run.reports) {
    const bytes = read(ref.file);
    if (!bytes) throw new Error(`internal: ${ref.file} vanished after the run was checked`);
    const path = join(tmp, ref.file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  return target;
}

/** `{path}: {message}` joined, for one-line reasons. */
export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ');
}
