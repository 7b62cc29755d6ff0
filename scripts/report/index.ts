// `report check FILE...`: validate and judge report files with the same module the site uses.
import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { checkDocument, type CheckResult } from '../../app/lib/reports/check.ts';

export interface FileCheck extends Omit<CheckResult, 'report' | 'weaver'> {
  file: string;
}

/** Checks each file; a run manifest's reports are read relative to the manifest's folder. An
 *  unreadable file is reported as invalid with the reason, not thrown. */
export async function runReportCheck(files: string[]): Promise<FileCheck[]> {
  const out: FileCheck[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      out.push({
        file,
        kind: null,
        valid: false,
        verdict: 'no-evidence',
        problems: [
          {
            path: '',
            message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          },
        ],
        summary: null,
      });
      continue;
    }
    const base = dirname(resolvePath(file));
    const result = await checkDocument(text, async (name) => {
      try {
        return new Uint8Array(await readFile(resolvePath(base, name)));
      } catch {
        return null;
      }
    });
    out.push({
      file,
      kind: result.kind,
      valid: result.valid,
      verdict: result.verdict,
      problems: result.problems,
      summary: result.summary,
    });
  }
  return out;
}
