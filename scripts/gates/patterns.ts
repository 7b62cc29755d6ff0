// Project-specific forbidden patterns (DESIGN §6: report data is text, and the site's CSP allows no
// eval): {@html} in components, eval(, new Function, and HTML injection through innerHTML and kin.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface ForbiddenPattern {
  id: string;
  /** What a finding shows. */
  label: string;
  /** File names it applies to. */
  files: RegExp;
  pattern: RegExp;
}

// The expressions and labels are written so this file does not match itself: a character class
// sits inside each forbidden word, and the labels describe rather than quote.
export const FORBIDDEN_PATTERNS: readonly ForbiddenPattern[] = [
  { id: 'html-tag', label: '{@html}', files: /\.svelte$/, pattern: /\{@htm[l]\b/ },
  { id: 'eval', label: 'eval call', files: /\.(ts|js|mjs|cjs|svelte)$/, pattern: /(?<![.\w$])eva[l]\s*\(/ },
  {
    id: 'new-function',
    label: 'Function constructor',
    files: /\.(ts|js|mjs|cjs|svelte)$/,
    pattern: /\bnew\s+Functio[n]\b/,
  },
  {
    id: 'inner-html',
    label: 'HTML injection (inner/outer HTML)',
    files: /\.(ts|js|mjs|cjs|svelte)$/,
    pattern: /\b(inner|outer)HTM[L]\b|\binsertAdjacentHTM[L]\b/,
  },
];

/** Folders never scanned: generated code, dependencies, build output. */
const SKIP_DIRS = new Set(['node_modules', 'generated', '.svelte-kit', 'build']);

export interface PatternFinding {
  file: string;
  line: number;
  id: string;
  label: string;
  text: string;
}

/**
 * Scans every source file under `dirs` (relative to root) for the forbidden patterns. A match inside a
 * comment (after `//` on its line, or on a line opening with `*`, `/*` or `<!--`) is not a finding:
 * comments name these words to forbid them.
 * @returns the findings and the number of files scanned
 */
export function scanForbiddenPatterns(
  root: string,
  dirs: readonly string[],
  patterns: readonly ForbiddenPattern[] = FORBIDDEN_PATTERNS,
): { findings: PatternFinding[]; files: number } {
  const findings: PatternFinding[] = [];
  let files = 0;
  const visit = (path: string) => {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      return; // a folder that is not there (scripts/ in a temp project) has nothing to scan
    }
    if (isDir) {
      for (const name of readdirSync(path).sort()) {
        if (!SKIP_DIRS.has(name) && !name.startsWith('.')) visit(join(path, name));
      }
      return;
    }
    const applicable = patterns.filter((p) => p.files.test(path));
    if (applicable.length === 0) return;
    files++;
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((text, i) => {
      const trimmed = text.trimStart();
      if (/^(\*|\/\*|<!--)/.test(trimmed)) return;
      for (const p of applicable) {
        const m = p.pattern.exec(text);
        if (!m) continue;
        const comment = text.indexOf('//');
        if (comment >= 0 && comment < m.index && !/:\/\/$/.test(text.slice(0, comment + 2))) continue;
        findings.push({
          file: relative(root, path),
          line: i + 1,
          id: p.id,
          label: p.label,
          text: trimmed.slice(0, 120),
        });
      }
    });
  };
  for (const dir of dirs) visit(join(root, dir));
  return { findings, files };
}
