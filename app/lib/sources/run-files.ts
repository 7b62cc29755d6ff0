// Turns a run folder (its run.json and the files it lists), from whatever source, into a CheckedRun:
// the one path every source takes (snapshot, GitHub artifacts, dropped files), so each run is judged
// by the same module as `report check`.
import { checkDocument } from '../reports/check.ts';
import type { Problem } from '../reports/problem.ts';
import type { DocumentKind, RunManifest } from '../reports/types.ts';
import type { CheckedRun } from '../db/ingest.ts';

export type RunFilesResult =
  { ok: true; run: CheckedRun } | { ok: false; id: string | null; problems: Problem[] };

/** Checks a run manifest and the reports it lists (SHA-256, schema, consistency).
 *  @param read returns a listed file's bytes, or null when it is missing. Never throws on user data. */
export async function checkRunFiles(
  runJson: string,
  read: (file: string) => Promise<Uint8Array | null>,
): Promise<RunFilesResult> {
  const result = await checkDocument(runJson, read);
  const id = result.report && result.kind === 'run' ? (result.report as RunManifest).id : null;
  if (result.kind !== 'run') {
    const problems = result.problems.length
      ? result.problems
      : [
          {
            path: '/schema',
            message: `expected a run manifest (knhk.run/v1), got ${result.kind ?? 'an unknown document'}`,
          },
        ];
    return { ok: false, id, problems };
  }
  if (!result.valid || !result.report || !result.runReports)
    return { ok: false, id, problems: result.problems };
  const manifest = result.report as RunManifest;
  return {
    ok: true,
    run: {
      manifest,
      verdict: result.verdict,
      reports: result.runReports.map(({ ref, result: inner, text }) => ({
        kind: ref.kind as DocumentKind,
        sha256: ref.sha256,
        doc: inner.report ?? inner.weaver ?? null,
        // Our reports are kept as the very text whose SHA-256 was checked; Weaver's as its summary.
        ...(inner.weaver ? { weaver: inner.weaver } : { text }),
      })),
    },
  };
}
