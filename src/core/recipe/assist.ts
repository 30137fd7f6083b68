/**
 * Hovers and completions for export commands (and hovers for config keys), from the flag table
 * (DOMAIN-REFERENCE.md §1.1) and the config key notes (§1.3, §3.1-§3.3, §5.2).
 */
import { FLAGS, FLAG_SOURCE, KNOWN_MISTAKES, flagByName, resolveFlag, type FlagInfo } from './flags';
import { extractRecipes, type LintContext } from './lint';
import { configName } from './rules/names';
import type { Recipe, RecipeSetting, Span } from './types';

export interface CoreCompletion {
  readonly label: string;
  readonly insertText: string;
  readonly detail?: string;
  readonly documentation?: string;
  readonly kind: 'flag' | 'value';
}

const VALUE_NOTES: Record<string, string> = {
  int4: 'INT4 weights. Without `--sym` optimum compresses asymmetrically, which the Intel NPU compiler does not support (openvinotoolkit/openvino#34450).',
  int8: 'INT8 weights (the CLI forces ratio 1.0 and channel-wise groups). No NPU guide documents INT8 LLMs; a crash at generate() was reported (openvinotoolkit/openvino#35641).',
  nf4: 'NF4 weights: Intel NPU on Lunar Lake (Core Ultra Series 2) and newer only; the NPU guide says to use it channel-wise (`--group-size -1`).',
  fp16: 'FP16 baseline export (turns off the automatic INT8 compression of models with ≥1e9 parameters).',
  fp32: 'FP32 baseline export.',
  mxfp4: 'MXFP4 (4-bit, group size 32); rejects AWQ, scale estimation, GPTQ and LoRA correction.',
  cb4: 'Codebook of 16 fixed FP8 (E4M3) values.',
};

const CONFIG_KEYS: Record<string, string> = {
  sym: 'Symmetric quantization (no zero points). Intel NPU: INT4 must be symmetric (openvinotoolkit/openvino#34450). Source: optimum-intel `optimum/intel/openvino/configuration.py` (default False).',
  is_symmetric:
    'Symmetric quantization. `MatMulNBitsQuantizer` defaults to False (asymmetric, with zero points); Olive `OnnxBlockWiseRtnQuantization` defaults to True. Source: microsoft/onnxruntime `matmul_nbits_quantizer.py`.',
  zero_point:
    'AWQ: `true` (the default) means asymmetric weights with zero points, which the Intel NPU does not support. Source: huggingface/transformers `quantization_config.py`.',
  bits: 'Weight bits. OVWeightQuantizationConfig defaults to 8.',
  group_size: 'Group size; -1 is per-column (channel-wise). Intel NPU: 128 or -1, never 1.',
  ratio: 'Share of layers at 4 bits (default 1.0). Intel NPU guide: 1.0.',
  mode: 'NNCF CompressWeightsMode: int8_sym, int8_asym (default), int4_sym, int4_asym, nf4, cb4, mxfp4, ... Intel NPU: INT4_SYM. Source: openvinotoolkit/nncf `src/nncf/parameters.py`.',
  desc_act: 'GPTQ act-order; adds a `g_idx` permutation that ORT marks deprecated on MatMulNBits.',
  block_size: 'Quantization block size along K (MatMulNBits: a power of 2 ≥ 16).',
  dtype: 'optimum-intel weight dtype: int4, int8, mxfp4, nf4 or cb4.',
};

function flagMarkdown(flag: FlagInfo, written: string): string {
  const lines = [`**${flag.names.join(', ')}** — optimum-cli export openvino`, '', flag.meaning];
  if (flag.values)
    lines.push(
      '',
      `Allowed: ${flag.values.map((v) => `\`${v}\``).join(', ')}${flag.openValues ? ' (and others)' : ''}`,
    );
  if (flag.defaultText) lines.push('', `Default: ${flag.defaultText}`);
  if (flag.deviceNotes) lines.push('', `Device: ${flag.deviceNotes}`);
  if (!flag.names.includes(written)) lines.push('', `(\`${written}\` is accepted by argparse as an abbreviation.)`);
  lines.push('', `Source: ${FLAG_SOURCE}`);
  return lines.join('\n');
}

function contains(span: Span | undefined, offset: number): span is Span {
  return span !== undefined && offset >= span.start && offset <= span.end;
}

