/**
 * Runtime guards for the task section of a report as it reaches the compare panel (PanelState.tasks): every
 * field the panel reads is checked, so a malformed state cannot throw inside a render.
 */
import { arrayOf, isNumber, isString, nullable, object, optional, type Guard } from './guards';
import type { ChoiceItemResult, ChoiceScores, TaskDelta, TaskReport, TaskThresholds } from './report';

const isText: Guard<string> = (v): v is string => isString(v) && v.length <= 1_000_000;

const isDelta = object<TaskDelta>({
  metric: isText,
  label: isText,
  n: isNumber,
  base: isNumber,
  quant: isNumber,
  deltaPp: isNumber,
  ciLowPp: isNumber,
  ciHighPp: isNumber,
  pValue: nullable(isNumber),
});

const isScores = object<ChoiceScores>({
  loglikelihoods: arrayOf(isNumber, 1000),
  probs: arrayOf(isNumber, 1000),
  pred: isNumber,
  predNorm: isNumber,
});

const isItem = object<ChoiceItemResult>({
  id: isText,
  context: isText,
  choices: arrayOf(isText, 1000),
  answer: isNumber,
  base: isScores,
  quant: isScores,
});

export const isTaskReport: Guard<TaskReport> = object<TaskReport>({
  deltas: arrayOf(isDelta, 100),
  thresholds: object<TaskThresholds>({ deltaWarnPp: isNumber, deltaFailPp: isNumber }),
  multipleChoice: optional(object({ items: arrayOf(isItem, 100_000) })),
});
