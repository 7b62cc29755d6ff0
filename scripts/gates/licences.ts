// Licences of the installed dependency tree (production + dev: everything under node_modules/),
// judged against an allow-list of permissive SPDX identifiers and expressions made of them.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** SPDX identifiers a dependency may carry without a finding. */
export const ALLOWED_LICENCES = [
  'MIT',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Python-2.0',
  'MPL-2.0',
  'Unlicense',
] as const;

const ALLOWED = new Set(ALLOWED_LICENCES.map((l) => l.toLowerCase()));

export interface InstalledPackage {
  name: string;
  version: string;
  /** The licence as an SPDX expression, or null when the package declares none. */
  licence: string | null;
  /** Folder relative to the project root. */
  path: string;
}

/**
 * Every package installed under `<root>/node_modules`, nested node_modules included, once per
 * name@version. Reads each package.json's `license` (an SPDX expression), or the legacy
 * `license: {type}` / `licenses: [{type}]` forms (several legacy entries are alternatives: OR).
 */
export function listInstalledPackages(root: string): InstalledPackage[] {
  const seen = new Map<string, InstalledPackage>();
  const visitModules = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // no node_modules here
    }
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue; // .bin, .package-lock.json, caches
      const full = join(dir, name);
      if (name.startsWith('@')) {
        let scoped: string[] = [];
        try {
          scoped = readdirSync(full);
        } catch {
          continue; // an unreadable scope folder holds nothing we can judge
        }
        for (const inner of scoped.sort()) visitPackage(join(full, inner));
      } else visitPackage(full);
    }
  };
  const visitPackage = (dir: string) => {
    try {
      if (lstatSync(dir).isSymbolicLink()) return; // a linked workspace is our own code
    } catch {
      return;
    }
    let pkg: Record<string, unknown>;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      return; // not a package folder
    }
    const name = typeof pkg.name === 'string' ? pkg.name : relative(root, dir);
    const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    const key = `${name}@${version}`;
    if (!seen.has(key))
      seen.set(key, { name, version, licence: declaredLicence(pkg), path: relative(root, dir) });
    visitModules(join(dir, 'node_modules'));
  };
  visitModules(join(root, 'node_modules'));
  return [...seen.values()];
}

function declaredLicence(pkg: Record<string, unknown>): string | null {
  const typeOf = (v: unknown) =>
    typeof v === 'string'
      ? v
      : typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string'
        ? (v as { type: string }).type
        : null;
  const single = typeOf(pkg.license);
  if (single && single.trim()) return single.trim();
  if (Array.isArray(pkg.licenses)) {
    const types = pkg.licenses.map(typeOf).filter((t): t is string => !!t && !!t.trim());
    if (types.length === 1) return types[0]!;
    if (types.length > 1) return `(${types.join(' OR ')})`;
  }
  return null;
}

/**
 * Judges an SPDX expression: identifiers must be on the allow-list (case-insensitive, a trailing `+`
 * allowed); `A OR B` is allowed when either side is, `A AND B` when both are; `X WITH exception` as X.
 * @returns null when allowed, else why not
 */
export function licenceProblem(expression: string | null): string | null {
  if (expression === null) return 'no licence declared';
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  // expr := and (OR and)* ; and := atom (AND atom)* ; atom := '(' expr ')' | id [WITH id]
  const parseExpr = (): boolean | null => {
    let value = parseAnd();
    while (value !== null && peek()?.toUpperCase() === 'OR') {
      i++;
      const right = parseAnd();
      if (right === null) return null;
      value = value || right;
    }
    return value;
  };
  const parseAnd = (): boolean | null => {
    let value = parseAtom();
    while (value !== null && peek()?.toUpperCase() === 'AND') {
      i++;
      const right = parseAtom();
      if (right === null) return null;
      value = value && right;
    }
    return value;
  };
  const parseAtom = (): boolean | null => {
    const t = tokens[i++];
    if (t === undefined) return null;
    if (t === '(') {
      const inner = parseExpr();
      return tokens[i++] === ')' ? inner : null;
    }
    if (t === ')' || /^(AND|OR|WITH)$/i.test(t)) return null;
    if (peek()?.toUpperCase() === 'WITH') {
      i++;
      if (tokens[i++] === undefined) return null;
    }
    return ALLOWED.has(t.replace(/\+$/, '').toLowerCase());
  };
  const allowed = tokens.length > 0 ? parseExpr() : null;
  if (allowed === null || i !== tokens.length) return `not an SPDX expression: ${expression}`;
  return allowed ? null : `not on the allow-list: ${expression}`;
}
