import type { CompareReport } from '../../core/drift/report';
import type { ExportFormat } from '../../protocol/webview';

export const EXPORT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  json: { 'JSON report': ['json'] },
  md: { 'Markdown report': ['md'] },
  html: { 'HTML report': ['html'] },
};

export function formatReportFor(report: CompareReport, format: ExportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  throw new Error(`The ${format} report needs the drift engine's formatter, which this build lacks; save as JSON.`);
}
