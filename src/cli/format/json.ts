/** `--format json`: an array of findings with 1-based positions (docs/ARCHITECTURE.md, CLI contract). */
import { toJsonFindings, type FileReport } from './positions';

export function formatJson(reports: readonly FileReport[]): string {
  return JSON.stringify(toJsonFindings(reports), null, 2);
}
