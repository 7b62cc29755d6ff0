// Semantic versions (semver.org 2.0.0) as the release scripts use them: parse, compare, and the
// release tag `v<version>`. Build metadata (`+...`) is refused: release tags cannot carry it.

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers (`1.0.0-rc.1` -> ['rc', '1']); empty for a release. */
  prerelease: string[];
}

const NUM = '0|[1-9]\\d*';
const PRE_ID = '0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*';
const SEMVER_RE = new RegExp(`^(${NUM})\\.(${NUM})\\.(${NUM})(?:-((?:${PRE_ID})(?:\\.(?:${PRE_ID}))*))?$`);

/**
 * Parses `X.Y.Z` or `X.Y.Z-PRE` (no leading zeros, no `v` prefix, no build metadata).
 * @return the version, or null when `text` is not one.
 */
export function parseSemver(text: string): SemVer | null {
  const m = SEMVER_RE.exec(text);
  if (!m) return null;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  if (![major, minor, patch].every(Number.isSafeInteger)) return null;
  return { major, minor, patch, prerelease: m[4] ? m[4].split('.') : [] };
}

/** True when `text` is a version `parseSemver` accepts. */
export function isSemver(text: string): boolean {
  return parseSemver(text) !== null;
}

/** Formats a parsed version back to text. */
export function formatSemver(v: SemVer): string {
  const core = `${v.major}.${v.minor}.${v.patch}`;
  return v.prerelease.length ? `${core}-${v.prerelease.join('.')}` : core;
}

/**
 * Semver precedence: negative when a < b, 0 when equal, positive when a > b. A pre-release sorts
 * before its release (`1.0.0-rc.1 < 1.0.0`); numeric identifiers compare as numbers and below
 * alphanumeric ones; a shorter identifier list sorts first when all shared ones are equal.
 */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  if (!a.prerelease.length || !b.prerelease.length) {
    return (b.prerelease.length ? 1 : 0) - (a.prerelease.length ? 1 : 0);
  }
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const x = a.prerelease[i] as string;
    const y = b.prerelease[i] as string;
    if (x === y) continue;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum) return Number(x) < Number(y) ? -1 : 1;
    if (xNum !== yNum) return xNum ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.prerelease.length - b.prerelease.length;
}

/** The release tag of a version: `1.2.3` -> `v1.2.3`. */
export function releaseTag(version: string): string {
  return `v${version}`;
}
