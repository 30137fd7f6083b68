/** The pair header and the summary strip. */
import type { CompareSummary } from '../../src/protocol/report';
import type { PairView, SideView } from '../../src/protocol/webview';
import { formatNumber, h, percent } from './dom';

function sideBlock(title: string, side: SideView): HTMLElement {
  return h(
    'div',
    { class: 'pair-side' },
    h(
      'div',
      { class: 'pair-title' },
      h('strong', {}, title),
      h('span', { class: 'badge neutral' }, side.precision),
      h('span', { class: 'muted' }, side.format),
    ),
    h('div', { class: 'path', title: side.path }, side.path),
    side.recipe ? h('div', { class: 'muted' }, `recipe: ${side.recipe}`) : null,
    ...side.facts.slice(1).map((fact) => h('div', { class: 'muted' }, fact)),
  );
}

export function pairHeader(pair: PairView | null): HTMLElement {
  if (!pair) {
    return h(
      'section',
      { class: 'pair empty', 'aria-label': 'pair' },
      h(
        'p',
        {},
        'No pair chosen. Right-click a model folder in the Explorer or the Models view and choose “Compare Quantized”.',
      ),
    );
  }
  return h(
    'section',
    { class: 'pair', 'aria-label': 'pair' },
    h('div', { class: 'pair-sides' }, sideBlock('Base', pair.base), sideBlock('Quantized', pair.quant)),
    h(
      'div',
      { class: 'muted run-settings' },
      `EP ${pair.executionProvider} · accuracy_level ${pair.accuracyLevel ?? 'n/a'} · threads ${pair.threads === 0 ? 'auto' : pair.threads} · max ${pair.maxNewTokens} new tokens`,
    ),
    pair.blocked
      ? h('div', { class: 'blocked', role: 'alert' }, h('strong', {}, 'Cannot run this pair here. '), pair.blocked)
      : null,
  );
}

function stat(label: string, value: string, kind = ''): HTMLElement {
  return h(
    'div',
    { class: `stat ${kind}` },
    h('div', { class: 'stat-value' }, value),
    h('div', { class: 'stat-label' }, label),
  );
}

export function summaryStrip(summary: CompareSummary): HTMLElement {
  const jsonKind =
    summary.jsonValidBase !== null && summary.jsonValidQuant !== null && summary.jsonValidQuant < summary.jsonValidBase
      ? 'fail'
      : '';
  return h(
    'section',
    { class: `summary verdict-${summary.verdict}`, 'aria-label': 'summary' },
    h(
      'div',
      { class: 'stats' },
      h(
        'div',
        { class: `verdict ${summary.verdict}` },
        h('div', { class: 'stat-value' }, summary.verdict.toUpperCase()),
        h('div', { class: 'stat-label' }, 'verdict'),
      ),
      stat('mean KL', formatNumber(summary.meanKld)),
      stat('p99 KL', formatNumber(summary.kldP99)),
      stat('same top-1', percent(summary.sameTop1)),
      stat(
        'ppl ratio',
        formatNumber(summary.pplRatio, 4),
        summary.pplRatio > 1.05 ? 'fail' : summary.pplRatio > 1.03 ? 'warn' : '',
      ),
      stat(
        'JSON valid base → quant',
        `${percent(summary.jsonValidBase)} → ${percent(summary.jsonValidQuant)}`,
        jsonKind,
      ),
      stat('identical outputs', `${summary.identicalOutputs}/${summary.prompts}`),
      stat('length shift', `${summary.eosShift >= 0 ? '+' : ''}${formatNumber(summary.eosShift, 1)} tok`),
    ),
    summary.reasons.length > 0
      ? h('ul', { class: 'reasons' }, ...summary.reasons.map((reason) => h('li', {}, reason)))
      : null,
  );
}
