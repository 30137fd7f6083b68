/**
 * Olive workflow configs (DOMAIN-REFERENCE.md §3.3): one `olive-pass` recipe per pass under `passes`, each
 * starting with a `passType` setting (span: `"type": "..."`), its settings in the vocabulary of the tool the
 * pass wraps (fact `wraps`; ov_quant_config: optimum-cli keys, compress_config: nncf, RTN: MatMulNBits).
 * A pass shown on its own (a `.json` snippet or a Markdown fence holding `{ "type": "Gptq", ... }`, or a list of
 * them) is read the same way. Pass defaults that differ between passes are `default*` facts, so rules can tell a
 * written value from a defaulted one; each is read from microsoft/Olive@ee6f40f (file named on its entry).
 */
import type { Node } from 'jsonc-parser';
import { GENERIC_4BIT_DEFAULT, perModelDefault } from '../optimumDefaults';
import type { Recipe, RecipeSetting, SettingKey } from '../types';
import type { Facts } from './kinds';
import { entriesOf, objectProperty, objectStyle, property, scalarValue, spanOfNode, stringProperty } from './tree';
import {
  mapEntries,
  NNCF_COMPRESS_WEIGHTS,
  OLIVE_AWQ,
  OLIVE_GPTQ,
  OLIVE_HQQ,
  OLIVE_MODEL_BUILDER,
  OLIVE_ONNX_QUANTIZATION,
  OLIVE_RTN,
  OPTIMUM_CLI_KEYS,
  type Vocabulary,
  type WrittenEntry,
} from './vocabulary';

interface PassKind {
  readonly vocabulary?: Vocabulary;
  readonly facts?: Facts;
  /** The pass keeps its quantization settings in this nested object instead of at its top level. */
  readonly configKey?: string;
  /** Nested objects whose keys are passed along with the pass's own (ModelBuilder `extra_options`). */
  readonly extraKey?: string;
}

/** Keyed by lower-case pass type: Olive looks pass types up case-insensitively. */
const PASS_KINDS: Readonly<Record<string, PassKind>> = {
  onnxblockwisertnquantization: {
    vocabulary: OLIVE_RTN,
    facts: { wraps: 'ort-matmulnbits', defaultSym: true, defaultGroupSize: 128, defaultBits: 4 },
  },
  onnxmatmul4quantizer: {
    vocabulary: OLIVE_RTN,
    // Removed from Olive on 2025-07-01 (PR #1937); configs naming it fail to load.
    facts: {
      wraps: 'ort-matmulnbits',
      defaultSym: true,
      defaultGroupSize: 32,
      defaultBits: 4,
      removedPass: true,
      replacement: 'OnnxBlockWiseRtnQuantization',
    },
  },
  // olive/passes/pytorch/gptq.py: get_quantizer_config() in quant_utils.py, `sym` default_value=False.
  gptq: {
    vocabulary: OLIVE_GPTQ,
    facts: { wraps: 'hf-gptq', defaultSym: false, defaultGroupSize: 128, defaultBits: 4, quantizes: true },
  },
  // olive/passes/pytorch/autogptq.py: "sym" PassConfigParam default_value=False, group_size 128.
  gptqquantizer: {
    vocabulary: OLIVE_GPTQ,
    facts: {
      wraps: 'hf-gptq',
      defaultSym: false,
      defaultGroupSize: 128,
      defaultBits: 4,
      defaultDescAct: false,
      quantizes: true,
    },
  },
  // olive/passes/pytorch/gptqmodel.py: "sym" default_value=True, "group_size" default_value=-1.
  gptqmodel: {
    vocabulary: OLIVE_GPTQ,
    facts: {
      wraps: 'hf-gptq',
      defaultSym: true,
      defaultGroupSize: -1,
      defaultBits: 4,
      defaultDescAct: true,
      quantizes: true,
    },
  },
  // olive/passes/pytorch/rtn.py: the same get_quantizer_config() as Gptq, so `sym` defaults to False.
  rtn: {
    vocabulary: OLIVE_GPTQ,
    facts: { wraps: 'hf-gptq', defaultSym: false, defaultGroupSize: 128, defaultBits: 4, quantizes: true },
  },
  // olive/passes/pytorch/autoawq.py: "zero_point" default_value=True (asymmetric), "q_group_size" 128, bits 4.
  autoawqquantizer: {
    vocabulary: OLIVE_AWQ,
    facts: { wraps: 'hf-awq', defaultSym: false, defaultGroupSize: 128, defaultBits: 4, quantizes: true },
  },
  // olive/passes/onnx/hqq_quantization.py: every quantized MatMul gets a zero-points input; block_size 128.
  onnxhqqquantization: {
    vocabulary: OLIVE_HQQ,
    facts: { wraps: 'ort-matmulnbits', alwaysAsymmetric: true, defaultGroupSize: 128, defaultBits: 4 },
  },
  // olive/passes/openvino/optimum_intel.py: prep_wc_config() writes `"sym": quant_cfg.get("sym", False)`.
  openvinooptimumconversion: {
    vocabulary: OPTIMUM_CLI_KEYS,
    configKey: 'ov_quant_config',
    facts: { wraps: 'optimum-cli', source: 'ov_quant_config', defaultSym: false },
  },
  // olive/passes/openvino/compression.py: compress_config goes to nncf.compress_weights (mode INT8_ASYM unless set).
  openvinoweightcompression: {
    vocabulary: NNCF_COMPRESS_WEIGHTS,
    configKey: 'compress_config',
    facts: { wraps: 'nncf-compress-weights', defaultMode: 'int8_asym' },
  },
  // microsoft/onnxruntime-genai src/python/py/models/builder.py: int4_block_size 32, int4_is_symmetric True.
  modelbuilder: {
    vocabulary: OLIVE_MODEL_BUILDER,
    extraKey: 'extra_options',
    facts: { wraps: 'ort-matmulnbits', defaultSym: true, defaultGroupSize: 32 },
  },
  onnxstaticquantization: { vocabulary: OLIVE_ONNX_QUANTIZATION },
  onnxquantization: { vocabulary: OLIVE_ONNX_QUANTIZATION },
  onnxdynamicquantization: { vocabulary: OLIVE_ONNX_QUANTIZATION },
};

