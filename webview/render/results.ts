/** One prompt's result: both outputs side by side, the divergence highlighted, JSON badges, KL chart, top-k. */
import type { GenerationSide, PromptResult, TopKCandidate } from '../../src/protocol/report';
import { klChart } from './chart';
import { formatNumber, h, percent, type Child } from './dom';

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

export function jsonBadge(side: GenerationSide): HTMLElement | null {
  const validity = side.jsonValid;
  if (!validity) return null;
  const schemaFailed = validity.schemaErrors.length > 0 || validity.schemaValid === false;
  let text: string;
  let kind: string;
  if (validity.strict && !schemaFailed) [text, kind] = ['JSON valid (strict)', 'ok'];
  else if (validity.extracted && !schemaFailed) [text, kind] = ['JSON valid (extracted)', 'warn'];
  else if (validity.extracted || validity.strict) [text, kind] = ['JSON schema errors', 'fail'];
  else [text, kind] = ['JSON invalid', 'fail'];
  const badge = h('span', { class: `badge json ${kind}`, role: 'status' }, text);
  if (!schemaFailed) return badge;
  return h(
    'div',
    { class: 'json-block' },
    badge,
    h(
      'ul',
      { class: 'schema-errors', 'aria-label': 'schema errors' },
      ...validity.schemaErrors.map((error) => h('li', {}, error)),
    ),
  );
}

function sideColumn(title: string, side: GenerationSide, divergence: number | null, precision: string): HTMLElement {
  return h(
    'div',
    { class: 'side' },
    h(
      'div',
      { class: 'side-head' },
      h('strong', {}, title),
      h('span', { class: 'muted' }, precision),
      h('span', { class: 'muted' }, `${side.tokens} tokens · ${side.finishReason}`),
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

function metric(label: string, value: string, title?: string): HTMLElement {
  return h(
    'span',
    { class: 'metric', title },
    h('span', { class: 'label' }, label),
    ' ',
    h('span', { class: 'value' }, value),
  );
}

export function resultCard(
  result: PromptResult,
  index: number,
  precisions: { base: string; quant: string },
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
      metric('mean KL', formatNumber(tf.meanKld)),
      metric('same top-1', percent(tf.sameTop1)),
    ),
    h('p', { class: 'prompt-text' }, result.prompt),
    h(
      'div',
      { class: 'metrics' },
      metric('mean KL', formatNumber(tf.meanKld)),
      metric('max KL', formatNumber(tf.maxKld)),
      metric('same top-1', percent(tf.sameTop1)),
      metric('Δp RMS', formatNumber(tf.deltaPRms)),
      metric(
        'ppl',
        `${formatNumber(tf.pplBase, 3)} → ${formatNumber(tf.pplQuant, 3)}`,
        'perplexity of base → quantized on the base continuation',
      ),
      tf.kldGrowth !== undefined
        ? metric('KL growth', `${formatNumber(tf.kldGrowth, 2)}×`, 'last quarter over first quarter')
        : null,
      metric('length', `${result.base.tokens} → ${result.quant.tokens}`),
    ),
    h(
      'div',
      { class: 'sides' },
      sideColumn('Base', result.base, divergence, precisions.base),
      sideColumn('Quantized', result.quant, divergence, precisions.quant),
    ),
  ];
  if (tf.kldPerToken && tf.kldPerToken.length > 0) children.push(klChart(tf.kldPerToken, divergence, result.id));
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
  return h('details', { class: 'result', open: true, 'data-result': result.id }, ...children);
}
