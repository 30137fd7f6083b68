/**
 * Data-aware option rules: options that need a calibration dataset or exclude each other (needs-dataset,
 * conflicting-options). DOMAIN-REFERENCE.md §1.2 and the NNCF semantics notes.
 */
import { fix } from '../../fixes';
import type { Command } from './command';

export function conflicts(cmd: Command): void {
  const format = cmd.get('weightFormat');
  const mode = cmd.get('quantMode');
  if (format && mode) {
    cmd.report(
      'conflicting-options',
      'error',
      '--weight-format and --quant-mode cannot be combined: optimum-cli refuses the export. Use --weight-format for weight-only compression, --quant-mode for weights plus activations.',
      mode,
      [...fix('Remove --quant-mode', [cmd.remove(mode)]), ...fix('Remove --weight-format', [cmd.remove(format)])],
    );
  }
  const gptq = cmd.get('gptq');
  const lora = cmd.get('loraCorrection');
  if (gptq && lora) {
    cmd.report(
      'conflicting-options',
      'error',
      'GPTQ and LoRA correction cannot be combined: NNCF rejects the configuration before compressing.',
      lora,
      [...fix('Remove --lora-correction', [cmd.remove(lora)]), ...fix('Remove --gptq', [cmd.remove(gptq)])],
    );
  }
  if (cmd.text('weightFormat') === 'mxfp4') {
    for (const key of ['awq', 'scaleEstimation', 'gptq', 'loraCorrection'] as const) {
      const setting = cmd.get(key);
      if (setting)
        cmd.report(
          'conflicting-options',
          'error',
          `mxfp4 rejects ${setting.raw} (AWQ, scale estimation, GPTQ and LoRA correction are not available for MX formats).`,
          setting,
          fix(`Remove ${setting.raw}`, [cmd.remove(setting)]),
        );
    }
  }
  const alpha = cmd.get('smoothQuantAlpha');
  if (alpha && !mode && format)
    cmd.report(
      'conflicting-options',
      'warning',
      '--smooth-quant-alpha only applies with activation quantization (--quant-mode); with --weight-format it has no effect.',
      alpha,
      fix('Remove --smooth-quant-alpha', [cmd.remove(alpha)]),
    );
}

const DATA_AWARE_KEYS = ['scaleEstimation', 'gptq', 'loraCorrection'] as const;

export function needsDataset(cmd: Command): void {
  if (cmd.has('dataset') || cmd.partlyHidden) return;
  for (const key of DATA_AWARE_KEYS) {
    const setting = cmd.get(key);
    if (!setting) continue;
    const edit = cmd.insertAfter(setting, ['--dataset', 'wikitext2']);
    cmd.report(
      'needs-dataset',
      'error',
      `${setting.raw} is data-aware and needs --dataset: the OpenVINO backend of NNCF raises an error without one.`,
      setting,
      [...fix('Add --dataset wikitext2', [edit]), ...fix(`Remove ${setting.raw}`, [cmd.remove(setting)])],
    );
  }
  const mode = cmd.get('quantMode');
  if (mode)
    cmd.report(
      'needs-dataset',
      'warning',
      '--quant-mode needs --dataset for calibration unless optimum has a per-model default config for this model; otherwise the export stops.',
      mode,
    );
}