export function extractOliveRecipes(root: Node, text: string, fileName: string): Recipe[] {
  const workflow = workflowFacts(root, text);
  const modelSetting = inputModelSetting(root);
  const passes = property(root, 'passes');
  const found: { node: Node; name: string | undefined }[] = [];
  for (const prop of passes?.children ?? []) {
    if (passes?.type === 'array') {
      if (prop.type === 'object') found.push({ node: prop, name: undefined });
      continue;
    }
    const [keyNode, valueNode] = prop.children ?? [];
    const name = typeof keyNode?.value === 'string' ? keyNode.value : undefined;
    const configs = valueNode?.type === 'array' ? (valueNode.children ?? []) : valueNode ? [valueNode] : [];
    for (const config of configs) if (config.type === 'object') found.push({ node: config, name });
  }
  return passRecipes(found, text, { file: fileName, ...workflow }, modelSetting);
}

/**
 * Passes shown without their workflow: a `.json` file or a Markdown fence that is one pass object
 * (`{ "type": "GptqQuantizer", ... }`) or a list of them. Only pass types this extractor knows count, so any
 * other JSON with a `type` key stays unread.
 */
export function extractBarePasses(root: Node, text: string, fileName: string): Recipe[] {
  const candidates = root.type === 'array' ? (root.children ?? []) : [root];
  const found = candidates.filter((node) => isKnownPass(node)).map((node) => ({ node, name: undefined }));
  if (root.type === 'object' && found.length === 0) return [];
  if (root.type === 'array' && found.length !== candidates.filter((node) => node.type === 'object').length) return [];
  return passRecipes(found, text, { file: fileName, barePass: true }, undefined);
}

const PASS_TYPE_IN_TEXT = new RegExp(`"type"\\s*:\\s*"(?:${Object.keys(PASS_KINDS).join('|')})"`, 'i');

/** Whether JSON text names a pass type this extractor reads (so a bare pass file is worth linting in the editor). */
export function namesOlivePass(text: string): boolean {
  return PASS_TYPE_IN_TEXT.test(text);
}

function isKnownPass(node: Node): boolean {
  const type = stringProperty(node, 'type');
  return type !== undefined && Object.hasOwn(PASS_KINDS, type.toLowerCase());
}

/**
 * One recipe per pass, in workflow order. A ModelBuilder after a pass that already quantized the weights only
 * packs what that pass left (often just lm_head and the embeddings), so it carries `packsAfter` (the earlier
 * pass's type) and its `int4_block_size` is not the model's group size.
 */
function passRecipes(
  passes: readonly { node: Node; name: string | undefined }[],
  text: string,
  baseFacts: Facts,
  modelSetting: RecipeSetting | undefined,
): Recipe[] {
  const recipes: Recipe[] = [];
  let quantizedBy: string | undefined;
  for (const { node, name } of passes) {
    const recipe = passRecipe(node, name, text, baseFacts, quantizedBy);
    const passType = recipe.facts?.['passType'];
    if (recipe.facts?.['quantizes'] === true && typeof passType === 'string') quantizedBy ??= passType;
    const useModel = modelSetting && recipe.facts?.['source'] === 'ov_quant_config';
    recipes.push(useModel ? { ...recipe, settings: [modelSetting, ...recipe.settings] } : recipe);
  }
  return recipes;
}

