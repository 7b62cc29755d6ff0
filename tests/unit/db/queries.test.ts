// The read queries of the Runs and Run detail views, over a store filled the way sources fill it
// (storeRuns), and the pure helpers: URL filters, findings groups, the reason behind a verdict.
import { beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openDb, type KnhkDb, type StoredRun, type StoredWeaverFinding } from '../../../app/lib/db/db.ts';
import { storeRuns, type CheckedRun } from '../../../app/lib/db/ingest.ts';
import {
  EMPTY_RUN_FILTER,
  countFindingsByLevel,
  distinctValues,
  explainVerdict,
  filterFindingGroups,
  getRunDetail,
  groupFindings,
  listRuns,
  parseRunFilter,
  runFilterQuery,
  sortFindingGroups,
  type RunFilter,
} from '../../../app/lib/db/queries.ts';
import type { GateReport, RunManifest, TickBench, Verdict } from '../../../app/lib/reports/types.ts';
import type { WeaverSummary } from '../../../app/lib/reports/weaver.ts';

const json = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const BASE = json<RunManifest>('tests/fixtures/run/valid-github-actions.json');
const BENCH = json<TickBench>('tests/fixtures/tick-bench/valid-pass.json');
const NO_GO = json<GateReport>('tests/fixtures/gate-report/valid-no-go-tick-budget.json');
const WEAVER_MISSING = json<GateReport>('tests/fixtures/gate-report/valid-no-evidence-weaver-missing.json');
const GO = json<GateReport>('tests/fixtures/gate-report/valid-go-advisory-finding.json');
const WEAVER = json<{ summary: WeaverSummary }>('tests/fixtures/weaver/v0.24/expected.json').summary;

interface RunSpec {
  id: string;
  sha: string;
  message?: string;
  branch?: string | null;
  tag?: string | null;
  event?: string | null;
  target?: string;
  started: string;
  verdict?: Verdict;
}

function checkedRun(s: RunSpec, reports: CheckedRun['reports'] = []): CheckedRun {
  return {
    manifest: {
      ...BASE,
      id: s.id,
      group: s.id,
      commit: { ...BASE.commit, sha: s.sha, message: s.message ?? 'chore: a change' },
      branch: s.branch === undefined ? 'main' : s.branch,
      tag: s.tag ?? null,
      event: s.event === undefined ? 'push' : s.event,
      target: s.target ?? 'x86_64-linux-gnu',
      started_at: s.started,
      finished_at: s.started,
      reports: reports.map((r) => ({
        kind: r.kind as 'tick-bench',
        file: `${r.kind}.json`,
        sha256: r.sha256,
        bytes: 1,
      })),
    },
    verdict: s.verdict ?? 'no-evidence',
    reports,
  };
}

const SHA = (c: string) => c.repeat(40);
const RUNS: RunSpec[] = [
  {
    id: 'gh-1-1-x86_64-linux-gnu',
    sha: '3f2a9c1e5b7d4a6f8e0c2b4d6f8a1c3e5b7d9f0a',
    message: 'feat(core): AVX-512 ASK_SP',
    started: '2026-12-01T10:00:00Z',
    verdict: 'pass',
  },
  {
    id: 'gh-1-1-aarch64-linux-gnu',
    sha: '3f2a9c1e5b7d4a6f8e0c2b4d6f8a1c3e5b7d9f0a',
    message: 'feat(core): AVX-512 ASK_SP',
    target: 'aarch64-linux-gnu',
    started: '2026-12-01T10:01:00Z',
    verdict: 'fail',
  },
  {
    id: 'gh-2-1-x86_64-linux-gnu',
    sha: SHA('b'),
    message: 'fix: Clock calibration on arm64',
    branch: 'fix/clock',
    event: 'pull_request',
    started: '2026-12-02T09:00:00Z',
  },
  {
    id: 'local-box-20261203T080000Z',
    sha: SHA('c'),
    message: 'release 0.2.0',
    branch: null,
    tag: 'v0.2.0',
    event: null,
    started: '2026-12-03T08:00:00Z',
  },
];

