/**
 * Python config-call extractor: finds quantization config calls (OVWeightQuantizationConfig,
 * nncf.compress_weights, BitsAndBytesConfig, GPTQConfig, AwqConfig, MatMulNBitsQuantizer, ...), dict literals
 * used as quantization configs, and `OV*.from_pretrained(..., load_in_4bit=True)`, and maps their arguments
 * onto Recipe settings with exact spans. Values it cannot read from the text are UnknownValue, never guessed.
 * Extractors never judge: defaults are recorded as `default*` facts for the rules.
 */
import type { CommandStyle, Recipe, RecipeSetting, Span } from '../types';
import { configKind, type Facts } from '../json/kinds';
import { GENERIC_4BIT_DEFAULT, perModelDefault } from '../optimumDefaults';
import { BITSANDBYTES, mapEntries, type WrittenEntry } from '../json/vocabulary';
import { callClass, CONFIG_DICT_CONTEXTS, isOptimumIntelModelClass, mayHoldConfig, type CallClass } from './classes';
import { buildStructure, evaluate, removalSpan, spanOf, splitItems, type Item, type Structure } from './syntax';
import { tokenize } from './tokenizer';

export function extractPythonConfigs(text: string): Recipe[] {
  if (!mayHoldConfig(text)) return [];
  const structure = buildStructure(text, tokenize(text));
  const extractor = new Extractor(structure);
  return extractor.run();
}

interface Argument {
  /** Keyword name, or undefined for a positional argument. */
  readonly keyword?: string;
  readonly splat?: '*' | '**';
  readonly item: Item;
  /** Token range of the value expression. */
  readonly valueFrom: number;
  /** Position in the argument list and the whole list, for removal spans. */
  readonly index: number;
  readonly items: readonly Item[];
}

const NNCF_MODE_TEXT =
  /^(int[48]_(a?sym)|nf4|cb4|mxfp4|mxfp8_e4m3|fp8_e4m3|fp4|nvfp4|codebook|adaptive_codebook|e2m1)$/i;

class Extractor {
  private readonly recipes: Recipe[] = [];
  private readonly emittedDicts = new Set<number>();
  /** Name -> token indexes of `{` in `name = {...}` assignments, in source order. */
  private readonly dictAssignments = new Map<string, number[]>();

  constructor(private readonly structure: Structure) {}

