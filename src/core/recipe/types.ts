/**
 * The one Recipe model every syntax maps into (docs/ARCHITECTURE.md, "The one flow of recipe checks").
 *
 * Extractors turn text into Recipe[]; rules turn Recipe + target profile into Finding[].
 * Rules never see syntax, extractors never judge. Every value keeps the span it came from,
 * so a fix is a plain text edit at that span.
 */
import type { DeviceProfileId } from '../devices/profiles';

/** Half-open [start, end) offsets into the document text (UTF-16 code units, as in JS strings). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A value we cannot know from the text: `{model_id}`, `$VAR`, `%VAR%`, `<model>`, a Python variable. */
export interface UnknownValue {
  readonly kind: 'unknown';
  /** The text as written, for messages ("value comes from $FORMAT"). */
  readonly text: string;
}

export type SettingValue = string | number | boolean | null | UnknownValue;

export function isUnknown(value: SettingValue | undefined): value is UnknownValue {
  return typeof value === 'object' && value !== null && value.kind === 'unknown';
}

/**
 * One setting of a recipe, normalised to the optimum-cli / OVWeightQuantizationConfig vocabulary
 * (`weightFormat`, `sym`, `groupSize`, `ratio`, ...). `raw` keeps the key as the user wrote it
 * (`--group-size`, `q_group_size`, `is_symmetric`), so messages and fixes speak the user's syntax.
 */
export interface RecipeSetting {
  readonly key: SettingKey;
  readonly raw: string;
  readonly value: SettingValue;
  /** Span of the whole setting (`--sym`, `--group-size 1`, `"sym": false`, `sym=False`). */
  readonly span: Span;
  /** Span of just the value, where the value is written separately (`1` in `--group-size 1`). */
  readonly valueSpan?: Span;
  /** Span of just the key/flag name (`--trust_remote_code`), for rename fixes. */
  readonly keySpan?: Span;
  /** Span to delete to remove this setting cleanly (its separator included), for removal fixes. */
  readonly removeSpan?: Span;
}

/** Normalised setting names. Extractors map every syntax's spelling onto these. */
export type SettingKey =
  | 'model'
  | 'output'
  | 'task'
  | 'weightFormat' // int4 | int8 | fp16 | fp32 | nf4 | mxfp4 | cb4 (optimum) ; also nncf mode family
  | 'quantMode' // optimum --quant-mode
  | 'bits'
  | 'sym'
  | 'groupSize'
  | 'ratio'
  | 'allLayers'
  | 'dataset'
  | 'numSamples'
  | 'awq'
  | 'scaleEstimation'
  | 'gptq'
  | 'loraCorrection'
  | 'sensitivityMetric'
  | 'backupPrecision'
  | 'groupSizeFallback'
  | 'statisticsPath'
  | 'smoothQuantAlpha'
  | 'trustRemoteCode'
  | 'accuracyLevel'
  | 'descAct'
  | 'quantType' // bitsandbytes bnb_4bit_quant_type (fp4 | nf4)
  | 'passType' // Olive pass type
  | 'quantMethod' // optimum-intel quant_method other than awq/default (e.g. hybrid)
  | 'other';

/** Where a recipe came from: decides which defaults apply when a setting is absent. */
export type RecipeDialect =
  | 'optimum-cli' // optimum-cli export openvino ...
  | 'ov-weight-config' // OVWeightQuantizationConfig(...) / openvino_config.json quantization_config
  | 'ov-quant-config' // OVQuantizationConfig (activations too)
  | 'nncf-compress-weights' // nncf.compress_weights(mode=...)
  | 'hf-gptq'
  | 'hf-awq'
  | 'hf-bitsandbytes'
  | 'hf-auto-round'
  | 'ort-matmulnbits' // MatMulNBitsQuantizer / Olive OnnxBlockWiseRtnQuantization / model contents
  | 'olive-pass'
  | 'genai-config'
  | 'model-files'; // recovered from a model folder (rt_info, MatMulNBits zero points, ...)

export interface Recipe {
  readonly dialect: RecipeDialect;
  /** Span of the whole construct (the command, the call, the JSON object). */
  readonly span: Span;
  /** Settings as written, in source order. An absent key means "default of this dialect". */
  readonly settings: readonly RecipeSetting[];
  /** Flags or keys the extractor saw but could not map (for unknown-flag / did-you-mean). */
  readonly unknown: readonly RecipeSetting[];
  /** Extra facts for rules (e.g. Olive pass name, nncf mode enum text, whether this is an LLM task). */
  readonly facts?: Readonly<Record<string, string | number | boolean>>;
  /** Continuation/quoting style, so fixes can insert text the way the user writes it. */
  readonly style?: CommandStyle;
  /** Syntax facts with a place in the text (e.g. a comment line that ends a bash continuation). */
  readonly notes?: readonly SyntaxNote[];
}

export interface SyntaxNote {
  readonly kind: 'comment-in-continuation';
  readonly span: Span;
}

export interface CommandStyle {
  /** Shell family the command is written in. */
  readonly shell: 'sh' | 'cmd' | 'powershell' | 'python-string' | 'python-argv' | 'none';
  /** Offset where a new flag can be inserted (after the last flag of the command). */
  readonly insertAt: number;
  /** Text to join an inserted flag with (`' '`, or `'", "'` inside an argv list). */
  readonly separator: string;
  /** Quote character of argv list items, if any. */
  readonly quote?: string;
  /** Inserted text must be escaped this way (a command inside a JSON string, e.g. a notebook cell). */
  readonly escape?: 'json';
}

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** Marked preferred where one fix is clearly right (VS Code shows it first, fixAll applies it). */
  readonly preferred?: boolean;
}

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** What will happen on the device, in one or two sentences. */
  readonly message: string;
  readonly span: Span;
  readonly fixes: readonly Fix[];
  readonly target: DeviceProfileId;
}

export type RuleId =
  | 'npu-asymmetric-int4'
  | 'unknown-flag'
  | 'invalid-value'
  | 'group-size-one'
  | 'needs-dataset'
  | 'needs-weight-format'
  | 'conflicting-options'
  | 'npu-ratio-below-one'
  | 'nf4-needs-lunar-lake'
  | 'removed-olive-pass'
  | (string & {});
