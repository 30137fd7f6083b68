/** The overview: a sortable, filterable table of every prompt, each row opening its card. */
import { JSON_OUTCOME_TEXT, type JsonOutcome } from '../../src/protocol/json-outcome';
import { METRIC_HELP, type MetricKey } from './help';
import { formatNumber, h, on, percent } from './dom';
import { rowsOf, toggleSort, viewRows, type Row, type SortKey, type TableView } from './table-model';
import type { PromptResult } from '../../src/protocol/report';

export interface OverviewActions {
  setView(view: TableView): void;
  /** Opens (expands and scrolls to) the card of the result at this index. */
  open(index: number): void;
}

interface Column {
  readonly key: SortKey;
  readonly label: string;
  readonly help?: MetricKey;
  readonly numeric?: boolean;
}

const COLUMNS: readonly Column[] = [
  { key: 'index', label: '#', numeric: true },
  { key: 'id', label: 'prompt' },
  { key: 'divergence', label: 'diverges at', help: 'divergence', numeric: true },
  { key: 'meanKld', label: 'mean KL', help: 'meanKld', numeric: true },
  { key: 'maxKld', label: 'max KL', help: 'maxKld', numeric: true },
  { key: 'sameTop1', label: 'same top-1', help: 'sameTop1', numeric: true },
  { key: 'lengthShift', label: 'length', help: 'length', numeric: true },
  { key: 'json', label: 'JSON base → quant', help: 'jsonValid' },
];

const SHORT: { readonly [K in JsonOutcome]: string } = {
  valid: 'valid',
  extracted: 'extracted',
  schema: 'schema ✗',
  invalid: 'invalid',
  incomplete: 'incomplete',
  truncated: 'truncated',
};

function jsonKind(outcome: JsonOutcome | null): string {
  if (outcome === 'valid') return 'ok';
  if (outcome === 'extracted') return 'warn';
  if (outcome === 'truncated') return 'neutral';
  return 'fail';
}

function jsonCell(row: Row): HTMLElement {
  if (row.jsonBase === null || row.jsonQuant === null) return h('td', { class: 'muted' }, '–');
  const badge = (outcome: JsonOutcome) =>
    h('span', { class: `badge ${jsonKind(outcome)}`, title: JSON_OUTCOME_TEXT[outcome] }, SHORT[outcome]);
  return h('td', {}, badge(row.jsonBase), ' → ', badge(row.jsonQuant));
}

function rowElement(row: Row, actions: OverviewActions): HTMLElement {
  const r = row.result;
  const tf = r.teacherForced;
  const shift = r.quant.tokens - r.base.tokens;
  const tr = h(
    'tr',
    { tabindex: 0, 'data-index': row.index, title: 'Open this prompt’s card (Enter)' },
    h('td', { class: 'num' }, row.index + 1),
    h('td', { class: 'id' }, r.id),
    h('td', { class: 'num' }, r.firstDivergence === null ? 'identical' : `token ${r.firstDivergence}`),
    h('td', { class: 'num' }, formatNumber(tf.meanKld)),
    h('td', { class: 'num' }, formatNumber(tf.maxKld)),
    h('td', { class: 'num' }, percent(tf.sameTop1)),
    h(
      'td',
      { class: 'num' },
      `${r.base.tokens} → ${r.quant.tokens}${shift !== 0 ? ` (${shift > 0 ? '+' : ''}${shift})` : ''}`,
    ),
    jsonCell(row),
  );
  on(tr, 'click', () => actions.open(row.index));
  on(tr, 'keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Enter') actions.open(row.index);
  });
  return tr;
}

function headerCell(column: Column, view: TableView, actions: OverviewActions): HTMLElement {
  const active = view.sort === column.key;
  const arrow = active ? (view.dir === 'asc' ? ' ▲' : ' ▼') : '';
  return h(
    'th',
    {
      scope: 'col',
      class: column.numeric ? 'num' : undefined,
      'aria-sort': active ? (view.dir === 'asc' ? 'ascending' : 'descending') : 'none',
    },
    on(
      h(
        'button',
        {
          class: 'sort',
          type: 'button',
          'data-sort': column.key,
          title: column.help ? METRIC_HELP[column.help] : `Sort by ${column.label}`,
        },
        column.label,
        arrow,
      ),
      'click',
      () => actions.setView(toggleSort(view, column.key)),
    ),
  );
}

function checkbox(id: string, label: string, checked: boolean, change: (checked: boolean) => void): HTMLElement {
  const input = h('input', { type: 'checkbox', id, checked });
  on(input, 'change', () => change(input.checked));
  return h('label', { class: 'filter', for: id }, input, ' ', label);
}

export function overviewTable(
  results: readonly PromptResult[],
  view: TableView,
  actions: OverviewActions,
): HTMLElement {
  const rows = rowsOf(results);
  const shown = viewRows(rows, view);
  const diverged = rows.filter((r) => r.result.firstDivergence !== null).length;
  const search = h('input', {
    type: 'search',
    id: 'overview-search',
    placeholder: 'filter prompts',
    value: view.text,
    'aria-label': 'Filter prompts by id or text',
  });
  on(search, 'change', () => actions.setView({ ...view, text: search.value }));
  const worstFirst = on(
    h(
      'button',
      { type: 'button', class: 'link', id: 'worst-first', title: 'Sort by mean KL, largest first' },
      'worst KL first',
    ),
    'click',
    () => actions.setView({ ...view, sort: 'meanKld', dir: 'desc' }),
  );
  return h(
    'section',
    { class: 'overview', 'aria-label': 'overview of prompts' },
    h(
      'div',
      { class: 'toolbar' },
      h('strong', {}, 'Prompts'),
      h(
        'span',
        { class: 'muted', id: 'overview-count' },
        `${shown.length} of ${rows.length} shown · ${diverged} diverged`,
      ),
      checkbox('filter-diverged', 'diverged only', view.divergedOnly, (checked) =>
        actions.setView({ ...view, divergedOnly: checked }),
      ),
      checkbox('filter-json', 'JSON broken only', view.jsonBrokenOnly, (checked) =>
        actions.setView({ ...view, jsonBrokenOnly: checked }),
      ),
      worstFirst,
      search,
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'overview-table' },
        h('thead', {}, h('tr', {}, ...COLUMNS.map((column) => headerCell(column, view, actions)))),
        h('tbody', {}, ...shown.map((row) => rowElement(row, actions))),
      ),
    ),
    shown.length === 0 ? h('p', { class: 'muted' }, 'No prompt matches these filters.') : null,
  );
}
