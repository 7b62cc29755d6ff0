// scripts/lib/semver.ts: what bump-version accepts, and semver precedence (semver.org §11).
import { describe, expect, it } from 'vitest';
import { compareSemver, formatSemver, parseSemver, releaseTag } from '../../../scripts/lib/semver.ts';

describe('parseSemver', () => {
  it.each([
    ['1.2.3', { major: 1, minor: 2, patch: 3, prerelease: [] }],
    ['0.0.0', { major: 0, minor: 0, patch: 0, prerelease: [] }],
    ['10.20.30-rc.1', { major: 10, minor: 20, patch: 30, prerelease: ['rc', '1'] }],
    ['1.0.0-alpha-beta.0a', { major: 1, minor: 0, patch: 0, prerelease: ['alpha-beta', '0a'] }],
  ])('reads %s', (text, want) => {
    expect(parseSemver(text)).toEqual(want);
    expect(formatSemver(want)).toBe(text);
  });

  it.each([
    ['two parts', '1.2'],
    ['a v prefix', 'v1.2.3'],
    ['a leading zero', '1.02.3'],
    ['a pre-release number with a leading zero', '1.2.3-rc.01'],
    ['an empty pre-release identifier', '1.2.3-rc..1'],
    ['build metadata', '1.2.3+sha.abc'],
    ['spaces', ' 1.2.3'],
    ['a number beyond 2^53', '9007199254740993.0.0'],
  ])('refuses %s (%j)', (_name, text) => {
    expect(parseSemver(text)).toBeNull();
  });
});

describe('compareSemver', () => {
  // semver.org §11's example chain, in increasing order.
  const CHAIN = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0',
    '2.0.0',
    '10.0.0',
  ];
  it.each(CHAIN.slice(1).map((b, i) => [CHAIN[i] as string, b]))('orders %s below %s', (a, b) => {
    const pa = parseSemver(a)!;
    const pb = parseSemver(b)!;
    expect(compareSemver(pa, pb)).toBeLessThan(0);
    expect(compareSemver(pb, pa)).toBeGreaterThan(0);
    expect(compareSemver(pa, pa)).toBe(0);
  });
});

describe('releaseTag', () => {
  it('prefixes v', () => expect(releaseTag('1.2.3')).toBe('v1.2.3'));
});
