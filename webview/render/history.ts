/** The run history (every saved run, newest first) and the twins table: one base against each of its twins. */
import type { CompareSummary } from '../../src/protocol/report';
import type { HistoryEntry } from '../../src/protocol/webview';
import { METRIC_HELP, type MetricKey } from './help';
import { formatNumber, h, on, percent } from './dom';

export interface HistoryActions {
  open(id: string): void;
}

const folder = (path: string): string => path.split(/[\\/]/).filter(Boolean).pop() ?? path;
const when = (iso: string): string => iso.replace('T', ' ').slice(0, 16);

function statusText(entry: HistoryEntry): string {
  if (entry.status === 'done') return `${entry.done} prompts`;
  return `${entry.status === 'cancelled' ? 'cancelled' : 'failed'} at ${entry.done}/${entry.total}`;
}

function verdictBadge(summary: CompareSummary | null): HTMLElement {
  const verdict = summary?.verdict;
  return h('span', { class: `badge ${verdict ?? 'neutral'}` }, verdict ? verdict.toUpperCase() : 'no result');
}

export function historyList(
  entries: readonly HistoryEntry[],
  shownId: string | null,
  actions: HistoryActions,
): HTMLElement {
  const list = h('ol', { class: 'history-list', 'aria-label': 'saved runs' });
  for (const entry of entries) {
    const current = entry.id === shownId;
    const button = on(
      h(
        'button',
        {
          type: 'button',
          class: 'history-item',
          'data-run': entry.id,
          'aria-current': current ? 'true' : undefined,
          title: `${entry.basePath} ↔ ${entry.quantPath}`,
        },
        verdictBadge(entry.summary),
        h('span', { class: 'history-pair' }, `${folder(entry.basePath)} ↔ ${folder(entry.quantPath)}`),
        h('span', { class: 'muted' }, `${statusText(entry)} · ${when(entry.savedAt)}${current ? ' · shown' : ''}`),
      ),
      'click',
      () => actions.open(entry.id),
    );
    list.append(h('li', {}, button));
  }
  return h(
    'details',
    { class: 'history', id: 'history', open: entries.length > 0 && shownId === null },
    h('summary', {}, `Run history (${entries.length})`),
    entries.length === 0
      ? h('p', { class: 'muted' }, 'Every finished or cancelled run is kept here, for this workspace.')
      : list,
  );
}

/**
 * The latest saved run of each twin of `basePath` on the same prompts (`suite`; numbers from other prompts do not
 * compare), finished runs before a cancelled one.
 */
export function twinsOf(entries: readonly HistoryEntry[], basePath: string, suite: string | null): HistoryEntry[] {
  const latest = new Map<string, HistoryEntry>();
  for (const entry of entries) {
    if (entry.basePath !== basePath || entry.suite !== suite || !entry.summary) continue;
    const seen = latest.get(entry.quantPath);
    if (!seen || (seen.status !== 'done' && entry.status === 'done')) latest.set(entry.quantPath, entry);
  }
  return [...latest.values()].sort((a, b) => a.summary!.meanKld - b.summary!.meanKld);
}

function th(label: string, help?: MetricKey): HTMLElement {
  return h('th', { scope: 'col', title: help ? METRIC_HELP[help] : undefined }, label);
}

export function twinsTable(
  entries: readonly HistoryEntry[],
  basePath: string,
  suite: string | null,
  shownId: string | null,
  actions: HistoryActions,
): HTMLElement | null {
  const twins = twinsOf(entries, basePath, suite);
  if (twins.length < 2) return null;
  const rows = twins.map((entry) => {
    const s = entry.summary!;
    const truncated =
      s.jsonTruncatedQuant !== undefined && s.jsonPrompts ? `${s.jsonTruncatedQuant}/${s.jsonPrompts}` : '–';
    const open = on(
      h('button', { type: 'button', class: 'link', 'data-run': entry.id }, folder(entry.quantPath)),
      'click',
      () => actions.open(entry.id),
    );
    return h(
      'tr',
      { 'aria-current': entry.id === shownId ? 'true' : undefined },
      h('td', {}, open, entry.status === 'done' ? null : h('span', { class: 'muted' }, ' (partial)')),
      h('td', {}, entry.quantPrecision),
      h('td', { class: 'num' }, formatNumber(s.meanKld)),
      h('td', { class: 'num' }, formatNumber(s.kldP99)),
      h('td', { class: 'num' }, percent(s.sameTop1)),
      h('td', { class: 'num' }, formatNumber(s.pplRatio, 4)),
      h(
        'td',
        { class: 'num' },
        `${percent(s.jsonValidFinishedBase ?? s.jsonValidBase)} → ${percent(s.jsonValidFinishedQuant ?? s.jsonValidQuant)}`,
      ),
      h('td', { class: 'num' }, truncated),
      h('td', {}, verdictBadge(s)),
      h('td', { class: 'muted' }, `${entry.done} prompts · ${when(entry.savedAt)}`),
    );
  });
  return h(
    'section',
    { class: 'twins', 'aria-label': 'twins of this base' },
    h(
      'h2',
      {},
      `${folder(basePath)} against ${twins.length} twins`,
      h('span', { class: 'muted' }, ' (latest saved run of each, least drift first)'),
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'twins-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            th('twin'),
            th('precision'),
            th('mean KL', 'meanKld'),
            th('p99 KL', 'p99Kld'),
            th('same top-1', 'sameTop1'),
            th('ppl ratio', 'pplRatio'),
            th('JSON valid base → quant', 'jsonValid'),
            th('truncated', 'truncated'),
            th('verdict', 'verdict'),
            th('run'),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}