const ids = (runs: StoredRun[]) => runs.map((r) => r.id);
const filter = (f: Partial<RunFilter>): RunFilter => ({ ...EMPTY_RUN_FILTER, ...f });

let db: KnhkDb;
beforeEach(async () => {
  db = openDb(`test-queries-${Math.random()}`);
  await db.open();
});

describe('listRuns', () => {
  beforeEach(async () => {
    await storeRuns(
      db,
      RUNS.map((s) => checkedRun(s)),
    );
  });

  it('lists every run newest first with the total when no filter is in use', async () => {
    const list = await listRuns(db);
    expect(list.total).toBe(4);
    expect(ids(list.runs)).toEqual([
      'local-box-20261203T080000Z',
      'gh-2-1-x86_64-linux-gnu',
      'gh-1-1-aarch64-linux-gnu',
      'gh-1-1-x86_64-linux-gnu',
    ]);
  });

  it.each<[string, Partial<RunFilter>, string[]]>([
    ['branch', { branch: 'fix/clock' }, ['gh-2-1-x86_64-linux-gnu']],
    ['event', { event: 'pull_request' }, ['gh-2-1-x86_64-linux-gnu']],
    ['target', { target: 'aarch64-linux-gnu' }, ['gh-1-1-aarch64-linux-gnu']],
    ['verdict go (stored pass)', { verdict: 'go' }, ['gh-1-1-x86_64-linux-gnu']],
    ['verdict no-go (stored fail)', { verdict: 'no-go' }, ['gh-1-1-aarch64-linux-gnu']],
    [
      'verdict no-evidence',
      { verdict: 'no-evidence' },
      ['local-box-20261203T080000Z', 'gh-2-1-x86_64-linux-gnu'],
    ],
    ['a SHA prefix', { q: '3f2a' }, ['gh-1-1-aarch64-linux-gnu', 'gh-1-1-x86_64-linux-gnu']],
    ['a SHA prefix in capitals', { q: '3F2A9C' }, ['gh-1-1-aarch64-linux-gnu', 'gh-1-1-x86_64-linux-gnu']],
    ['message text, any case', { q: 'clock CALIBRATION' }, ['gh-2-1-x86_64-linux-gnu']],
    ['SHA text that is not a prefix', { q: '9c1e5b' }, []],
    [
      'several filters at once',
      { branch: 'main', target: 'x86_64-linux-gnu', q: '3f2a' },
      ['gh-1-1-x86_64-linux-gnu'],
    ],
    ['a branch no run has', { branch: 'nope' }, []],
  ])('filters by %s', async (_name, f, want) => {
    const list = await listRuns(db, filter(f));
    expect(ids(list.runs)).toEqual(want);
    expect(list.total).toBe(4);
  });

  it('keeps up with a thousand runs in one pass', async () => {
    const many = Array.from({ length: 1200 }, (_, i) =>
      checkedRun({
        id: `gh-${1000 + i}-1-x86_64-linux-gnu`,
        sha: i.toString(16).padStart(40, '0'),
        message: `change ${i}`,
        branch: i % 3 === 0 ? 'main' : 'dev',
        started: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      }),
    );
    await storeRuns(db, many);
    const list = await listRuns(db, filter({ branch: 'dev' }));
    expect(list.total).toBe(1204);
    expect(list.runs).toHaveLength(800);
    expect(list.runs[0]?.id).toBe('gh-2199-1-x86_64-linux-gnu');
  });
});

describe('distinctValues', () => {
  it('offers the stored branches, events, targets and verdicts, sorted, without unknowns', async () => {
    await storeRuns(
      db,
      RUNS.map((s) => checkedRun(s)),
    );
    expect(await distinctValues(db)).toEqual({
      branches: ['fix/clock', 'main'],
      events: ['pull_request', 'push'],
      targets: ['aarch64-linux-gnu', 'x86_64-linux-gnu'],
      verdicts: ['go', 'no-go', 'no-evidence'],
    });
  });

  it('offers nothing when the store is empty', async () => {
    expect(await distinctValues(db)).toEqual({ branches: [], events: [], targets: [], verdicts: [] });
  });
});

