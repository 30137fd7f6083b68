/** One prompt's result: both outputs side by side, the divergence highlighted, JSON badges, KL chart, top-k. */
import { JSON_OUTCOME_TEXT, jsonOutcome, type JsonOutcome } from '../../src/protocol/json-outcome';
import type { GenerationSide, PromptResult, TopKCandidate } from '../../src/protocol/report';
import { chartLegend, klChart } from './chart';
import { formatNumber, h, percent, type Child } from './dom';
import { METRIC_HELP, type MetricKey } from './help';

/** Visible form of a token: whitespace and control characters shown, never interpreted. */
export function showToken(token: string): string {
  return JSON.stringify(token).slice(1, -1) || '∅';
}

/**
 * The output text split at the first divergent token: the shared prefix plain, the rest in a <mark>.
 * Uses the per-token texts when the report has them; without them the text cannot be split safely.
 */
export function outputText(side: GenerationSide, divergence: number | null): HTMLElement {
  const pre = h('pre', { class: 'output', tabindex: 0 });
  const tokens = side.tokenTexts;
  if (divergence === null || !tokens || divergence > tokens.length) {
    pre.append(side.text.length > 0 ? side.text : '(empty output)');
    return pre;
  }
  const prefix = tokens.slice(0, divergence).join('');
  const rest = tokens.slice(divergence).join('');
  pre.append(prefix);
  pre.append(
    h(
      'mark',
      { class: 'diverged', title: `differs from token ${divergence} on` },
      rest.length > 0 ? rest : '(ends here)',
    ),
  );
  return pre;
}

const BADGE_KIND: { readonly [K in JsonOutcome]: string } = {
  valid: 'ok',
  extracted: 'warn',
  schema: 'fail',
  invalid: 'fail',
  incomplete: 'fail',
  truncated: 'neutral',
};

export function jsonBadge(side: GenerationSide): HTMLElement | null {
  const outcome = jsonOutcome(side);
  if (!outcome || !side.jsonValid) return null;
  const text = outcome === 'truncated' ? `truncated at ${side.tokens} tokens (not judged)` : JSON_OUTCOME_TEXT[outcome];
  const badge = h(
    'span',
    {
      class: `badge json ${BADGE_KIND[outcome]}`,
      role: 'status',
      title: outcome === 'truncated' ? METRIC_HELP.truncated : undefined,
    },
    text,
  );
  // Schema errors are listed only for an answer that ended with a value to check.
  const errors = outcome === 'schema' || outcome === 'invalid' ? side.jsonValid.schemaErrors : [];
  if (errors.length === 0) return badge;
  return h(
    'div',
    { class: 'json-block' },
    badge,
    h('ul', { class: 'schema-errors', 'aria-label': 'schema errors' }, ...errors.map((error) => h('li', {}, error))),
  );
}

const FINISH_TEXT: { readonly [K in GenerationSide['finishReason']]: string } = {
  eos: 'ended',
  length: 'hit the token limit',
  cancelled: 'cancelled',
  error: 'error',
};

function sideColumn(title: string, side: GenerationSide, divergence: number | null, precision: string): HTMLElement {
  return h(
    'div',
    { class: 'side' },
    h(
      'div',
      { class: 'side-head' },
      h('strong', {}, title),
      h('span', { class: 'muted' }, precision),
      h('span', { class: 'muted' }, `${side.tokens} tokens · ${FINISH_TEXT[side.finishReason]}`),
    ),
    jsonBadge(side),
    outputText(side, divergence),
  );
}

function topKTable(title: string, candidates: readonly TopKCandidate[]): HTMLElement {
  return h(
    'table',
    { class: 'topk' },
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'token'), h('th', { scope: 'col' }, 'p'))),
    h(
      'tbody',
      {},
      ...candidates.map((c) =>
        h('tr', {}, h('td', {}, h('code', {}, showToken(c.token))), h('td', {}, percent(c.prob))),
      ),
    ),
  );
}

function metric(label: string, value: string, help: MetricKey): HTMLElement {
  return h(
    'span',
    { class: 'metric', title: METRIC_HELP[help] },
    h('span', { class: 'label' }, label),
    ' ',
    h('span', { class: 'value' }, value),
  );
}

export function resultCard(
  result: PromptResult,
  index: number,
  precisions: { base: string; quant: string },
  open = true,
): HTMLElement {
  const tf = result.teacherForced;
  const divergence = result.firstDivergence;
  const identical = divergence === null;
  const children: Child[] = [
    h(
      'summary',
      {},
      h('span', { class: 'prompt-id' }, `${index + 1}. ${result.id}`),
      h(
        'span',
        { class: identical ? 'badge ok' : 'badge warn' },
        identical ? 'identical' : `diverges at token ${divergence}`,
      ),
      metric('mean KL', formatNumber(tf.meanKld), 'meanKld'),
      metric('same top-1', percent(tf.sameTop1), 'sameTop1'),
    ),
    h('p', { class: 'prompt-text' }, result.prompt),
    h(
      'div',
      { class: 'metrics' },
      metric('mean KL', formatNumber(tf.meanKld), 'meanKld'),
      metric('max KL', formatNumber(tf.maxKld), 'maxKld'),
      metric('same top-1', percent(tf.sameTop1), 'sameTop1'),
      metric('Δp RMS', percent(tf.deltaPRms), 'deltaPRms'),
      metric('ppl base → quant', `${formatNumber(tf.pplBase, 3)} → ${formatNumber(tf.pplQuant, 3)}`, 'pplRatio'),
      tf.kldGrowth !== undefined ? metric('KL growth', `${formatNumber(tf.kldGrowth, 2)}×`, 'kldGrowth') : null,
      metric('length', `${result.base.tokens} → ${result.quant.tokens}`, 'length'),
    ),
    h(
      'div',
      { class: 'sides' },
      sideColumn('Base', result.base, divergence, precisions.base),
      sideColumn('Quantized', result.quant, divergence, precisions.quant),
    ),
  ];
  if (tf.kldPerToken && tf.kldPerToken.length > 0) {
    children.push(klChart(tf.kldPerToken, divergence, result.id), chartLegend(divergence !== null));
  }
  const topK = result.topKAtDivergence;
  if (topK && divergence !== null) {
    children.push(
      h(
        'div',
        { class: 'topk-pair' },
        topKTable(`Base top-k at token ${divergence}`, topK.base),
        topKTable(`Quantized top-k at token ${divergence}`, topK.quant),
      ),
    );
  }
  return h('details', { class: 'result', open, 'data-result': result.id, 'data-index': index }, ...children);
}
