import * as vscode from 'vscode';
import { DEVICE_PROFILE_IDS, DEVICE_PROFILES, type DeviceProfileId } from '../../core/devices/profiles';
import { configErrors, describePrecision, type ModelInfo, type Verdict } from '../../core/models';
import { formatParams, formatSize } from '../../core/models/format';

export const VERDICT_ICON: Record<Verdict, { icon: string; color: string; word: string }> = {
  ok: { icon: 'pass-filled', color: 'testing.iconPassed', word: 'runs' },
  warn: { icon: 'warning', color: 'problemsWarningIcon.foreground', word: 'outside the recipe' },
  no: { icon: 'error', color: 'problemsErrorIcon.foreground', word: 'will not run' },
};

export function verdictIcon(verdict: Verdict): vscode.ThemeIcon {
  const { icon, color } = VERDICT_ICON[verdict];
  return new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
}

const EMOJI: Record<Verdict, string> = { ok: '$(pass-filled)', warn: '$(warning)', no: '$(error)' };

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function ruleLink(rule: string): string {
  const args = encodeURIComponent(JSON.stringify([rule]));
  return `[${rule}](command:quantDrift.showRuleDoc?${args} "Open the rule's documentation")`;
}

/**
 * The tooltip of a model: what it is, then the verdicts with their reasons and rule links. `focus` puts one
 * device first (the device node the model is shown under).
 */
export function modelTooltip(info: ModelInfo, focus?: DeviceProfileId): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['quantDrift.showRuleDoc'] };
  md.supportHtml = false;
  md.appendMarkdown(`**${escape(info.name)}**  \n`);
  // Code spans take text literally: only a backtick would end one early.
  md.appendMarkdown(`\`${info.path.replace(/`/g, "'")}\`\n\n`);
  if (info.error) {
    md.appendMarkdown(`$(error) **Cannot read this model:** ${escape(info.error)}\n\n`);
    return md;
  }
  const source = info.weights.source ? ` (from ${escape(info.weights.source)})` : '';
  md.appendMarkdown(
    `${escape(info.format)} · **${escape(describePrecision(info))}**${source} · ${formatParams(info.params)} · ${formatSize(info.sizeBytes)}\n\n`,
  );
  if (info.files.tokenizer.missing.length > 0)
    md.appendMarkdown(`$(warning) Tokenizer files missing: ${escape(info.files.tokenizer.missing.join(', '))}\n\n`);
  for (const problem of configErrors(info)) md.appendMarkdown(`$(warning) Config not read: ${escape(problem)}\n\n`);
  const order = focus ? [focus, ...DEVICE_PROFILE_IDS.filter((id) => id !== focus)] : [...DEVICE_PROFILE_IDS];
  for (const id of order) {
    const device = info.devices[id];
    if (!device) continue;
    const rules = device.rules?.length ? ` — ${device.rules.map(ruleLink).join(', ')}` : '';
    md.appendMarkdown(
      `${EMOJI[device.verdict]} **${escape(DEVICE_PROFILES[id].label)}**: ${VERDICT_ICON[device.verdict].word}${rules}\n`,
    );
    // Reasons for the focused device always; for the others only when something is wrong.
    if (id === focus || device.verdict !== 'ok')
      for (const reason of device.reasons) md.appendMarkdown(`- ${escape(reason)}\n`);
    md.appendMarkdown('\n');
  }
  return md;
}
