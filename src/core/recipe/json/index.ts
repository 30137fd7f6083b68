/**
 * JSON config extractor: openvino_config.json, Hugging Face config.json `quantization_config`, AutoAWQ
 * quant_config.json, AutoGPTQ quantize_config.json, Olive workflow configs and genai_config.json
 * (DOMAIN-REFERENCE.md §3.1-§3.3, §5.3). Recognised by file name and by content. Never throws: invalid JSON
 * comes back as `parseError` with a span, next to whatever recipes the tolerant parser could still recover.
 */
import type { Node } from 'jsonc-parser';
import type { Recipe, Span } from '../types';
import { configKind, type Facts } from './kinds';
import { extractBarePasses, extractOliveRecipes, providerOptionFacts } from './olive';
import { mapRecipe, offsetMapper } from '../commands/mapped';
import { entriesOf, objectProperty, objectStyle, parseJson, property, spanOfNode, stringProperty } from './tree';
import { HF_AWQ, HF_GPTQ, mapEntries, OV_QUANT_CONFIG, OV_WEIGHT_CONFIG, type Vocabulary } from './vocabulary';

export interface JsonExtraction {
  readonly recipes: Recipe[];
  readonly parseError?: { readonly message: string; readonly span: Span };
}

export function extractJsonConfigs(text: string, fileName: string): JsonExtraction {
  const parsed = parseJson(text);
  const recipes = parsed.root ? recipesOf(parsed.root, text, baseName(fileName)) : [];
  recipes.sort((a, b) => a.span.start - b.span.start);
  return parsed.parseError ? { recipes, parseError: parsed.parseError } : { recipes };
}

/**
 * The recipes of a JSON fence in Markdown, spans relative to the fence. Documentation often shows a fragment
 * (`"passes": { ... }` without the outer braces); such a fragment is read inside braces of its own. A fence
 * that does not parse gives nothing: it is an illustration, not the user's config file.
 */
export function extractJsonFence(code: string): Recipe[] {
  if (!/"(?:type|passes|quantization_config)"/.test(code)) return [];
  const fragment = /^\s*"/.test(code);
  const text = fragment ? `{${code}}` : code;
  const parsed = parseJson(text);
  if (!parsed.root || parsed.parseError) return [];
  const recipes = recipesOf(parsed.root, text, '');
  return fragment ? recipes.map((recipe) => mapRecipe(recipe, offsetMapper(-1))) : recipes;
}

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName;
}

/** HF `quant_method` values this extractor maps (others, e.g. fp8 or compressed-tensors, have no dialect yet). */
const HF_QUANT_METHODS = new Set(['gptq', 'awq', 'bitsandbytes', 'auto-round']);
const OV_QUANT_METHODS = new Set(['default', 'hybrid']);

function recipesOf(root: Node, text: string, fileName: string): Recipe[] {
  if (root.type === 'array') return extractBarePasses(root, text, fileName);
  if (root.type !== 'object') return [];
  const file = { file: fileName };
  const lower = fileName.toLowerCase();
  if (objectProperty(root, 'passes') || property(root, 'passes')?.type === 'array') {
    return extractOliveRecipes(root, text, fileName);
  }
  if (lower === 'genai_config.json' || objectProperty(objectProperty(root, 'model'), 'decoder')) {
    return genaiRecipes(root, text, fileName);
  }
  const quantizationConfig = objectProperty(root, 'quantization_config');
  if (quantizationConfig) {
    const method = stringProperty(quantizationConfig, 'quant_method')?.toLowerCase();
    const nested = ['weight_quantization_config', 'full_quantization_config', 'quantization_configs'].some(
      (key) => property(quantizationConfig, key) !== undefined,
    );
    if (lower === 'openvino_config.json' || nested) {
      const dtype = stringProperty(root, 'dtype');
      return openvinoRecipes(quantizationConfig, text, { ...file, ...(dtype ? { ovConfigDtype: dtype } : {}) });
    }
    if (method !== undefined && !HF_QUANT_METHODS.has(method) && !OV_QUANT_METHODS.has(method)) return [];
    return [objectRecipe(quantizationConfig, text, 'quantization_config', file)];
  }
  if (property(root, 'type')?.type === 'string') {
    const passes = extractBarePasses(root, text, fileName);
    if (passes.length) return passes;
  }
  // Standalone quantizer configs: AutoAWQ quant_config.json, AutoGPTQ quantize_config.json.
  const hasKey = (key: string): boolean => property(root, key) !== undefined;
  if (lower === 'quant_config.json' || hasKey('w_bit') || hasKey('q_group_size') || hasKey('zero_point')) {
    return [vocabularyRecipe(root, text, 'hf-awq', HF_AWQ, { ...file, defaultSym: false, defaultGroupSize: 128 })];
  }
  if (lower === 'quantize_config.json' || (hasKey('bits') && (hasKey('desc_act') || hasKey('damp_percent')))) {
    return [vocabularyRecipe(root, text, 'hf-gptq', HF_GPTQ, { ...file, defaultSym: true, defaultGroupSize: 128 })];
  }
  return [];
}

