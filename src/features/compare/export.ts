import { formatReport } from '../../core/drift/format';
import type { CompareReport } from '../../protocol/report';
import type { ExportFormat } from '../../protocol/webview';

export const EXPORT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  json: { 'JSON report': ['json'] },
  md: { 'Markdown report': ['md'] },
  html: { 'HTML report': ['html'] },
};

/** The same json/md/html the CLI writes (`quant-drift compare --format`), so saved reports match. */
export function formatReportFor(report: CompareReport, format: ExportFormat): string {
  return formatReport(report, format);
}
