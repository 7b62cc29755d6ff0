// scripts/lib/github.ts: the ETag cache file and the one-line error messages.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeGitHubError, EtagCache } from '../../../scripts/lib/github.ts';
import { tempDirs } from '../temp.ts';

const { tempDir } = tempDirs();

describe('EtagCache', () => {
  const file = () => join(tempDir('knhk-etag-'), 'etag-cache.json');

  it('starts empty when the file is missing or corrupt (it is only a cache)', () => {
    const path = file();
    expect(EtagCache.load(path).get('https://api.github.com/x')).toBeUndefined();
    writeFileSync(path, '{not json');
    expect(EtagCache.load(path).get('https://api.github.com/x')).toBeUndefined();
  });

  it('keeps every entry on a plain save and only the URLs used on a pruning save', () => {
    const path = file();
    const cache = EtagCache.load(path);
    cache.set('https://api.github.com/a', { etag: 'W/"a"', body: { n: 1 } });
    cache.set('https://api.github.com/b', { etag: 'W/"b"', body: { n: 2 } });
    cache.save();
    const next = EtagCache.load(path);
    expect(next.get('https://api.github.com/a')).toEqual({ etag: 'W/"a"', body: { n: 1 } });
    next.save(true);
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toEqual(['https://api.github.com/a']);
  });

  it('stores a copy, so a caller changing the body later does not change the cache', () => {
    const cache = new EtagCache(null);
    const body = { total_count: 1, workflow_runs: [] as unknown[] };
    cache.set('u', { etag: 'e', body });
    delete (body as Partial<typeof body>).total_count;
    expect(cache.get('u')!.body).toEqual({ total_count: 1, workflow_runs: [] });
  });
});

describe('describeGitHubError', () => {
  const error = (status: number, headers: Record<string, string> = {}, message = 'Not Found') =>
    Object.assign(new Error(message), { status, response: { headers, data: {} } });

  it.each([
    [
      'a rate limit',
      error(403, {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '4102444800',
        'x-ratelimit-limit': '5000',
      }),
      true,
      'GitHub API rate limit exhausted while listing runs (limit 5000): it resets at 2100-01-01T00:00:00Z (in',
    ],
    ['bad credentials', error(401, {}, 'Bad credentials'), true, 'expected a valid GITHUB_TOKEN, got 401'],
    [
      'a private repository without a token',
      error(404),
      false,
      'visible to anonymous requests (a private repository needs GITHUB_TOKEN), got 404',
    ],
    [
      'no response at all',
      Object.assign(new Error('getaddrinfo ENOTFOUND api.github.com'), { status: 500 }),
      true,
      'could not reach GitHub while listing runs: getaddrinfo ENOTFOUND api.github.com',
    ],
  ])('names %s', (_name, err, hasToken, want) => {
    expect(describeGitHubError(err, 'listing runs', hasToken)).toContain(want);
  });
});
