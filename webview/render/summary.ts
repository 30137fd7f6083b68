/** The pair header (with the settings the next run uses) and the summary strip (every number explained). */
import type { CompareSettings, CompareSummary } from '../../src/protocol/report';
import { MAX_JSON_NEW_TOKENS, type PairView, type SideView } from '../../src/protocol/webview';
import { METRIC_HELP, type MetricKey } from './help';
import { formatNumber, h, on, percent } from './dom';

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

/** "max 64 new tokens; JSON prompts until EOS, up to 512". */
export function limitsText(maxNewTokens: number, jsonMaxNewTokens: number | undefined): string {
  const free = `max ${maxNewTokens} new tokens`;
  return jsonMaxNewTokens === undefined ? free : `${free}; JSON prompts until EOS, up to ${jsonMaxNewTokens}`;
}

export function pairHeader(pair: PairView | null): HTMLElement {
  if (!pair) {
    return h(
      'section',
      { class: 'pair empty', 'aria-label': 'pair' },
      h(
        'p',
        {},
        'No pair chosen. Right-click a model folder in the Explorer or the Models view and choose “Compare Quantized”, or open a saved run from the history below.',
      ),
    );
  }
  const raised = pair.jsonLimitRaised ? ' (raised for this panel)' : '';
  return h(
    'section',
    { class: 'pair', 'aria-label': 'pair' },
    h('div', { class: 'pair-sides' }, sideBlock('Base', pair.base), sideBlock('Quantized', pair.quant)),
    h(
      'div',
      {
        class: 'muted run-settings',
        id: 'run-settings',
        title:
          'The settings the next run uses (quantDrift.executionProvider, quantDrift.threads, quantDrift.compare.*)',
      },
      `Next run: EP ${pair.executionProvider} · accuracy_level ${pair.accuracyLevel ?? 'n/a'} · threads ${pair.threads === 0 ? 'auto' : pair.threads} · ${limitsText(pair.maxNewTokens, pair.jsonMaxNewTokens)}${raised}`,
    ),
    pair.blocked
      ? h('div', { class: 'blocked', role: 'alert' }, h('strong', {}, 'Cannot run this pair here. '), pair.blocked)
      : null,
  );
}

function stat(label: string, value: string, help: MetricKey, kind = ''): HTMLElement {
  return h(
    'div',
    { class: `stat ${kind}`, title: METRIC_HELP[help], tabindex: 0, 'data-stat': help },
    h('div', { class: 'stat-value' }, value),
    h('div', { class: 'stat-label' }, label),
  );
}

/** The JSON limit a "rerun with a higher limit" offers: at least 512, double the one that cut the answers off. */
export function raisedLimit(current: number): number {
  return Math.min(MAX_JSON_NEW_TOKENS, Math.max(512, current * 2));
}

export interface SummaryActions {
  rerun(jsonMaxNewTokens: number): void;
}

/** When most JSON answers were cut off: say so first, with the fix one click away. */
function truncationBanner(
  summary: CompareSummary,
  settings: CompareSettings | null,
  canRun: boolean,
  actions: SummaryActions,
): HTMLElement | null {
  const prompts = summary.jsonPrompts ?? 0;
  const worst = Math.max(summary.jsonTruncatedBase ?? 0, summary.jsonTruncatedQuant ?? 0);
  if (prompts === 0 || worst * 2 <= prompts) return null;
  const limit = settings?.jsonMaxNewTokens ?? settings?.maxNewTokens ?? 0;
  const next = raisedLimit(limit);
  return h(
    'div',
    { class: 'truncation-banner', role: 'alert' },
    h('strong', {}, `${worst} of ${prompts} JSON answers were truncated at ${limit} new tokens. `),
    'Their JSON validity was not measured; a higher limit lets them finish.',
    next > limit
      ? on(
          h(
            'vscode-button',
            { id: 'rerun-higher', appearance: 'primary', disabled: !canRun },
            `Rerun with up to ${next} tokens`,
          ),
          'click',
          () => actions.rerun(next),
        )
      : null,
  );
}

export function summaryStrip(
  summary: CompareSummary,
  settings: CompareSettings | null = null,
  canRun = false,
  actions: SummaryActions = { rerun: () => undefined },
): HTMLElement {
  const validBase = summary.jsonValidFinishedBase !== undefined ? summary.jsonValidFinishedBase : summary.jsonValidBase;
  const validQuant =
    summary.jsonValidFinishedQuant !== undefined ? summary.jsonValidFinishedQuant : summary.jsonValidQuant;
  const jsonKind = validBase !== null && validQuant !== null && validQuant < validBase ? 'fail' : '';
  const truncated =
    summary.jsonPrompts !== undefined && summary.jsonPrompts > 0
      ? stat(
          'JSON truncated base / quant',
          `${summary.jsonTruncatedBase ?? 0} / ${summary.jsonTruncatedQuant ?? 0} of ${summary.jsonPrompts}`,
          'truncated',
          (summary.jsonTruncatedQuant ?? 0) > (summary.jsonTruncatedBase ?? 0) ? 'warn' : '',
        )
      : null;
  const growth = summary.kldGrowth;
  return h(
    'section',
    { class: `summary verdict-${summary.verdict}`, 'aria-label': 'summary' },
    summary.partial
      ? h('p', { class: 'partial-note' }, `Partial result: the run was cancelled after ${summary.prompts} prompts.`)
      : null,
    truncationBanner(summary, settings, canRun, actions),
    h(
      'div',
      { class: 'stats' },
      h(
        'div',
        { class: `verdict ${summary.verdict}`, title: METRIC_HELP.verdict, tabindex: 0, 'data-stat': 'verdict' },
        h('div', { class: 'stat-value' }, summary.verdict.toUpperCase()),
        h('div', { class: 'stat-label' }, 'verdict'),
      ),
      stat('mean KL', formatNumber(summary.meanKld), 'meanKld'),
      stat('p99 KL', formatNumber(summary.kldP99), 'p99Kld'),
      stat('same top-1', percent(summary.sameTop1), 'sameTop1'),
      stat(
        'ppl ratio',
        formatNumber(summary.pplRatio, 4),
        'pplRatio',
        summary.pplRatio > 1.05 ? 'fail' : summary.pplRatio > 1.03 ? 'warn' : '',
      ),
      stat('Δp RMS', percent(summary.deltaPRms), 'deltaPRms'),
      growth !== undefined && growth !== null ? stat('KL growth', `${formatNumber(growth, 2)}×`, 'kldGrowth') : null,
      stat('JSON valid base → quant', `${percent(validBase)} → ${percent(validQuant)}`, 'jsonValid', jsonKind),
      truncated,
      stat('identical outputs', `${summary.identicalOutputs}/${summary.prompts}`, 'identical'),
      stat(
        'length shift',
        `${summary.eosShift >= 0 ? '+' : ''}${formatNumber(summary.eosShift, 1)} tok`,
        'lengthShift',
      ),
    ),
    settings
      ? h(
          'div',
          { class: 'muted run-used', id: 'run-used' },
          `This run: EP ${settings.executionProvider} · threads ${settings.threads === 0 ? 'auto' : settings.threads} · ${limitsText(settings.maxNewTokens, settings.jsonMaxNewTokens)}`,
        )
      : null,
    summary.reasons.length > 0
      ? h('ul', { class: 'reasons' }, ...summary.reasons.map((reason) => h('li', {}, reason)))
      : null,
  );
}
