/**
 * The task section of the compare panel: a tile per task metric (Δ in pp, its 95% interval, McNemar's p, n),
 * per-prompt instruction results with a check or cross per instruction and side, and multiple-choice items with
 * each side's pick and the choice probabilities. Everything read from the state is checked by its guard
 * (isTaskReport, isPromptResult) before it reaches here; text goes through h(), never HTML.
 */
import type { ChoiceItemResult, PromptResult, TaskDelta, TaskReport } from '../../src/protocol/report';
import { h, percent } from './dom';

const pp = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`;
const pValue = (p: number | null): string =>
  p === null ? 'p n/a' : p < 0.001 ? 'p < 0.001' : `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;

function kindOf(d: TaskDelta, tasks: TaskReport): string {
  if (d.ciHighPp >= 0) return '';
  const drop = -d.deltaPp;
  return drop >= tasks.thresholds.deltaFailPp ? 'fail' : drop >= tasks.thresholds.deltaWarnPp ? 'warn' : '';
}

function tile(d: TaskDelta, tasks: TaskReport): HTMLElement {
  return h(
    'div',
    { class: `stat task-tile ${kindOf(d, tasks)}`, 'data-metric': d.metric },
    h('div', { class: 'stat-value' }, `${pp(d.deltaPp)} pp`),
    h('div', { class: 'stat-label' }, d.label),
    h(
      'div',
      { class: 'stat-label' },
      `${percent(d.base)} → ${percent(d.quant)} · [${pp(d.ciLowPp)}, ${pp(d.ciHighPp)}] · ${pValue(d.pValue)} · n = ${d.n}`,
    ),
  );
}

const mark = (ok: boolean | undefined): HTMLElement =>
  ok === undefined
    ? h('span', {}, '')
    : h('span', { class: ok ? 'check pass' : 'check fail', title: ok ? 'followed' : 'not followed' }, ok ? '✓' : '✗');

function table(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly (Node | string)[])[],
): HTMLElement {
  return h(
    'table',
    { class: 'task-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell) => h('td', {}, cell))))),
  );
}

function instructionRows(results: readonly PromptResult[]): (Node | string)[][] {
  const rows: (Node | string)[][] = [];
  for (const r of results) {
    const outcome = r.instructions;
    const ids = r.instructionIds;
    if (!outcome || !Array.isArray(ids)) continue;
    ids.forEach((id, i) =>
      rows.push([
        i === 0 ? r.id : '',
        String(id),
        mark(outcome.base?.strict?.[i]),
        mark(outcome.quant?.strict?.[i]),
        mark(outcome.base?.loose?.[i]),
        mark(outcome.quant?.loose?.[i]),
      ]),
    );
  }
  return rows;
}

function pick(item: ChoiceItemResult, side: 'base' | 'quant'): HTMLElement {
  const scores = item[side];
  const choice = item.choices[scores.pred] ?? '?';
  return h('span', {}, mark(scores.pred === item.answer), ` ${choice.trim()} (${percent(scores.probs[scores.pred])})`);
}

function choiceRows(items: readonly ChoiceItemResult[]): (Node | string)[][] {
  return items.map((item) => [
    item.id,
    (item.choices[item.answer] ?? '?').trim(),
    pick(item, 'base'),
    pick(item, 'quant'),
    item.choices
      .map((c, i) => `${c.trim()} ${percent(item.base.probs[i])} / ${percent(item.quant.probs[i])}`)
      .join(' · '),
  ]);
}

/** The task section, or nothing when the run had no tasks. */
export function taskSection(tasks: TaskReport | null | undefined, results: readonly PromptResult[]): HTMLElement[] {
  if (!tasks || !tasks.deltas.length) return [];
  const parts: HTMLElement[] = [
    h(
      'section',
      { class: 'summary tasks', 'aria-label': 'task deltas' },
      h('div', { class: 'stats' }, ...tasks.deltas.map((d) => tile(d, tasks))),
      h(
        'p',
        { class: 'muted' },
        `Quant − base in percentage points, 95% paired-bootstrap interval, McNemar's exact p (a sign-flip p for rates). A drop counts toward the verdict only when its interval excludes zero (warn ${tasks.thresholds.deltaWarnPp} pp, fail ${tasks.thresholds.deltaFailPp} pp).`,
      ),
    ),
  ];
  const instructions = instructionRows(results);
  if (instructions.length)
    parts.push(
      table(
        'Instruction checks (greedy outputs)',
        ['prompt', 'instruction', 'base strict', 'quant strict', 'base loose', 'quant loose'],
        instructions,
      ),
    );
  const items = tasks.multipleChoice?.items ?? [];
  if (items.length)
    parts.push(
      table(
        'Multiple choice',
        ['item', 'answer', 'base pick', 'quant pick', 'choices: base / quant probability'],
        choiceRows(items),
      ),
    );
  return parts;
}