describe('parseRunFilter and runFilterQuery', () => {
  it.each<[string, string, RunFilter]>([
    ['no query', '', EMPTY_RUN_FILTER],
    [
      'every filter',
      'branch=main&event=push&target=x86_64-linux-gnu&verdict=no-evidence&q=3f2a',
      { branch: 'main', event: 'push', target: 'x86_64-linux-gnu', verdict: 'no-evidence', q: '3f2a' },
    ],
    ['pass read as go', 'verdict=pass', filter({ verdict: 'go' })],
    ['fail read as no-go', 'verdict=fail', filter({ verdict: 'no-go' })],
    ['an unknown verdict ignored', 'verdict=maybe', EMPTY_RUN_FILTER],
    ['empty values ignored', 'branch=&q=%20', EMPTY_RUN_FILTER],
  ])('reads %s', (_name, query, want) => {
    expect(parseRunFilter(new URLSearchParams(query))).toEqual(want);
  });

  it('writes only the filters in use, in a fixed order, so the URL round-trips', () => {
    const f = filter({ q: ' 3f2a ', verdict: 'no-go', branch: 'fix/clock' });
    const query = runFilterQuery(f);
    expect(query).toBe('branch=fix%2Fclock&verdict=no-go&q=3f2a');
    expect(parseRunFilter(new URLSearchParams(query))).toEqual({ ...f, q: '3f2a' });
    expect(runFilterQuery(EMPTY_RUN_FILTER)).toBe('');
  });
});

describe('getRunDetail', () => {
  const id = BASE.id;
  const weaverRun = () =>
    checkedRun({ id, sha: BASE.commit.sha, started: BASE.started_at, verdict: 'fail' }, [
      { kind: 'gate-report', sha256: 'a'.repeat(64), doc: NO_GO },
      { kind: 'tick-bench', sha256: 'b'.repeat(64), doc: BENCH },
      { kind: 'weaver-live-check', sha256: 'c'.repeat(64), doc: WEAVER, weaver: WEAVER },
    ]);

  it('returns null for an id the store does not hold', async () => {
    await storeRuns(db, [weaverRun()]);
    expect(await getRunDetail(db, 'gh-0-1-nowhere')).toBeNull();
  });

  it('returns the run with its gate report, bench, Weaver summary and findings in report order', async () => {
    await storeRuns(db, [weaverRun()]);
    const detail = await getRunDetail(db, id);
    expect(detail?.run.id).toBe(id);
    expect(detail?.gateReport).toEqual(NO_GO);
    expect(detail?.tickBench).toEqual(BENCH);
    expect(detail?.wasmBench).toBeNull();
    expect(detail?.weaver).toEqual(WEAVER);
    expect(detail?.findings.map((f) => f.id)).toEqual(WEAVER.findings.map((f) => f.id));
    expect(countFindingsByLevel(detail?.findings ?? [])).toEqual(WEAVER.counts);
    expect(detail?.reason.verdict).toBe('no-go');
    expect(detail?.reason.summary).toBe('Gate 3 Tests and tick budget failed');
    // The Overview's readiness: the run's own Weaver violations are reasons beyond its gates.
    expect(detail?.readiness).toBe('no-go');
    expect(detail?.evidenceReasons.map((r) => [r.kind, r.text])).toEqual([
      ['weaver', '3 Weaver violation(s) in the live-check'],
    ]);
  });

  it('stores report text as a Blob and reads it back, as it reads text stored before (or seeded)', async () => {
    await storeRuns(db, [weaverRun()]);
    const stored = await db.reports.get(`${id}/tick-bench`);
    expect(stored?.json).toBeInstanceOf(Blob);
    expect(JSON.parse(await (stored!.json as Blob).text())).toEqual(BENCH);
    // a report written as text by an earlier version, or by the e2e seeding
    await db.reports.put({ ...stored!, json: JSON.stringify(BENCH) });
    expect((await getRunDetail(db, id))?.tickBench).toEqual(BENCH);
  });

  it('orders findings by their index in the report, not by key text (10 after 9)', async () => {
    const findings = Array.from({ length: 12 }, (_, i) => ({ ...WEAVER.findings[0]!, id: `f${i}` }));
    const summary = { ...WEAVER, findings };
    await storeRuns(db, [
      checkedRun({ id, sha: BASE.commit.sha, started: BASE.started_at }, [
        { kind: 'weaver-live-check', sha256: 'c'.repeat(64), doc: summary, weaver: summary },
      ]),
    ]);
    const detail = await getRunDetail(db, id);
    expect(detail?.findings.map((f) => f.id)).toEqual(findings.map((f) => f.id));
    expect(detail?.gateReport).toBeNull();
    expect(detail?.tickBench).toBeNull();
  });
});

