/** Turns inspection results into the pair header the page shows. */
import { basename } from 'node:path';
import { runnablePairMessage, type FolderPrecision } from '../../core/pairing';
import type { PairView, SideView } from '../../protocol/webview';
import { UNTRUSTED_PAIR_MESSAGE } from './controller';
import type { ChosenPair } from './pick';

export interface RunSettings {
  readonly executionProvider: string;
  readonly threads: number;
  readonly maxNewTokens: number;
}

function recipeOf(info: FolderPrecision): string | null {
  if (info.precisionClass === 'base') return null;
  const parts: string[] = [];
  if (info.sym !== null) parts.push(info.sym ? 'symmetric' : 'asymmetric');
  if (info.groupSize === -1) parts.push('channel-wise');
  else if (info.groupSize !== null) parts.push(`block ${info.groupSize}`);
  if (info.accuracyLevel !== null) parts.push(`accuracy_level ${info.accuracyLevel}`);
  return parts.length > 0 ? `${parts.join(', ')} (from ${info.source})` : `recipe not recorded (${info.source})`;
}

export function sideView(info: FolderPrecision, extraFacts: readonly string[] = []): SideView {
  return {
    path: info.path,
    format: info.format,
    precision: info.precision,
    recipe: recipeOf(info),
    facts: [`${basename(info.path)}: ${info.format}, ${info.precision}`, ...extraFacts],
  };
}

/**
 * The header for a pair; `blocked` says why it cannot run here (format, trust, or a layout the runner refuses:
 * `refusal`, from pairRefusalMessage).
 */
export function pairView(
  pair: ChosenPair,
  settings: RunSettings,
  trusted: boolean,
  facts?: { base: string[]; quant: string[] },
  refusal: string | null = null,
): PairView {
  const untrusted = trusted ? null : UNTRUSTED_PAIR_MESSAGE;
  return {
    base: sideView(pair.base, facts?.base),
    quant: sideView(pair.quant, facts?.quant),
    executionProvider: settings.executionProvider,
    accuracyLevel: pair.quant.accuracyLevel,
    threads: settings.threads,
    maxNewTokens: settings.maxNewTokens,
    blocked: untrusted ?? runnablePairMessage(pair.base, pair.quant) ?? refusal,
  };
}
