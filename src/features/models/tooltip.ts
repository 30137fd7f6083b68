import * as vscode from 'vscode';
import { DEVICE_PROFILE_IDS, DEVICE_PROFILES, type DeviceProfileId } from '../../core/devices/profiles';
import {
  configErrors,
  describePrecision,
  verdictWords,
  type DeviceVerdict,
  type ModelInfo,
  type Verdict,
} from '../../core/models';
import { linkCitations } from '../../core/docs/citations';
import { formatParams, formatSize } from '../../core/models/format';

export const VERDICT_ICON: Record<Verdict, { icon: string; color: string }> = {
  ok: { icon: 'pass-filled', color: 'testing.iconPassed' },
  warn: { icon: 'warning', color: 'problemsWarningIcon.foreground' },
  no: { icon: 'error', color: 'problemsErrorIcon.foreground' },
};
/** A warn that only says "runs once exported to IR" (DeviceVerdict.asExport) is information, not a defect. */
const AS_EXPORT_ICON = { icon: 'info', color: 'problemsInfoIcon.foreground' };

function iconOf(verdict: DeviceVerdict): { icon: string; color: string } {
  return verdict.asExport ? AS_EXPORT_ICON : VERDICT_ICON[verdict.verdict];
}

export function verdictIcon(verdict: DeviceVerdict): vscode.ThemeIcon {
  const { icon, color } = iconOf(verdict);
  return new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function ruleLink(rule: string): string {
  const args = encodeURIComponent(JSON.stringify([rule]));
  return `[${rule}](command:quantDrift.showRuleDoc?${args} "Open the rule's documentation")`;
}

/**
 * The tooltip of a model: what it is, then the verdict for one device with its reasons and rule links (the device
 * node the model is shown under, else the target device), and one line for the other devices, so it stays short.
 */
export function modelTooltip(info: ModelInfo, focus: DeviceProfileId): vscode.MarkdownString {
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
  const device = info.devices[focus];
  if (device) {
    const rules = device.rules?.length ? ` — ${device.rules.map(ruleLink).join(', ')}` : '';
    md.appendMarkdown(
      `$(${iconOf(device).icon}) **${escape(DEVICE_PROFILES[focus].shortLabel)}**: ${verdictWords(device)}${rules}\n`,
    );
    for (const reason of device.reasons) md.appendMarkdown(`- ${linkCitations(reason, escape)}\n`);
    md.appendMarkdown('\n');
  }
  const others = DEVICE_PROFILE_IDS.filter((id) => id !== focus && info.devices[id]);
  const byWords = new Map<string, { icon: string; labels: string[] }>();
  for (const id of others) {
    const verdict = info.devices[id];
    const words = verdictWords(verdict);
    const entry = byWords.get(words) ?? { icon: iconOf(verdict).icon, labels: [] };
    entry.labels.push(DEVICE_PROFILES[id].shortLabel);
    byWords.set(words, entry);
  }
  if (byWords.size > 0)
    md.appendMarkdown(
      `Other devices: ${[...byWords].map(([words, { icon, labels }]) => `$(${icon}) ${escape(labels.join(', '))} ${words}`).join(' · ')}\n`,
    );
  return md;
}
