/** Offsets to 1-based line/column (UTF-16 code units, as SARIF's default columnKind). */
import type { Finding, Span } from '../../core/recipe/types';

export interface Range1 {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }

  range(span: Span): Range1 {
    const start = this.position(span.start);
    const end = this.position(span.end);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  }
}

/** One file's results, as every formatter receives them. */
export interface FileReport {
  /** Path as shown to the user (relative to the working directory, forward slashes). */
  readonly file: string;
  readonly findings: readonly Finding[];
  readonly lines: LineIndex;
  readonly skipped?: string;
  readonly fixed?: number;
  /** Why `--fix` left the file as it was although it had fixes (a link, not UTF-8 ...). */
  readonly notFixed?: string;
}

export interface JsonFinding extends Range1 {
  readonly file: string;
  readonly rule: string;
  readonly severity: string;
  readonly message: string;
  readonly fixes: { title: string; edits: (Range1 & { newText: string })[] }[];
}

export function toJsonFindings(reports: readonly FileReport[]): JsonFinding[] {
  const out: JsonFinding[] = [];
  for (const report of reports) {
    for (const finding of report.findings) {
      out.push({
        file: report.file,
        ...report.lines.range(finding.span),
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message,
        fixes: finding.fixes.map((fix) => ({
          title: fix.title,
          edits: fix.edits.map((edit) => ({ ...report.lines.range(edit.span), newText: edit.newText })),
        })),
      });
    }
  }
  return out;
}