function passRecipe(
  pass: Node,
  name: string | undefined,
  text: string,
  baseFacts: Facts,
  quantizedBy: string | undefined,
): Recipe {
  const typeNode = property(pass, 'type');
  const passType = typeNode?.type === 'string' ? (typeNode.value as string) : undefined;
  const kind =
    passType && Object.hasOwn(PASS_KINDS, passType.toLowerCase()) ? PASS_KINDS[passType.toLowerCase()] : undefined;
  const facts: Facts = { ...baseFacts, ...kind?.facts };
  if (name !== undefined) facts.passName = name;
  if (passType !== undefined) facts.passType = passType;
  if (quantizedBy !== undefined && passType?.toLowerCase() === 'modelbuilder') facts.packsAfter = quantizedBy;
  const settings: RecipeSetting[] = [];
  const unknown: RecipeSetting[] = [];
  if (typeNode) {
    const typeProp = typeNode.parent ?? typeNode;
    settings.push({
      key: 'passType',
      raw: 'type',
      value: scalarValue(typeNode, text),
      span: spanOfNode(typeProp),
      valueSpan: spanOfNode(typeNode),
    });
  }
  let styleNode = pass;
  if (kind?.vocabulary) {
    const entries: WrittenEntry[] = [];
    const legacyConfig = objectProperty(pass, 'config');
    if (kind.configKey) {
      const config = oliveObject(pass, kind.configKey);
      if (config) {
        entries.push(...entriesOf(config, text));
        styleNode = config;
      } else facts.noQuantizationConfig = true;
      const extra = oliveObject(pass, 'extra_args');
      if (extra && kind.vocabulary === NNCF_COMPRESS_WEIGHTS) entries.push(...entriesOf(extra, text));
      else if (extra) Object.assign(facts, extraArgFacts(extra));
    } else {
      entries.push(...entriesOf(pass, text).filter((entry) => entry.raw !== 'type' && entry.raw !== 'config'));
      if (legacyConfig) {
        entries.push(...entriesOf(legacyConfig, text));
        styleNode = legacyConfig;
      }
      const extra = kind.extraKey ? oliveObject(pass, kind.extraKey) : undefined;
      if (extra) entries.push(...entriesOf(extra, text));
    }
    const mapped = mapEntries(kind.vocabulary, entries);
    settings.push(...mapped.settings);
    unknown.push(...mapped.unknown);
    if (facts.source === 'ov_quant_config')
      Object.assign(facts, optimumDefaultFacts(mapped.settings, facts.inputModel));
  }
  const override = oliveObject(pass, 'genai_config_override');
  if (override) {
    const found = providerOptionFacts(override, text);
    Object.assign(facts, found.facts);
    settings.push(...found.settings);
  }
  return {
    dialect: 'olive-pass',
    span: spanOfNode(pass),
    settings,
    unknown,
    facts,
    style: objectStyle(styleNode, text),
  };
}

/** ov_quant_config keys whose presence makes OpenVINOOptimumConversion build its own config (`no_compression_parameter_provided`). */
const COMPRESSION_PARAMETERS = new Set<SettingKey>([
  'ratio',
  'groupSize',
  'sym',
  'allLayers',
  'dataset',
  'numSamples',
  'awq',
  'scaleEstimation',
  'gptq',
  'loraCorrection',
  'sensitivityMetric',
  'backupPrecision',
]);

/**
 * With only `weight_format: int4` in ov_quant_config, OpenVINOOptimumConversion applies optimum's default 4-bit
 * config for the input model, like the CLI (olive/passes/openvino/optimum_intel.py: `get_default_quantization_config`,
 * else `_DEFAULT_4BIT_WQ_CONFIG`); otherwise `prep_wc_config` writes `sym` False unless given.
 */
function optimumDefaultFacts(settings: readonly RecipeSetting[], model: string | number | boolean | undefined): Facts {
  const format = settings.find((setting) => setting.key === 'weightFormat')?.value;
  if (format !== 'int4' || settings.some((setting) => COMPRESSION_PARAMETERS.has(setting.key))) return {};
  const entry = typeof model === 'string' ? perModelDefault(model) : null;
  return entry
    ? { defaultSym: entry.config.sym, defaultsFrom: entry.id }
    : { defaultSym: GENERIC_4BIT_DEFAULT.sym, defaultsFrom: 'generic' };
}

/** Older Olive configs (before 0.7) nest a component's options under `config`; newer ones inline them. */
function oliveProperty(node: Node | undefined, key: string): Node | undefined {
  return property(node, key) ?? property(objectProperty(node, 'config'), key);
}

function oliveObject(node: Node | undefined, key: string): Node | undefined {
  const value = oliveProperty(node, key);
  return value?.type === 'object' ? value : undefined;
}

function extraArgFacts(extra: Node): Facts {
  const device = stringProperty(extra, 'device');
  return device ? { extraArgsDevice: device } : {};
}

