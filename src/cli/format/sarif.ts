/** `--format sarif`: SARIF 2.1.0 for code scanning, with rule metadata and help links. */
import pkg from '../../../package.json';
import { RULES } from '../../core/recipe/rules/catalog';
import type { Severity } from '../../core/recipe/types';
import type { FileReport } from './positions';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** Where the rule pages live: the repository's docs/rules/ID.md. */
export function ruleHelpUri(ruleId: string): string {
  const repository =
    typeof pkg.repository === 'object' && pkg.repository ? String((pkg.repository as { url?: string }).url ?? '') : '';
  const base = repository.replace(/^git\+/, '').replace(/\.git$/, '');
  const docPath = RULES[ruleId]?.docPath ?? `docs/rules/${ruleId}.md`;
  return base ? `${base}/blob/main/${docPath}` : docPath;
}

function region(report: FileReport, span: { start: number; end: number }) {
  const range = report.lines.range(span);
  return { startLine: range.line, startColumn: range.column, endLine: range.endLine, endColumn: range.endColumn };
}

export function formatSarif(reports: readonly FileReport[]): string {
  const ruleIds = Object.keys(RULES);
  const rules = ruleIds.map((id) => ({
    id,
    name: id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: RULES[id].title },
    helpUri: ruleHelpUri(id),
    help: { text: `See ${RULES[id].docPath}` },
  }));
  const results = reports.flatMap((report) =>
    report.findings.map((finding) => ({
      ruleId: finding.rule,
      ...(ruleIds.includes(finding.rule) ? { ruleIndex: ruleIds.indexOf(finding.rule) } : {}),
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [
        { physicalLocation: { artifactLocation: { uri: report.file }, region: region(report, finding.span) } },
      ],
      properties: { target: finding.target },
      ...(finding.fixes.length
        ? {
            fixes: finding.fixes.map((fix) => ({
              description: { text: fix.title },
              artifactChanges: [
                {
                  artifactLocation: { uri: report.file },
                  replacements: fix.edits.map((edit) => ({
                    deletedRegion: region(report, edit.span),
                    insertedContent: { text: edit.newText },
                  })),
                },
              ],
            })),
          }
        : {}),
    })),
  );
  const notifications = reports
    .filter((report) => report.skipped)
    .map((report) => ({
      level: 'note',
      message: { text: `skipped ${report.file}: ${report.skipped}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: report.file } } }],
    }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'quant-drift',
            version: pkg.version,
            informationUri: ruleHelpUri('npu-asymmetric-int4').replace(/\/blob\/main\/.*$/, ''),
            rules,
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