  run(): Recipe[] {
    const { tokens } = this.structure;
    for (let i = 0; i + 2 < tokens.length; i++) {
      const name = this.assignedName(i + 2);
      if (name !== undefined && tokens[i + 2].text === '{') this.addAssignment(name, i + 2);
    }
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (token.kind === 'name' && tokens[i + 1]?.kind === 'open' && tokens[i + 1].text === '(') this.visitCall(i);
      else if (token.kind === 'open' && token.text === '{') this.visitDictLiteral(i);
    }
    return this.recipes.sort((a, b) => a.span.start - b.span.start);
  }

  private addAssignment(name: string, open: number): void {
    const list = this.dictAssignments.get(name) ?? [];
    list.push(open);
    this.dictAssignments.set(name, list);
  }

  /** `name = <token at index>` outside any call's parentheses (a statement, not a keyword argument). */
  private assignedName(valueIndex: number): string | undefined {
    const { tokens, parent } = this.structure;
    const equals = tokens[valueIndex - 1];
    const name = tokens[valueIndex - 2];
    if (!equals || !name || equals.kind !== 'op' || equals.text !== '=' || name.kind !== 'name') return undefined;
    const enclosing = parent[valueIndex - 2];
    if (enclosing >= 0 && tokens[enclosing].text === '(') return undefined;
    return name.text;
  }

  /** The keyword argument or string dict key whose value starts at `valueIndex`, if any. */
  private contextKey(valueIndex: number): string | undefined {
    const { tokens, parent } = this.structure;
    const before = tokens[valueIndex - 1];
    const key = tokens[valueIndex - 2];
    if (!before || !key || before.kind !== 'op') return undefined;
    if (before.text === ':' && key.kind === 'string' && !key.interpolated) return key.value as string;
    if (before.text === '=' && key.kind === 'name') {
      const enclosing = parent[valueIndex - 2];
      if (enclosing >= 0 && tokens[enclosing].text === '(') return key.text;
    }
    return undefined;
  }

  private visitCall(nameIndex: number): void {
    const { tokens } = this.structure;
    let first = nameIndex;
    while (first >= 2 && tokens[first - 1].text === '.' && tokens[first - 2].kind === 'name') first -= 2;
    const previous = tokens[first - 1];
    if (previous?.kind === 'name' && (previous.text === 'def' || previous.text === 'class')) return;
    const callee = tokens[nameIndex].text;
    const open = nameIndex + 1;
    const known = callClass(callee);
    const loadsModel = callee === 'from_pretrained' && first < nameIndex;
    // Other calls matter only when they pass a dict assigned earlier (`quantization_config=qc`).
    if (!known && !loadsModel && this.dictAssignments.size === 0) return;
    const args = this.parseArguments(open);
    this.followDictReferences(callee, args);
    if (known) {
      this.addCallRecipe(first, open, known, args);
      return;
    }
    if (loadsModel) this.addLoadInBitsRecipe(first, nameIndex, open, args);
  }

  private parseArguments(open: number): Argument[] {
    const { tokens } = this.structure;
    const items = splitItems(this.structure, open);
    return items.map((item, index): Argument => {
      const head = tokens[item.from];
      if (head.kind === 'op' && (head.text === '**' || head.text === '*')) {
        return { splat: head.text, item, valueFrom: item.from + 1, index, items };
      }
      const equals = tokens[item.from + 1];
      if (head.kind === 'name' && equals?.kind === 'op' && equals.text === '=' && item.to > item.from + 1) {
        return { keyword: head.text, item, valueFrom: item.from + 2, index, items };
      }
      return { item, valueFrom: item.from, index, items };
    });
  }

  private addCallRecipe(first: number, open: number, known: CallClass, args: readonly Argument[]): void {
    const { tokens, text } = this.structure;
    const entries: WrittenEntry[] = [];
    const facts: Facts = { className: text.slice(tokens[first].start, tokens[open - 1].end), ...known.facts };
    let position = 0;
    for (const arg of args) {
      if (arg.splat) {
        facts[arg.splat === '**' ? 'kwargsSplat' : 'argsSplat'] = this.textOf(arg.valueFrom, arg.item.to);
        // After `*args` no position is known any more.
        if (arg.splat === '*') position = Number.POSITIVE_INFINITY;
        continue;
      }
      const raw = arg.keyword ?? known.positional[position++];
      if (raw === undefined) continue;
      entries.push(this.argumentEntry(raw, arg));
    }
    const foreign = known.foreignKeywords;
    if (foreign && args.some((arg) => arg.keyword !== undefined && foreign.keywords.includes(arg.keyword))) {
      // Same class name, other library (e.g. neural-compressor's GPTQConfig): its defaults are not ours.
      dropDefaults(facts);
      facts.library = foreign.library;
    }
    // With **kwargs / *args an absent setting may be set there: unknown, not defaulted.
    if (facts.kwargsSplat !== undefined || facts.argsSplat !== undefined) dropDefaults(facts);
    const role = this.contextKey(first);
    if (role !== undefined) facts.role = role;
    const { settings, unknown } = mapEntries(
      foreign && facts.library === foreign.library ? { ...known.vocabulary, closed: false } : known.vocabulary,
      entries,
    );
    this.recipes.push({
      dialect: known.dialect,
      span: this.callSpan(first, open),
      settings,
      unknown,
      facts,
      style: this.callStyle(open, args),
    });
  }

  /** `OVModelForCausalLM.from_pretrained(model_id, load_in_4bit=True)`: optimum's default 4-bit config. */
  private addLoadInBitsRecipe(first: number, nameIndex: number, open: number, args: readonly Argument[]): void {
    const loadArgs = args.filter((arg) => arg.keyword === 'load_in_4bit' || arg.keyword === 'load_in_8bit');
    if (loadArgs.length === 0) return;
    const { tokens } = this.structure;
    const receiver = tokens[nameIndex - 2].text;
    const optimumIntel = isOptimumIntelModelClass(receiver);
    const settings: RecipeSetting[] = [];
    const modelArg = args.find(
      (arg) => arg.keyword === 'model_id' || arg.keyword === 'pretrained_model_name_or_path' || !arg.keyword,
    );
    if (modelArg && !modelArg.splat) {
      const entry = this.argumentEntry('model_id', modelArg);
      settings.push({ key: 'model', ...entry, raw: modelArg.keyword ?? 'model_id' });
    }
    const mapped = mapEntries(
      BITSANDBYTES,
      loadArgs.map((arg) => this.argumentEntry(arg.keyword as string, arg)),
    );
    settings.push(...mapped.settings);
    const facts: Facts = { className: receiver, loadInBits: true };
    if (optimumIntel) Object.assign(facts, optimumLoadDefaults(settings));
    this.recipes.push({
      dialect: optimumIntel ? 'ov-weight-config' : 'hf-bitsandbytes',
      span: this.callSpan(first, open),
      settings,
      unknown: [],
      facts,
      style: this.callStyle(open, args),
    });
  }

  /** `quantization_config=cfg`, `compress_weights(m, **cfg)`: the dict assigned to `cfg` is a config. */
  private followDictReferences(callee: string, args: readonly Argument[]): void {
    const { tokens } = this.structure;
    for (const arg of args) {
      if (arg.item.to - arg.valueFrom !== 1 || tokens[arg.valueFrom].kind !== 'name') continue;
      let context: string | undefined;
      if (arg.keyword !== undefined && CONFIG_DICT_CONTEXTS.has(arg.keyword)) context = arg.keyword;
      else if (arg.splat === '**' && callee === 'compress_weights') context = 'compress_config';
      else if (arg.splat === '**' && callee === 'OVWeightQuantizationConfig') context = 'weight_quantization_config';
      else if (arg.splat === '**' && callee === 'OVQuantizationConfig') context = 'full_quantization_config';
      if (context === undefined) continue;
      const open = this.assignmentBefore(tokens[arg.valueFrom].text, arg.valueFrom);
      if (open !== undefined) this.addDictRecipe(open, context);
    }
  }

  private assignmentBefore(name: string, index: number): number | undefined {
    const list = this.dictAssignments.get(name);
    if (!list) return undefined;
    const before = list.filter((open) => open < index);
    return before.length > 0 ? before[before.length - 1] : list[0];
  }

  private visitDictLiteral(open: number): void {
    const context = this.contextKey(open) ?? this.assignedName(open);
    if (context !== undefined && CONFIG_DICT_CONTEXTS.has(context)) {
      this.addDictRecipe(open, context);
      return;
    }
    // A dict with an nncf `mode` is a compress_weights config wherever it is (passed later as **kwargs).
    const entries = this.dictEntries(open);
    const mode = entries?.entries.find((entry) => entry.raw === 'mode');
    if (mode && typeof mode.value === 'string' && NNCF_MODE_TEXT.test(mode.value)) {
      this.addDictRecipe(open, 'compress_config');
    }
  }

  private addDictRecipe(open: number, context: string): void {
    if (this.emittedDicts.has(open)) return;
    const dict = this.dictEntries(open);
    if (!dict || dict.entries.length === 0) return;
    this.emittedDicts.add(open);
    const kind = configKind(context, dict.entries);
    const { settings, unknown } = mapEntries(kind.vocabulary, dict.entries);
    const facts: Facts = { ...kind.facts, dictLiteral: true, role: context };
    if (dict.splat !== undefined) {
      facts.kwargsSplat = dict.splat;
      dropDefaults(facts);
    }
    const close = Math.min(this.structure.match[open], this.structure.tokens.length - 1);
    const last = dict.entries[dict.entries.length - 1];
    const style: CommandStyle = { shell: 'none', insertAt: last.span.end, separator: ', ' };
    this.recipes.push({
      dialect: kind.dialect,
      span: spanOf(this.structure, open, close + 1),
      settings,
      unknown,
      facts,
      style,
    });
  }

  /** The string-keyed entries of the dict literal at `open`, or undefined if it is a set or a comprehension. */
  private dictEntries(open: number): { entries: WrittenEntry[]; splat?: string } | undefined {
    const { tokens } = this.structure;
    const entries: WrittenEntry[] = [];
    let splat: string | undefined;
    const items = splitItems(this.structure, open);
    for (const [index, item] of items.entries()) {
      if (tokens[item.from].text === '**') {
        splat = this.textOf(item.from + 1, item.to);
        continue;
      }
      const colon = item.from + 1;
      if (colon >= item.to || tokens[colon].kind !== 'op' || tokens[colon].text !== ':') {
        if (entries.length === 0 && splat === undefined) return undefined;
        continue;
      }
      const key = tokens[item.from];
      if (key.kind !== 'string' || key.interpolated) continue;
      if (tokens.slice(colon + 1, item.to).some((token) => token.kind === 'name' && token.text === 'for')) {
        return undefined;
      }
      entries.push({
        ...this.entry(key.value as string, item.from, colon + 1, item.to),
        keySpan: spanOf(this.structure, item.from, item.from + 1),
        removeSpan: removalSpan(this.structure, items, index),
      });
    }
    return { entries, ...(splat !== undefined ? { splat } : {}) };
  }

  private argumentEntry(raw: string, arg: Argument): WrittenEntry {
    const entry = this.entry(raw, arg.item.from, arg.valueFrom, arg.item.to);
    const removeSpan = removalSpan(this.structure, arg.items, arg.index);
    if (arg.keyword === undefined) return { ...entry, removeSpan };
    return { ...entry, keySpan: spanOf(this.structure, arg.item.from, arg.item.from + 1), removeSpan };
  }

  private entry(raw: string, from: number, valueFrom: number, to: number): WrittenEntry {
    return {
      raw,
      value: evaluate(this.structure, valueFrom, to),
      span: spanOf(this.structure, from, to),
      valueSpan: spanOf(this.structure, valueFrom, to),
    };
  }

  private textOf(from: number, to: number): string {
    const span = spanOf(this.structure, from, to);
    return this.structure.text.slice(span.start, span.end);
  }

  private callSpan(first: number, open: number): Span {
    const { tokens, match } = this.structure;
    const close = Math.min(match[open], tokens.length - 1);
    return spanOf(this.structure, first, close + 1);
  }

  /** Where a new keyword argument goes: after the last argument, or right after `(` in an empty call. */
  private callStyle(open: number, args: readonly Argument[]): CommandStyle {
    const { tokens } = this.structure;
    if (args.length === 0) return { shell: 'none', insertAt: tokens[open].end, separator: '' };
    const last = args[args.length - 1];
    return { shell: 'none', insertAt: tokens[last.item.to - 1].end, separator: ', ' };
  }
}

