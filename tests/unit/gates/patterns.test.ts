// Forbidden patterns: what is found (file and line), what comments and look-alikes do not trigger.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { scanForbiddenPatterns } from '../../../scripts/gates/patterns.ts';
import { REPO, tempProject } from './helpers.ts';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('scanForbiddenPatterns', () => {
  it.each([
    ['{@html} in a component', 'app/A.svelte', '<p>{@html report.notes}</p>', 'html-tag'],
    ['eval(', 'app/a.ts', 'const x = eval("1 + 1");', 'eval'],
    ['eval ( with a space', 'scripts/b.mjs', 'export const y = eval ("2");', 'eval'],
    ['new Function', 'app/c.js', 'const f = new Function("return 1");', 'new-function'],
    ['innerHTML', 'app/D.svelte', '<script>node.innerHTML = text;</script>', 'inner-html'],
    ['insertAdjacentHTML', 'app/e.ts', "el.insertAdjacentHTML('beforeend', s);", 'inner-html'],
  ])('finds %s', (_name, file, text, id) => {
    root = tempProject({ [file]: `// header\n${text}\n` });
    const { findings, files } = scanForbiddenPatterns(root, ['app', 'scripts']);
    expect(files).toBe(1);
    expect(findings.map((f) => [f.file, f.line, f.id])).toEqual([[file, 2, id]]);
  });

  it.each([
    ['a line comment', 'app/a.ts', 'const ok = 1; // never eval(text) here'],
    ['a doc comment line', 'app/b.ts', ' * no `new Function` and no innerHTML'],
    ['a method called eval', 'app/c.ts', 'await page.eval(expr);'],
    ['a longer identifier', 'app/d.ts', 'mod._knhk_wasm_eval(a, b);'],
    ['{@html} outside a component', 'app/e.ts', "const doc = '{@html x}';"],
    ['generated code', 'app/lib/reports/generated/v.js', 'const f = new Function("x");'],
  ])('ignores %s', (_name, file, text) => {
    root = tempProject({ [file]: `${text}\n` });
    expect(scanForbiddenPatterns(root, ['app']).findings).toEqual([]);
  });

  it('finds nothing in this repository', () => {
    root = tempProject();
    expect(scanForbiddenPatterns(REPO, ['app', 'scripts']).findings).toEqual([]);
  });
});
