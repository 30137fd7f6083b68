/**
 * Task metrics of a compare as paired deltas (base, quant, quant - base in pp with a 95% paired-bootstrap
 * interval and McNemar's exact p), and the verdict they feed: a drop counts only when its interval excludes zero
 * and it is at least the warn/fail threshold in percentage points.
 */
import type {
  ChoiceItemResult,
  CompareSummary,
  PromptResult,
  TaskDelta,
  TaskThresholds,
  Verdict,
} from '../../protocol/report';
import { PairedItem, discordant, isBinary, mcnemarExact, pairedBootstrap, signFlipTest } from './stats';

export const DEFAULT_TASK_THRESHOLDS: TaskThresholds = { deltaWarnPp: 2, deltaFailPp: 5 };

const all = (values: readonly boolean[]): number => (values.every(Boolean) ? 1 : 0);
const share = (values: readonly boolean[]): number => values.filter(Boolean).length / values.length;

/**
 * One metric's paired delta. Items are what was sampled independently (prompts, or multiple-choice items), so the
 * interval resamples them and the p-value tests them: McNemar's exact test when each item passes or fails, a
 * sign-flip test over the items' differences when an item's score is a rate or a share of its instructions.
 */
export function taskDelta(metric: string, label: string, items: readonly PairedItem[], seed: number): TaskDelta {
  const d = pairedBootstrap(items, { seed });
  const counts = isBinary(items) && items.every((item) => (item.weight ?? 1) === 1) ? discordant(items) : undefined;
  return {
    metric,
    label,
    n: d.n,
    base: d.base,
    quant: d.quant,
    deltaPp: d.delta * 100,
    ciLowPp: d.ciLow * 100,
    ciHighPp: d.ciHigh * 100,
    pValue: counts ? mcnemarExact(counts.baseOnly, counts.quantOnly) : signFlipTest(items, 20000, seed),
    test: counts ? 'mcnemar-exact' : 'sign-flip',
    ...(counts ? { discordant: counts } : {}),
  };
}

function instructionDeltas(results: readonly PromptResult[]): TaskDelta[] {
  const checked = results.filter((r) => r.instructions && r.instructions.base.strict.length);
  if (!checked.length) return [];
  const out: TaskDelta[] = [];
  for (const mode of ['strict', 'loose'] as const) {
    const prompts = checked.map((r) => ({
      base: all(r.instructions!.base[mode]),
      quant: all(r.instructions!.quant[mode]),
    }));
    out.push(taskDelta(`ifeval-prompt-${mode}`, `Instructions, prompt-level ${mode}`, prompts, 11));
  }
  for (const mode of ['strict', 'loose'] as const) {
    // Instruction-level accuracy is a ratio of sums over prompts: resample prompts, weight by their instructions.
    // The instructions of one prompt fail together (a broken JSON answer fails every JSON check), so the tests
    // treat the prompt as the unit, never the instruction.
    const weighted = checked.map((r) => ({
      base: share(r.instructions!.base[mode]),
      quant: share(r.instructions!.quant[mode]),
      weight: r.instructions!.base[mode].length,
    }));
    out.push(taskDelta(`ifeval-instruction-${mode}`, `Instructions, instruction-level ${mode}`, weighted, 13));
  }
  return out;
}

function jsonDelta(results: readonly PromptResult[]): TaskDelta[] {
  const json = results.filter((r) => r.expectsJson);
  if (!json.length) return [];
  const items = json.map((r) => ({
    base: r.base.jsonValid?.strict ? 1 : 0,
    quant: r.quant.jsonValid?.strict ? 1 : 0,
  }));
  return [taskDelta('json-valid', 'JSON valid (strict)', items, 17)];
}

function samplingDeltas(results: readonly PromptResult[]): TaskDelta[] {
  const out: TaskDelta[] = [];
  const rate = (key: 'jsonValid' | 'instructionsStrict', metric: string, label: string, seed: number): void => {
    const items = results
      .filter((r) => r.samples && r.samples.base[key] !== null && r.samples.quant[key] !== null)
      .map((r) => ({ base: r.samples!.base[key]!, quant: r.samples!.quant[key]! }));
    if (items.length) out.push(taskDelta(metric, label, items, seed));
  };
  rate('jsonValid', 'sampled-json-valid', 'Sampled JSON valid rate', 19);
  rate('instructionsStrict', 'sampled-instructions-strict', 'Sampled instruction pass rate (strict)', 23);
  return out;
}

function choiceDeltas(items: readonly ChoiceItemResult[]): TaskDelta[] {
  if (!items.length) return [];
  const hit = (pick: (r: ChoiceItemResult) => [number, number]): PairedItem[] =>
    items.map((r) => {
      const [b, q] = pick(r);
      return { base: b === r.answer ? 1 : 0, quant: q === r.answer ? 1 : 0 };
    });
  return [
    taskDelta(
      'mc-acc',
      'Multiple choice acc',
      hit((r) => [r.base.pred, r.quant.pred]),
      29,
    ),
    taskDelta(
      'mc-acc-norm',
      'Multiple choice acc_norm',
      hit((r) => [r.base.predNorm, r.quant.predNorm]),
      31,
    ),
  ];
}

export function taskDeltas(results: readonly PromptResult[], choiceItems: readonly ChoiceItemResult[]): TaskDelta[] {
  return [
    ...instructionDeltas(results),
    ...choiceDeltas(choiceItems),
    ...jsonDelta(results),
    ...samplingDeltas(results),
  ];
}

const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`;

export function formatPValue(p: number | null): string {
  if (p === null) return 'p n/a';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;
}

/** "Instructions, prompt-level strict −3.0 pp [−6.2, +0.1], p = 0.08, n = 200". */
export function formatDelta(d: TaskDelta): string {
  return `${d.label} ${signed(d.deltaPp)} pp [${signed(d.ciLowPp)}, ${signed(d.ciHighPp)}], ${formatPValue(d.pValue)}, n = ${d.n}`;
}

/** A drop that counts: its interval lies below zero. */
export const significantDrop = (d: TaskDelta): boolean => d.ciHighPp < 0;

/** Raises the summary's verdict by the task deltas and says why (appending to its reasons). */
export function applyTaskVerdict(
  summary: CompareSummary,
  deltas: readonly TaskDelta[],
  thresholds: TaskThresholds,
): CompareSummary {
  let verdict: Verdict = summary.verdict;
  const reasons = [...summary.reasons];
  const raise = (level: Verdict): void => {
    if (level === 'fail' || (level === 'warn' && verdict === 'ok')) verdict = level;
  };
  for (const d of deltas) {
    const drop = -d.deltaPp;
    if (drop < thresholds.deltaWarnPp) continue;
    if (!significantDrop(d)) {
      reasons.push(`${formatDelta(d)}: not counted, its 95% interval includes zero`);
      continue;
    }
    const level: Verdict = drop >= thresholds.deltaFailPp ? 'fail' : 'warn';
    raise(level);
    const limit = level === 'fail' ? thresholds.deltaFailPp : thresholds.deltaWarnPp;
    reasons.push(`${formatDelta(d)}: a drop of ${limit} pp or more with its 95% interval below zero`);
  }
  if (deltas.length && deltas.every((d) => -d.deltaPp < thresholds.deltaWarnPp))
    reasons.push(`task deltas are all within −${thresholds.deltaWarnPp} pp`);
  return { ...summary, verdict, reasons };
}