describe('explainVerdict', () => {
  const run = (verdict: Verdict, withGateRef: boolean): StoredRun => {
    const c = checkedRun(
      { id: BASE.id, sha: BASE.commit.sha, started: BASE.started_at, verdict },
      withGateRef ? [{ kind: 'gate-report', sha256: 'a'.repeat(64), doc: null }] : [],
    );
    return {
      id: c.manifest.id,
      group: c.manifest.group,
      event: 'push',
      commit_sha: c.manifest.commit.sha,
      branch: 'main',
      tag: '',
      target: c.manifest.target,
      source: c.manifest.source,
      started_at: c.manifest.started_at,
      verdict,
      manifest: c.manifest,
      ingested_at: '2026-12-04T16:30:00.000Z',
    };
  };

  it('says "no gate report" when the run has none', () => {
    expect(explainVerdict(run('no-evidence', false), null)).toEqual({
      verdict: 'no-evidence',
      summary: 'no gate report: the quality gates did not run for this run',
      blockers: [],
    });
  });

  it('says the gate report is not stored when the run lists one the store lacks', () => {
    expect(explainVerdict(run('no-evidence', true), null).summary).toContain("not in this browser's store");
  });

  it('names the failed blocking gate and its failed check, not the advisory one', () => {
    const r = explainVerdict(run('fail', true), NO_GO);
    expect(r.verdict).toBe('no-go');
    expect(r.blockers).toEqual([
      {
        gate: 'Gate 3 Tests and tick budget',
        status: 'fail',
        reason: 'tick budget exceeded',
        checks: [{ name: 'tick budget p95 <= 8', status: 'fail', reason: 'COUNT_SP_GE p95 9.20 ticks > 8' }],
      },
    ]);
  });

  it('names the blocking gate without evidence and the check that lacks it', () => {
    const r = explainVerdict(run('no-evidence', true), WEAVER_MISSING);
    expect(r.summary).toBe('no evidence from Gate 1 Weaver telemetry schema');
    expect(r.blockers[0]?.checks).toEqual([
      {
        name: 'weaver installed',
        status: 'no-evidence',
        reason: 'weaver is not installed: no live-check evidence',
      },
    ]);
  });

  it('names a blocking gate absent from the report and one that ran no check', () => {
    const gates = GO.gates
      .filter((g) => g.id !== 'tests')
      .map((g) => (g.id === 'build' ? { ...g, checks: [], status: 'no-evidence' as const } : g));
    const r = explainVerdict(run('no-evidence', true), { ...GO, verdict: 'no-evidence', gates });
    expect(r.blockers.map((b) => [b.gate, b.status, b.reason])).toEqual([
      ['Gate 2 Build and quality', 'no-evidence', 'ran no check'],
      ['the tests gate', 'missing', 'absent from the gate report'],
    ]);
  });

  it('says every blocking gate passed for a go run, whatever the advisory gate says', () => {
    expect(explainVerdict(run('pass', true), GO)).toEqual({
      verdict: 'go',
      summary: 'every blocking gate passed',
      blockers: [],
    });
  });
});

