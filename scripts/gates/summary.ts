// The human summary `npm run gates` prints: one line per gate, its checks below it, the verdict, and
// the files written.
import { relative } from 'node:path';
import type { GatesResult } from './index.ts';

export function formatGatesSummary(result: GatesResult, cwd = process.cwd()): string {
  const { report } = result;
  const lines: string[] = [
    '',
    `gate report for run ${report.run_id} (commit ${report.commit_sha.slice(0, 12)})`,
  ];
  for (const gate of report.gates) {
    const kind = gate.blocking ? 'blocking' : 'advisory';
    lines.push(`  ${gate.number} ${gate.id.padEnd(8)} ${gate.status.padEnd(11)} (${kind}) ${gate.reason}`);
    for (const c of gate.checks) {
      const counts = Object.entries(c.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      lines.push(
        `      ${c.status.padEnd(11)} ${c.id.padEnd(18)} ${(c.duration_ms / 1000).toFixed(1).padStart(6)} s  ${counts ? `[${counts}] ` : ''}${c.reason}`,
      );
    }
  }
  if (result.notRun.length > 0) {
    lines.push(
      `  not run (--only): ${result.notRun.join(', ')}: missing blocking gates are missing evidence`,
    );
  }
  lines.push(`verdict: ${report.verdict}`);
  for (const file of result.files) lines.push(`wrote ${relative(cwd, file) || file}`);
  return `${lines.join('\n')}\n`;
}

/** The same summary as Markdown, for a GitHub Actions job summary (GITHUB_STEP_SUMMARY). Report text
 *  is escaped so it stays text: no HTML, no table breaks. */
export function formatGatesMarkdown(result: GatesResult): string {
  const { report } = result;
  const cell = (text: string) => text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
  const lines = [
    `### Gates: ${report.verdict} (run \`${report.run_id}\`, commit \`${report.commit_sha.slice(0, 12)}\`)`,
    '',
    '| gate | status | check | check status | reason |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const gate of report.gates) {
    const title = `${gate.number} ${gate.id}${gate.blocking ? '' : ' (advisory)'}`;
    if (gate.checks.length === 0) lines.push(`| ${title} | ${gate.status} | | | ${cell(gate.reason)} |`);
    gate.checks.forEach((c, i) => {
      lines.push(
        `| ${i === 0 ? title : ''} | ${i === 0 ? gate.status : ''} | ${cell(c.id)} | ${c.status} | ${cell(c.reason)} |`,
      );
    });
  }
  if (result.notRun.length > 0) lines.push('', `Not run (--only): ${result.notRun.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
