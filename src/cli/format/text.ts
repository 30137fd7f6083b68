/** `--format text`: one line per finding (`file:line:col: severity rule: message`), then a summary. */
import type { FileReport } from './positions';

export function formatText(reports: readonly FileReport[]): string {
  const lines: string[] = [];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const report of reports) {
    for (const finding of report.findings) {
      const { line, column } = report.lines.position(finding.span.start);
      counts[finding.severity]++;
      lines.push(`${report.file}:${line}:${column}: ${finding.severity} ${finding.rule}: ${finding.message}`);
    }
  }
  const checked = reports.filter((report) => !report.skipped).length;
  const skipped = reports.length - checked;
  const fixed = reports.reduce((sum, report) => sum + (report.fixed ?? 0), 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('x') ? 'es' : 's'}`;
  const summary = `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'info')} in ${plural(checked, 'file')}`;
  lines.push(`${summary}${skipped ? ` (${skipped} skipped)` : ''}${fixed ? `; ${plural(fixed, 'fix')} applied` : ''}`);
  return lines.join('\n');
}