/**
 * The accelerator the workflow declares: the `target` system's first accelerator (`device`, execution
 * providers), else the first system that has one. `deviceSource` says where it was written, for messages.
 */
function workflowFacts(root: Node, text: string): Facts {
  const facts: Facts = {};
  const systems = objectProperty(root, 'systems');
  const targetName = stringProperty(root, 'target');
  const ordered = [...(systems?.children ?? [])].sort(
    (a, b) => Number(b.children?.[0]?.value === targetName) - Number(a.children?.[0]?.value === targetName),
  );
  for (const system of ordered) {
    const accelerators = oliveProperty(system.children?.[1], 'accelerators');
    const first =
      accelerators?.type === 'array' ? accelerators.children?.find((node) => node.type === 'object') : undefined;
    if (!first) continue;
    const systemName = String(system.children?.[0]?.value);
    const device = stringProperty(first, 'device');
    if (device) facts.device = device.toLowerCase();
    const providers = property(first, 'execution_providers');
    if (providers?.type === 'array') {
      facts.executionProviders = (providers.children ?? [])
        .map((node) => scalarValue(node, text))
        .filter((value): value is string => typeof value === 'string')
        .join(',');
    }
    facts.deviceSource = `system "${systemName}"`;
    break;
  }
  const modelPath = oliveProperty(objectProperty(root, 'input_model'), 'model_path');
  if (modelPath?.type === 'string') facts.inputModel = modelPath.value as string;
  return facts;
}

function inputModelSetting(root: Node): RecipeSetting | undefined {
  const modelPath = oliveProperty(objectProperty(root, 'input_model'), 'model_path');
  if (modelPath?.type !== 'string' || !modelPath.parent) return undefined;
  return {
    key: 'model',
    raw: 'model_path',
    value: modelPath.value as string,
    span: spanOfNode(modelPath.parent),
    valueSpan: spanOfNode(modelPath),
  };
}

/**
 * Execution-provider options under `session_options.provider_options` anywhere below `node` (genai_config.json
 * decoder and pipeline stages, Olive `genai_config_override`): providers, `device_type`, NPU prompt limits.
 */
export function providerOptionFacts(node: Node, text: string): { facts: Facts; settings: RecipeSetting[] } {
  const facts: Facts = {};
  const settings: RecipeSetting[] = [];
  const providers = new Set<string>();
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const current = stack.pop() as Node;
    if (current.type === 'property' && current.children?.[0]?.value === 'provider_options') {
      for (const option of current.children[1]?.children ?? []) {
        for (const providerProp of option.type === 'object' ? (option.children ?? []) : []) {
          const [providerKey, providerValue] = providerProp.children ?? [];
          if (typeof providerKey?.value !== 'string' || providerValue?.type !== 'object') continue;
          providers.add(providerKey.value);
          for (const entry of entriesOf(providerValue, text)) {
            settings.push({ key: 'other', ...entry });
            collectProviderFact(facts, entry);
          }
        }
      }
      continue;
    }
    for (let i = (current.children?.length ?? 0) - 1; i >= 0; i--) stack.push((current.children as Node[])[i]);
  }
  if (providers.size > 0) facts.providers = [...providers].join(',');
  return { facts, settings };
}

function collectProviderFact(facts: Facts, entry: WrittenEntry): void {
  if (entry.raw === 'device_type' && typeof entry.value === 'string' && facts.deviceType === undefined) {
    facts.deviceType = entry.value;
  }
  if (entry.raw === 'load_config' && typeof entry.value === 'string') {
    const limits = npuPromptLimits(entry.value);
    if (limits.maxPromptLen !== undefined) facts.maxPromptLen = limits.maxPromptLen;
    if (limits.minResponseLen !== undefined) facts.minResponseLen = limits.minResponseLen;
  }
}

/** `load_config` is JSON inside a string: `{"NPU":{"MAX_PROMPT_LEN":"4096","MIN_RESPONSE_LEN":"128"}}`. */
function npuPromptLimits(loadConfig: string): { maxPromptLen?: number; minResponseLen?: number } {
  if (loadConfig.length > 10_000) return {};
  try {
    const parsed: unknown = JSON.parse(loadConfig);
    const npu = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).NPU : undefined;
    if (typeof npu !== 'object' || npu === null) return {};
    const record = npu as Record<string, unknown>;
    const max = Number(record.MAX_PROMPT_LEN);
    const min = Number(record.MIN_RESPONSE_LEN);
    return {
      ...(Number.isFinite(max) && record.MAX_PROMPT_LEN !== undefined ? { maxPromptLen: max } : {}),
      ...(Number.isFinite(min) && record.MIN_RESPONSE_LEN !== undefined ? { minResponseLen: min } : {}),
    };
  } catch {
    return {};
  }
}
