// Run identity and manifest (scripts/lib/run-manifest.ts): local and GitHub Actions ids, the base SHA
// from the event payload, and manifests that validate and merge within one CI job.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildRunManifest,
  detectTarget,
  localRunId,
  normaliseTarget,
  runIdentity,
  writeReport,
  writeRunManifest,
  type RunIdentity,
} from '../../../scripts/lib/run-manifest.ts';
import type { Exec } from '../../../scripts/lib/exec.ts';
import { validateAs } from '../../../app/lib/reports/validate.ts';

const AT = new Date('2026-12-04T16:00:00.123Z');
const COMMIT = {
  sha: '3f2a9c1e5b7d4a6f8e0c2b4d6f8a1c3e5b7d9f0a',
  message: 'subject',
  author: 'A',
  time: '2026-12-04T15:00:00Z',
  branch: 'main',
  tag: null,
};
const BASE = 'a'.repeat(40);

describe('localRunId', () => {
  it.each([
    ['build-box', 'local-build-box-20261204T160000Z'],
    ['my host.local', 'local-my-host.local-20261204T160000Z'],
    ['***', 'local-host-20261204T160000Z'],
  ])('names a run on %s %s', (host, want) => {
    expect(localRunId(host, AT)).toBe(want);
  });
});

describe('runIdentity', () => {
  const gh = {
    GITHUB_ACTIONS: 'true',
    GITHUB_RUN_ID: '123',
    GITHUB_RUN_ATTEMPT: '3',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: '/event.json',
    GITHUB_HEAD_REF: 'feature',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REF_NAME: '42/merge',
  };

  it('is local outside GitHub Actions', () => {
    expect(runIdentity({ env: {}, host: 'h', at: AT, target: 'x86_64-linux-gnu' })).toEqual({
      id: 'local-h-20261204T160000Z',
      group: 'local-h-20261204T160000Z',
      source: 'local',
      repo: null,
      workflow: null,
      event: 'local',
      url: null,
      base_sha: null,
      branch: null,
      tag: null,
    });
  });

  it('names a GitHub Actions job by run, attempt and target, with the pull request base', () => {
    const readEvent = () => JSON.stringify({ pull_request: { base: { sha: BASE } } });
    expect(runIdentity({ env: gh, host: 'h', at: AT, target: 'aarch64-linux-gnu', readEvent })).toEqual({
      id: 'gh-123-3-aarch64-linux-gnu',
      group: 'gh-123-3',
      source: 'github-actions',
      repo: 'o/r',
      workflow: 'CI',
      event: 'pull_request',
      url: 'https://github.com/o/r/actions/runs/123/attempts/3',
      base_sha: BASE,
      branch: 'feature',
      tag: null,
    });
  });

  it.each([
    ['a push', { before: BASE }, BASE],
    ['a push creating a branch', { before: '0'.repeat(40) }, null],
    ['an unreadable payload', null, null],
    ['a payload that is not JSON', 'nope', null],
  ])('takes the base SHA of %s', (_name, payload, want) => {
    const readEvent = () =>
      payload === null ? null : typeof payload === 'string' ? payload : JSON.stringify(payload);
    const env = { ...gh, GITHUB_EVENT_NAME: 'push', GITHUB_HEAD_REF: '' };
    expect(runIdentity({ env, host: 'h', at: AT, target: 'x86_64-linux-gnu', readEvent }).base_sha).toBe(
      want,
    );
  });

  it('names the tag of a tag push', () => {
    const env = { ...gh, GITHUB_HEAD_REF: '', GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.2.3' };
    expect(runIdentity({ env, host: 'h', at: AT, target: 't-u', readEvent: () => null })).toMatchObject({
      tag: 'v1.2.3',
      branch: null,
    });
  });

  it('refuses a GitHub Actions environment without a run id', () => {
    const env = { ...gh, GITHUB_RUN_ID: '' };
    expect(() => runIdentity({ env, host: 'h', at: AT, target: 't-u' })).toThrow(
      'GITHUB_RUN_ID: expected the workflow run id (digits), got ""',
    );
  });
});

describe('normaliseTarget', () => {
  it.each([
    ['x86_64-linux-gnu', 'x86_64-linux-gnu'],
    ['x86_64-pc-linux-gnu', 'x86_64-linux-gnu'],
    ['aarch64-unknown-linux-gnu', 'aarch64-linux-gnu'],
    ['arm64-apple-darwin23.4.0', 'aarch64-apple-darwin'],
  ])('spells %s as knhk bench does: %s', (triple, want) => {
    expect(normaliseTarget(triple)).toBe(want);
  });
});

describe('detectTarget', () => {
  it.each([
    ['cc -dumpmachine', { code: 0, stdout: 'aarch64-linux-gnu\n' }, 'aarch64-linux-gnu'],
    ['the Node platform when cc is missing', { code: 127, stdout: '' }, null],
  ])('detects the target with %s', async (_name, reply, want) => {
    const exec: Exec = async () => ({ stderr: '', duration_ms: 1, ...reply });
    const target = await detectTarget(exec, '.');
    if (want) expect(target).toBe(want);
    else expect(target).toMatch(/^[a-z0-9_]+(-[a-z0-9_.]+){1,3}$/);
  });
});

describe('writeRunManifest', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'knhk-run-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const identity = (id = 'gh-1-1-x86_64-linux-gnu'): RunIdentity => ({
    id,
    group: 'gh-1-1',
    source: 'github-actions',
    repo: 'o/r',
    workflow: 'CI',
    event: 'push',
    url: 'https://github.com/o/r/actions/runs/1/attempts/1',
    base_sha: null,
    branch: null,
    tag: null,
  });
  const manifest = (reports: ReturnType<typeof writeReport>[], startedAt: Date) =>
    buildRunManifest({
      identity: identity(),
      commit: COMMIT,
      target: 'x86_64-linux-gnu',
      runner: { os: 'Linux', arch: 'x64', cpu_model: 'cpu', hostname: 'h' },
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 1000),
      reports,
    });

  it('writes a manifest that validates, with the SHA-256 and size of each report', () => {
    const ref = writeReport(dir, 'tick-bench', 'tick-bench.json', '{"x":1}');
    expect(ref).toEqual({
      kind: 'tick-bench',
      file: 'tick-bench.json',
      sha256: 'bb157861a164e35cdde9d726b0af9ce2765a8f530c35d9e45732b94ee65e9557',
      bytes: 8,
    });
    const written = writeRunManifest(dir, manifest([ref], AT));
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(parsed).toEqual(written);
    expect(validateAs('run', parsed).ok).toBe(true);
    expect(written.branch).toBe('main'); // git's branch when CI names none
  });

  it('keeps the reports an earlier step of the same run wrote, and its start time', () => {
    const bench = writeReport(dir, 'tick-bench', 'tick-bench.json', '{"x":1}');
    const stale = writeReport(dir, 'wasm-bench', 'wasm-bench.json', '{"y":1}');
    writeRunManifest(dir, manifest([bench, stale], AT));
    writeFileSync(join(dir, 'wasm-bench.json'), '{"y":2}\n'); // changed since: no longer what was listed
    const gates = writeReport(dir, 'gate-report', 'gate-report.json', '{"z":1}');
    const later = new Date(AT.getTime() + 60_000);
    const merged = writeRunManifest(dir, manifest([gates], later));
    expect(merged.reports.map((r) => r.file)).toEqual(['tick-bench.json', 'gate-report.json']);
    expect(merged.started_at).toBe('2026-12-04T16:00:00Z');
  });

  it('throws on a manifest that would be invalid (a bug in the caller)', () => {
    const bad = { ...manifest([], AT), id: 'not a run id' };
    expect(() => writeRunManifest(dir, bad)).toThrow(
      /internal: the run manifest is invalid: \/id: expected a run id/,
    );
  });
});