function hoverSetting(recipe: Recipe, setting: RecipeSetting, offset: number): { markdown: string; span: Span } | null {
  if (recipe.dialect === 'optimum-cli') {
    const flag = flagByName(setting.raw) ?? resolveFlag(setting.raw)?.flag;
    if (
      contains(setting.valueSpan, offset) &&
      typeof setting.value === 'string' &&
      setting.key === 'weightFormat' &&
      VALUE_NOTES[setting.value]
    ) {
      return {
        markdown: `**--weight-format ${setting.value}**\n\n${VALUE_NOTES[setting.value]}\n\nSource: ${FLAG_SOURCE}`,
        span: setting.valueSpan,
      };
    }
    if (flag && setting.raw !== 'output')
      return { markdown: flagMarkdown(flag, setting.raw), span: setting.keySpan ?? setting.span };
    return null;
  }
  const key = setting.raw.replace(/^["']|["']$/g, '');
  const note = CONFIG_KEYS[key];
  return note
    ? { markdown: `**${key}** (${configName(recipe)})\n\n${note}`, span: setting.keySpan ?? setting.span }
    : null;
}

export function hoverAt(text: string, offset: number, ctx: LintContext): { markdown: string; span: Span } | null {
  const { recipes } = extractRecipes(text, ctx);
  for (const recipe of recipes) {
    if (!contains(recipe.span, offset)) continue;
    for (const setting of recipe.settings) {
      if (contains(setting.keySpan ?? setting.span, offset) || contains(setting.valueSpan, offset)) {
        const hover = hoverSetting(recipe, setting, offset);
        if (hover) return hover;
      }
    }
    for (const setting of recipe.unknown) {
      if (!contains(setting.span, offset)) continue;
      const mistake = KNOWN_MISTAKES[setting.raw];
      const markdown = mistake
        ? `**${setting.raw}** is not an optimum-cli export openvino option: ${mistake.note}.`
        : `**${setting.raw}** is not an optimum-cli export openvino option.`;
      return { markdown: `${markdown}\n\nSource: ${FLAG_SOURCE}`, span: setting.keySpan ?? setting.span };
    }
  }
  return null;
}

const WORD_CHAR = /[^\s"'`,()[\]{}=]/;

function wordAround(text: string, offset: number): Span {
  let start = offset;
  while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
  return { start, end: offset };
}

function previousWord(text: string, before: number): string {
  let end = before;
  while (end > 0 && /[\s"',=\\^`]/.test(text[end - 1])) end--;
  let start = end;
  while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
  return text.slice(start, end);
}

/** The export command the cursor is in (or just after, on the same line). */
function commandAt(text: string, offset: number, ctx: LintContext): Recipe | null {
  const { recipes } = extractRecipes(text, ctx);
  for (const recipe of recipes) {
    if (recipe.dialect !== 'optimum-cli') continue;
    if (offset >= recipe.span.start && offset <= recipe.span.end) return recipe;
    if (
      offset > recipe.span.end &&
      /^[ \t]*(?:[\\^`][ \t]*\r?\n[ \t]*)?[^\s]*$/.test(text.slice(recipe.span.end, offset))
    )
      return recipe;
  }
  return null;
}

export function completionsAt(
  text: string,
  offset: number,
  ctx: LintContext,
): { items: CoreCompletion[]; replace: Span } | null {
  const recipe = commandAt(text, offset, ctx);
  if (!recipe) return null;
  const replace = wordAround(text, offset);
  const typed = text.slice(replace.start, replace.end);
  const afterProgram = recipe.style ? offset >= recipe.style.insertAt : true;
  if (!afterProgram) return null;
  const previous = previousWord(text, replace.start);
  const valueFlag = typed.startsWith('-') ? undefined : flagByName(previous);
  if (valueFlag && valueFlag.values) {
    const items = valueFlag.values.map((value) => ({
      label: value,
      insertText: value,
      detail: `${valueFlag.names[valueFlag.names.length - 1]} value`,
      ...(valueFlag.key === 'weightFormat' && VALUE_NOTES[value] ? { documentation: VALUE_NOTES[value] } : {}),
      kind: 'value' as const,
    }));
    return { items, replace };
  }
  if (valueFlag && valueFlag.type !== 'none') return null;
  const present = new Set(recipe.settings.map((setting) => setting.raw));
  const items: CoreCompletion[] = [];
  for (const flag of FLAGS) {
    const name = flag.names[flag.names.length - 1];
    if (flag.names.some((n) => present.has(n)) || (typed && !name.startsWith(typed))) continue;
    items.push({
      label: name,
      insertText: name,
      detail: flag.defaultText ? `default: ${flag.defaultText}` : flag.meaning,
      documentation: flagMarkdown(flag, name),
      kind: 'flag',
    });
  }
  return { items, replace };
}