/** A config object classified by its keys (shared with the Python dict-literal path). */
function objectRecipe(node: Node, text: string, context: string, facts: Facts): Recipe {
  const entries = entriesOf(node, text);
  const kind = configKind(context, entries);
  return vocabularyRecipe(node, text, kind.dialect, kind.vocabulary, { ...kind.facts, ...facts });
}

function vocabularyRecipe(
  node: Node,
  text: string,
  dialect: Recipe['dialect'],
  vocabulary: Vocabulary,
  facts: Facts,
): Recipe {
  const { settings, unknown } = mapEntries(vocabulary, entriesOf(node, text));
  return { dialect, span: spanOfNode(node), settings, unknown, facts, style: objectStyle(node, text) };
}

/** Keys only OVQuantizationConfig (weights and activations) writes. */
const FULL_QUANTIZATION_KEYS = ['smooth_quant_alpha', 'fast_bias_correction', 'overflow_fix', 'model_type'];

/** openvino_config.json `quantization_config`: plain, mixed (weight + full) or per-submodel pipeline. */
function openvinoRecipes(config: Node, text: string, facts: Facts, depth = 0): Recipe[] {
  if (depth > 4) return [];
  const recipes: Recipe[] = [];
  const weight = objectProperty(config, 'weight_quantization_config');
  const full = objectProperty(config, 'full_quantization_config');
  const pipeline = objectProperty(config, 'quantization_configs');
  if (weight) recipes.push(ovRecipe(weight, text, false, { ...facts, role: 'weight_quantization_config' }));
  if (full) recipes.push(ovRecipe(full, text, true, { ...facts, role: 'full_quantization_config' }));
  for (const prop of pipeline?.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (valueNode?.type !== 'object' || typeof keyNode?.value !== 'string') continue;
    recipes.push(...openvinoRecipes(valueNode, text, { ...facts, role: keyNode.value }, depth + 1));
  }
  if (weight || full || pipeline) return recipes;
  const isFull = FULL_QUANTIZATION_KEYS.some((key) => property(config, key) !== undefined);
  return [ovRecipe(config, text, isFull, facts)];
}

function ovRecipe(node: Node, text: string, full: boolean, facts: Facts): Recipe {
  return full
    ? vocabularyRecipe(node, text, 'ov-quant-config', OV_QUANT_CONFIG, { defaultSym: false, ...facts })
    : vocabularyRecipe(node, text, 'ov-weight-config', OV_WEIGHT_CONFIG, {
        defaultSym: false,
        defaultBits: 8,
        ...facts,
      });
}

/** genai_config.json: which execution providers and device the decoder asks for, as facts. */
function genaiRecipes(root: Node, text: string, fileName: string): Recipe[] {
  const model = objectProperty(root, 'model');
  if (!model) return [];
  const found = providerOptionFacts(model, text);
  const facts: Facts = { file: fileName, ...found.facts };
  const modelType = stringProperty(model, 'type');
  if (modelType) facts.modelType = modelType;
  return [{ dialect: 'genai-config', span: spanOfNode(model), settings: found.settings, unknown: [], facts }];
}
