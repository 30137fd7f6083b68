/**
 * The task section of a report as plain-text tables (headers and rows), rendered by the Markdown and HTML
 * reports with their own table helpers (and escaping) and by the compare panel: task deltas, per-prompt
 * instruction results with a check/cross per instruction and side, multiple-choice items with each side's
 * pick and choice probabilities, and sampled rates.
 */
import type { ChoiceItemResult, ChoiceScores, CompareReport, PromptResult, TaskReport } from '../../protocol/report';
import { formatPValue } from './deltas';

export interface TextTable {
  readonly title: string;
  /** One line under the title saying how to read the table. */
  readonly note: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const pct = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(1)}%`;
const pp = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`;
const mark = (ok: boolean | undefined): string => (ok === undefined ? '' : ok ? '✓' : '✗');

export function deltaTable(tasks: TaskReport): TextTable {
  return {
    title: 'Task deltas',
    note:
      `Paired over the same items; 95% paired-bootstrap interval; McNemar's exact p (pass/fail items) or a paired sign-flip p (rates, instruction shares). A drop counts toward the ` +
      `verdict only when its interval excludes zero (warn at ${tasks.thresholds.deltaWarnPp} pp, fail at ` +
      `${tasks.thresholds.deltaFailPp} pp).`,
    headers: ['metric', 'n', 'base', 'quant', 'Δ pp', '95% CI', 'p'],
    rows: tasks.deltas.map((d) => [
      d.label,
      String(d.n),
      pct(d.base),
      pct(d.quant),
      pp(d.deltaPp),
      `[${pp(d.ciLowPp)}, ${pp(d.ciHighPp)}]`,
      formatPValue(d.pValue).replace(/^p = /, '').replace(/^p /, ''),
    ]),
  };
}

export function instructionTable(prompts: readonly PromptResult[]): TextTable | null {
  const rows: string[][] = [];
  for (const r of prompts) {
    if (!r.instructions || !r.instructionIds) continue;
    r.instructionIds.forEach((id, i) =>
      rows.push([
        i === 0 ? r.id : '',
        id,
        mark(r.instructions!.base.strict[i]),
        mark(r.instructions!.quant.strict[i]),
        mark(r.instructions!.base.loose[i]),
        mark(r.instructions!.quant.loose[i]),
      ]),
    );
  }
  if (!rows.length) return null;
  return {
    title: 'Instruction checks',
    note: 'Each instruction on each side’s greedy output, strict and loose (IFEval’s definitions).',
    headers: ['prompt', 'instruction', 'base strict', 'quant strict', 'base loose', 'quant loose'],
    rows,
  };
}

const pick = (item: ChoiceItemResult, scores: ChoiceScores): string =>
  `${mark(scores.pred === item.answer)} ${item.choices[scores.pred].trim()} (${pct(scores.probs[scores.pred])})`;

export function choiceTable(items: readonly ChoiceItemResult[]): TextTable | null {
  if (!items.length) return null;
  return {
    title: 'Multiple choice',
    note: 'Each side’s pick by log-likelihood (acc) and its probability among the choices; right answer first.',
    headers: ['item', 'answer', 'base pick', 'quant pick', 'choices: base / quant probability'],
    rows: items.map((item) => [
      item.id,
      item.choices[item.answer].trim(),
      pick(item, item.base),
      pick(item, item.quant),
      item.choices.map((c, i) => `${c.trim()} ${pct(item.base.probs[i])}/${pct(item.quant.probs[i])}`).join(' · '),
    ]),
  };
}

export function samplingTable(prompts: readonly PromptResult[], tasks: TaskReport): TextTable | null {
  const sampled = prompts.filter((r) => r.samples);
  if (!sampled.length || !tasks.sampling) return null;
  const s = tasks.sampling;
  return {
    title: 'Sampling',
    note: `${s.k} samples per prompt and side, temperature ${s.temperature}, top-p ${s.topP}, seed ${s.seed}.`,
    headers: ['prompt', 'JSON valid base / quant', 'instructions strict base / quant'],
    rows: sampled.map((r) => [
      r.id,
      `${pct(r.samples!.base.jsonValid)} / ${pct(r.samples!.quant.jsonValid)}`,
      `${pct(r.samples!.base.instructionsStrict)} / ${pct(r.samples!.quant.instructionsStrict)}`,
    ]),
  };
}

/** Every task table of a report, in reading order; empty when the run had no tasks. */
export function taskTables(report: CompareReport): TextTable[] {
  const tasks = report.tasks;
  if (!tasks) return [];
  return [
    deltaTable(tasks),
    instructionTable(report.prompts),
    choiceTable(tasks.multipleChoice?.items ?? []),
    samplingTable(report.prompts, tasks),
  ].filter((t): t is TextTable => t !== null);
}
