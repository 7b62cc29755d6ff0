// Run identity and manifest (knhk.run/v1) shared by every step that writes a run under
// .knhk/runs/<run-id>/: the pipeline and the gates. A local run is `local-<host>-<UTC>`; in GitHub
// Actions one CI job is `gh-<run id>-<attempt>-<target>`, so steps of one job add to one run.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, hostname, type } from 'node:os';
import { join } from 'node:path';
import type { CommitInfo } from './git.ts';
import { toUtc } from './git.ts';
import type { Exec } from './exec.ts';
import { validateAs } from '../../app/lib/reports/validate.ts';
import type { RunManifest, RunReportRef } from '../../app/lib/reports/types.ts';

/** Who ran a run and where it is seen: everything of the manifest that is not about the commit,
 *  the machine or the reports. */
export interface RunIdentity {
  id: string;
  group: string;
  source: RunManifest['source'];
  repo: string | null;
  workflow: string | null;
  event: string | null;
  url: string | null;
  base_sha: string | null;
  /** Branch and tag as the CI names them (a CI checkout is often a detached HEAD); null locally,
   *  where git's own answer is used. */
  branch: string | null;
  tag: string | null;
}

export interface RunIdentityOptions {
  /** The environment; GITHUB_ACTIONS=true selects the GitHub Actions identity. */
  env: NodeJS.ProcessEnv;
  /** This machine's host name (local run ids). */
  host: string;
  /** When the run started (local run ids). */
  at: Date;
  /** GNU target triple of this machine's build (GitHub run ids). */
  target: string;
  /** Reads the webhook payload at GITHUB_EVENT_PATH (for the base SHA). Default: fs, null when unreadable. */
  readEvent?: (path: string) => string | null;
}

const SHA = /^[0-9a-f]{40}$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const TARGET = /^[a-z0-9_]+(-[a-z0-9_.]+){1,3}$/;

/** `local-<host>-<UTC time as 20261204T160000Z>`; the host reduced to the characters a run id allows. */
export function localRunId(host: string, at: Date): string {
  const safeHost = host.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^-+|-+$/g, '') || 'host';
  return `local-${safeHost}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}`;
}

/** True when the environment is a GitHub Actions job. */
export function isGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * The identity of this run: GitHub Actions' (from the standard GITHUB_* variables) when
 * GITHUB_ACTIONS=true, else a local one.
 * @throws Error naming the variable when GitHub Actions lacks GITHUB_RUN_ID or GITHUB_RUN_ATTEMPT
 */
export function runIdentity(opts: RunIdentityOptions): RunIdentity {
  if (!isGitHubActions(opts.env)) {
    const id = localRunId(opts.host, opts.at);
    return {
      id,
      group: id,
      source: 'local',
      repo: null,
      workflow: null,
      event: 'local',
      url: null,
      base_sha: null,
      branch: null,
      tag: null,
    };
  }
  const env = opts.env;
  const runId = env.GITHUB_RUN_ID ?? '';
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '1';
  if (!/^[0-9]+$/.test(runId)) {
    throw new Error(`GITHUB_RUN_ID: expected the workflow run id (digits), got "${runId}"`);
  }
  if (!/^[0-9]+$/.test(attempt)) {
    throw new Error(`GITHUB_RUN_ATTEMPT: expected the attempt number (digits), got "${attempt}"`);
  }
  const target = opts.target.toLowerCase().replace(/[^a-z0-9_.-]/g, '-');
  const repo = env.GITHUB_REPOSITORY && REPO.test(env.GITHUB_REPOSITORY) ? env.GITHUB_REPOSITORY : null;
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const refType = env.GITHUB_REF_TYPE;
  const refName = env.GITHUB_REF_NAME || null;
  return {
    id: `gh-${runId}-${attempt}-${target}`,
    group: `gh-${runId}-${attempt}`,
    source: 'github-actions',
    repo,
    workflow: env.GITHUB_WORKFLOW || null,
    event: env.GITHUB_EVENT_NAME || null,
    url:
      repo && server.startsWith('https://')
        ? `${server}/${repo}/actions/runs/${runId}/attempts/${attempt}`
        : null,
    base_sha: baseSha(env, opts.readEvent ?? readTextOrNull),
    // A pull request's checkout is a detached merge commit: its source branch is GITHUB_HEAD_REF.
    branch: env.GITHUB_HEAD_REF || (refType === 'branch' ? refName : null),
    tag: refType === 'tag' ? refName : null,
  };
}

/** The commit a change is compared with: the pull request's base, or the commit before a push. */
function baseSha(env: NodeJS.ProcessEnv, readEvent: (path: string) => string | null): string | null {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return null;
  const text = readEvent(path);
  if (text === null) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return null; // an unreadable payload only costs the base SHA, which may be null
  }
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as { pull_request?: { base?: { sha?: unknown } }; before?: unknown };
  const candidate = p.pull_request?.base?.sha ?? p.before;
  // A push that creates a branch has before = 40 zeros: there is no base.
  return typeof candidate === 'string' && SHA.test(candidate) && !/^0+$/.test(candidate) ? candidate : null;
}