describe('groupFindings', () => {
  const finding = (
    i: number,
    id: string,
    level: StoredWeaverFinding['level'],
    message = `${id} message`,
    attribute: string | null = null,
  ): StoredWeaverFinding => ({
    key: `run/${i}`,
    run_id: 'run',
    id,
    level,
    message,
    signal_type: 'span',
    signal_name: 'knhk.operation.ask_sp',
    attribute,
  });
  const FINDINGS = [
    finding(0, 'deprecated', 'violation', 'knhk.op is deprecated', 'knhk.op'),
    finding(1, 'deprecated', 'violation', 'knhk.op is deprecated', 'knhk.op'),
    finding(2, 'deprecated', 'violation', 'knhk.old is deprecated', 'knhk.old'),
    finding(3, 'unit_mismatch', 'violation'),
    finding(4, 'recommended_attribute_not_present', 'improvement'),
    finding(5, 'recommended_attribute_not_present', 'improvement'),
    finding(6, 'deprecated', 'information'),
    finding(7, 'undefined_enum_variant', 'information'),
  ];

  it('groups by id and level with counts and distinct messages, signals and attributes', () => {
    const groups = groupFindings(FINDINGS);
    expect(groups.map((g) => [g.level, g.id, g.count])).toEqual([
      ['violation', 'deprecated', 3],
      ['violation', 'unit_mismatch', 1],
      ['improvement', 'recommended_attribute_not_present', 2],
      ['information', 'deprecated', 1],
      ['information', 'undefined_enum_variant', 1],
    ]);
    expect(groups[0]).toMatchObject({
      messages: ['knhk.op is deprecated', 'knhk.old is deprecated'],
      signals: ['span knhk.operation.ask_sp'],
      attributes: ['knhk.op', 'knhk.old'],
    });
  });

  it('keeps the per-level totals of the findings (what the report counts)', () => {
    const groups = groupFindings(FINDINGS);
    const total = (level: string) => groups.filter((g) => g.level === level).reduce((n, g) => n + g.count, 0);
    expect({
      violation: total('violation'),
      improvement: total('improvement'),
      information: total('information'),
    }).toEqual(countFindingsByLevel(FINDINGS));
  });

  it('returns no group for no findings', () => {
    expect(groupFindings([])).toEqual([]);
  });

  it.each<[Parameters<typeof sortFindingGroups>[1], Parameters<typeof sortFindingGroups>[2], string[]]>([
    [
      'count',
      'desc',
      [
        'violation/deprecated',
        'improvement/recommended_attribute_not_present',
        'violation/unit_mismatch',
        'information/deprecated',
        'information/undefined_enum_variant',
      ],
    ],
    [
      'count',
      'asc',
      [
        'violation/unit_mismatch',
        'information/deprecated',
        'information/undefined_enum_variant',
        'improvement/recommended_attribute_not_present',
        'violation/deprecated',
      ],
    ],
    [
      'id',
      'asc',
      [
        'violation/deprecated',
        'information/deprecated',
        'improvement/recommended_attribute_not_present',
        'information/undefined_enum_variant',
        'violation/unit_mismatch',
      ],
    ],
    [
      'level',
      'desc',
      [
        'information/deprecated',
        'information/undefined_enum_variant',
        'improvement/recommended_attribute_not_present',
        'violation/deprecated',
        'violation/unit_mismatch',
      ],
    ],
  ])('sorts by %s %s, ties by count, severity, then id', (key, direction, want) => {
    const sorted = sortFindingGroups(groupFindings(FINDINGS), key, direction);
    expect(sorted.map((g) => `${g.level}/${g.id}`)).toEqual(want);
  });

  it.each<[string, StoredWeaverFinding['level'] | null, string, string[]]>([
    ['a level', 'information', '', ['information/deprecated', 'information/undefined_enum_variant']],
    ['text in the id', null, 'DEPRECATED', ['violation/deprecated', 'information/deprecated']],
    ['text in a message', null, 'knhk.old', ['violation/deprecated']],
    ['text in a signal', null, 'ask_sp', groupFindings(FINDINGS).map((g) => `${g.level}/${g.id}`)],
    ['a level and text', 'violation', 'unit', ['violation/unit_mismatch']],
    ['text nothing has', null, 'zzz', []],
  ])('filters by %s', (_name, level, text, want) => {
    const shown = filterFindingGroups(groupFindings(FINDINGS), level, text);
    expect(shown.map((g) => `${g.level}/${g.id}`)).toEqual(want);
  });
});
