/**
 * The overview table's rows, sorting and filters, without the DOM (unit-tested): one row per prompt result with the
 * numbers the table shows, filters "diverged only" and "JSON broken only", and a stable sort on any column.
 */
import { jsonOutcome, type JsonOutcome } from '../../src/protocol/json-outcome';
import type { PromptResult } from '../../src/protocol/report';

export type SortKey = 'index' | 'id' | 'divergence' | 'meanKld' | 'maxKld' | 'sameTop1' | 'lengthShift' | 'json';
export type SortDir = 'asc' | 'desc';

export interface TableView {
  readonly sort: SortKey;
  readonly dir: SortDir;
  readonly divergedOnly: boolean;
  readonly jsonBrokenOnly: boolean;
  /** Case-insensitive text in the prompt id or text. */
  readonly text: string;
}

/** The default view: worst KL first, everything shown. */
export const DEFAULT_VIEW: TableView = {
  sort: 'meanKld',
  dir: 'desc',
  divergedOnly: false,
  jsonBrokenOnly: false,
  text: '',
};

export interface Row {
  readonly index: number;
  readonly result: PromptResult;
  readonly jsonBase: JsonOutcome | null;
  readonly jsonQuant: JsonOutcome | null;
}

const GOOD: readonly (JsonOutcome | null)[] = ['valid', 'extracted'];

/** Rank of a JSON outcome, worst first when sorted descending: broken > truncated > fine > no JSON asked. */
function jsonRank(outcome: JsonOutcome | null): number {
  if (outcome === null) return 0;
  if (GOOD.includes(outcome)) return 1;
  return outcome === 'truncated' ? 2 : 3;
}

/** The quantized answer's JSON broke where the base's did not (truncation is not breakage). */
export function jsonBroken(row: Row): boolean {
  return jsonRank(row.jsonQuant) === 3 && jsonRank(row.jsonBase) !== 3;
}

export function rowsOf(results: readonly PromptResult[]): Row[] {
  return results.map((result, index) => ({
    index,
    result,
    jsonBase: jsonOutcome(result.base),
    jsonQuant: jsonOutcome(result.quant),
  }));
}

function sortValue(row: Row, key: SortKey): number | string {
  const r = row.result;
  switch (key) {
    case 'index':
      return row.index;
    case 'id':
      return r.id.toLowerCase();
    case 'divergence':
      // Identical answers sort as "never diverged": after every divergence point.
      return r.firstDivergence ?? Number.MAX_SAFE_INTEGER;
    case 'meanKld':
      return r.teacherForced.meanKld;
    case 'maxKld':
      return r.teacherForced.maxKld;
    case 'sameTop1':
      return r.teacherForced.sameTop1;
    case 'lengthShift':
      return r.quant.tokens - r.base.tokens;
    case 'json':
      return jsonBroken(row) ? 4 : jsonRank(row.jsonQuant);
  }
}

export function viewRows(rows: readonly Row[], view: TableView): Row[] {
  const needle = view.text.trim().toLowerCase();
  const kept = rows.filter(
    (row) =>
      (!view.divergedOnly || row.result.firstDivergence !== null) &&
      (!view.jsonBrokenOnly || jsonBroken(row)) &&
      (!needle || row.result.id.toLowerCase().includes(needle) || row.result.prompt.toLowerCase().includes(needle)),
  );
  const sign = view.dir === 'asc' ? 1 : -1;
  // Ties keep prompt order, so the table never reshuffles equal rows between renders.
  return kept.sort((a, b) => {
    const x = sortValue(a, view.sort);
    const y = sortValue(b, view.sort);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return order !== 0 ? order * sign : a.index - b.index;
  });
}

/** Clicking a column: the same column flips its direction; another starts with its most useful direction. */
export function toggleSort(view: TableView, key: SortKey): TableView {
  if (view.sort === key) return { ...view, dir: view.dir === 'asc' ? 'desc' : 'asc' };
  const worstFirst: readonly SortKey[] = ['meanKld', 'maxKld', 'lengthShift', 'json'];
  const dir: SortDir = worstFirst.includes(key) ? 'desc' : 'asc';
  return { ...view, sort: key, dir };
}