function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // no payload file: no base SHA
  }
}

/**
 * GNU target triple of this machine's C build, spelt as `knhk bench` reports it (x86_64-linux-gnu,
 * aarch64-apple-darwin): `cc -dumpmachine` normalised, else derived from Node's platform and
 * architecture.
 */
export async function detectTarget(exec: Exec, cwd: string): Promise<string> {
  const cc = await exec('cc', ['-dumpmachine'], { cwd, timeoutMs: 10_000 });
  const machine = normaliseTarget(cc.stdout.trim());
  if (cc.code === 0 && TARGET.test(machine)) return machine;
  const cpu = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' }[process.arch as string] ?? process.arch;
  const os =
    { linux: 'linux-gnu', darwin: 'apple-darwin', win32: 'pc-windows-msvc' }[process.platform as string] ??
    process.platform;
  return `${cpu}-${os}`.toLowerCase();
}

/** `arm64-apple-darwin23.4.0` → `aarch64-apple-darwin`, `x86_64-pc-linux-gnu` → `x86_64-linux-gnu`. */
export function normaliseTarget(triple: string): string {
  return triple
    .toLowerCase()
    .replace(/^arm64-/, 'aarch64-')
    .replace(/-(pc|unknown)-linux-/, '-linux-')
    .replace(/-darwin[0-9.]*$/, '-darwin');
}

/** This machine, as a run manifest describes it. */
export function describeRunner(cpuModel?: string): RunManifest['runner'] {
  return { os: type(), arch: arch(), cpu_model: cpuModel ?? cpus()[0]?.model ?? '', hostname: hostname() };
}

/** Writes one report file of a run (with a final newline) and returns its manifest entry. */
export function writeReport(
  dir: string,
  kind: RunReportRef['kind'],
  file: string,
  content: string | Uint8Array,
): RunReportRef {
  const bytes =
    typeof content === 'string' ? Buffer.from(content.endsWith('\n') ? content : `${content}\n`) : content;
  writeFileSync(join(dir, file), bytes);
  return { kind, file, sha256: sha256Hex(bytes), bytes: bytes.length };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface RunManifestInput {
  identity: RunIdentity;
  commit: CommitInfo;
  target: string;
  runner: RunManifest['runner'];
  startedAt: Date;
  finishedAt: Date;
  reports: RunReportRef[];
}

/** Assembles a run manifest; CI's branch and tag win over git's (a CI checkout is often detached). */
export function buildRunManifest(input: RunManifestInput): RunManifest {
  const { identity, commit } = input;
  return {
    schema: 'knhk.run/v1',
    id: identity.id,
    group: identity.group,
    source: identity.source,
    repo: identity.repo,
    workflow: identity.workflow,
    event: identity.event,
    commit: { sha: commit.sha, message: commit.message, author: commit.author, time: commit.time },
    branch: identity.branch ?? commit.branch,
    tag: identity.tag ?? commit.tag,
    base_sha: identity.base_sha,
    target: input.target,
    runner: input.runner,
    started_at: toUtc(input.startedAt.toISOString()),
    finished_at: toUtc(input.finishedAt.toISOString()),
    url: identity.url,
    reports: input.reports,
  };
}

/**
 * Validates and writes `run.json` in the run's folder. When the folder already holds a manifest of
 * the same run (another step of the same CI job), its reports that this step did not rewrite are kept
 * if their files are still there with the same SHA-256, and the earlier start time is kept.
 * @returns the manifest written
 * @throws Error when the manifest is invalid (a bug in the caller)
 */
export function writeRunManifest(dir: string, manifest: RunManifest): RunManifest {
  const merged = mergeWithExisting(dir, manifest);
  const checked = validateAs('run', merged);
  if (!checked.ok) {
    const list = checked.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ');
    throw new Error(`internal: the run manifest is invalid: ${list}`);
  }
  writeFileSync(join(dir, 'run.json'), `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

function mergeWithExisting(dir: string, manifest: RunManifest): RunManifest {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) return manifest;
  let previous: unknown;
  try {
    previous = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return manifest; // a broken earlier manifest is replaced, not merged
  }
  const old = validateAs('run', previous);
  if (!old.ok || old.value.id !== manifest.id) return manifest;
  const rewritten = new Set(manifest.reports.map((r) => r.file));
  const kept = old.value.reports.filter((r) => {
    if (rewritten.has(r.file)) return false;
    const file = join(dir, r.file);
    return existsSync(file) && sha256Hex(readFileSync(file)) === r.sha256;
  });
  const startedAt =
    Date.parse(old.value.started_at) < Date.parse(manifest.started_at)
      ? old.value.started_at
      : manifest.started_at;
  return { ...manifest, started_at: startedAt, reports: [...kept, ...manifest.reports] };
}