/**
 * What `OV*.from_pretrained(model, load_in_4bit=True)` applies (docs/ARCHITECTURE.md, optimum-default-4bit-configs.json):
 * the per-model entry when the literal model id (or a local folder's name) is listed, else the generic
 * default (asymmetric, group 128, ratio 1.0). An unknown model id gives no defaults: never a guess.
 */
function optimumLoadDefaults(settings: readonly RecipeSetting[]): Facts {
  const facts: Facts = { optimumDefault4bitTable: true };
  const bits = settings.find((item) => item.key === 'bits')?.value;
  if (bits === 8) return { ...facts, defaultSym: false, defaultGroupSize: -1, defaultRatio: 1 };
  const model = settings.find((item) => item.key === 'model')?.value;
  if (bits !== 4 || typeof model !== 'string') return facts;
  const listed = perModelDefault(model);
  const config = listed?.config ?? GENERIC_4BIT_DEFAULT;
  return {
    ...facts,
    defaultsFrom: listed ? `optimum per-model 4-bit default for ${listed.id}` : 'optimum generic 4-bit default',
    defaultSym: config.sym,
    defaultGroupSize: config.groupSize,
    defaultRatio: config.ratio,
    defaultAwq: config.awq,
    defaultScaleEstimation: config.scaleEstimation,
  };
}

function dropDefaults(facts: Facts): void {
  for (const key of Object.keys(facts)) if (key.startsWith('default')) delete facts[key];
}
