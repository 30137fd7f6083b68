/**
 * The OpenVINO notebooks' helper `optimum_cli(model_id, output_dir, additional_args={"weight-format": "int4"})`
 * (openvinotoolkit/openvino_notebooks `utils/cmd_helper.py`), read as the export command it runs.
 */
import type { Recipe } from '../types';
import { buildCommandRecipe } from './build';
import { offsetMapper } from './mapped';
import { regionAt, type PyRegion } from './pylex';
import type { RawToken } from './shell';

const CALL = /\boptimum_cli\s*\(/g;

interface Arg {
  start: number;
  end: number;
}

/** Splits `s[from..)` at top-level commas up to the bracket closing at depth 0. */
function splitArgs(s: string, from: number, regions: readonly PyRegion[]): { args: Arg[]; end: number } {
  const args: Arg[] = [];
  let depth = 0;
  let start = from;
  let i = from;
  while (i < s.length) {
    const region = regionAt(regions, i);
    if (region) {
      i = region.end;
      continue;
    }
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(trim(s, start, i));
      start = i + 1;
    }
    i++;
  }
  const last = trim(s, start, i);
  if (last.end > last.start) args.push(last);
  return { args, end: i };
}

function trim(s: string, start: number, end: number): Arg {
  while (start < end && /\s/.test(s[start])) start++;
  while (end > start && /\s/.test(s[end - 1])) end--;
  return { start, end };
}

function valueToken(s: string, arg: Arg, regions: readonly PyRegion[]): RawToken {
  const region = regionAt(regions, arg.start);
  if (region && region.kind === 'string' && region.end === arg.end && !/f/i.test(region.prefix)) {
    return {
      text: s.slice(region.contentStart, region.contentEnd),
      start: arg.start,
      end: arg.end,
      valueStart: region.contentStart,
      valueEnd: region.contentEnd,
      unknown: false,
    };
  }
  return {
    text: s.slice(arg.start, arg.end),
    start: arg.start,
    end: arg.end,
    valueStart: arg.start,
    valueEnd: arg.end,
    unknown: true,
  };
}

export function emitHelperCalls(text: string, regions: readonly PyRegion[], out: { push(recipe: Recipe): void }): void {
  if (!text.includes('optimum_cli(') && !/optimum_cli\s+\(/.test(text)) return;
  for (const match of text.matchAll(CALL)) {
    if (regionAt(regions, match.index)) continue;
    const open = match.index + match[0].length;
    const { args, end } = splitArgs(text, open, regions);
    const at = match.index;
    const fake = (word: string): RawToken => ({
      text: word,
      start: at,
      end: at,
      valueStart: at,
      valueEnd: at,
      unknown: false,
    });
    const tokens: RawToken[] = [
      { ...fake('optimum_cli'), end: at + 'optimum_cli'.length, valueEnd: at + 'optimum_cli'.length },
      fake('export'),
      fake('openvino'),
    ];
    const positional = args.filter((arg) => !/^[A-Za-z_]\w*\s*=/.test(text.slice(arg.start, arg.end)));
    if (positional[0])
      tokens.push(
        {
          ...fake('-m'),
          start: positional[0].start,
          end: positional[0].start,
          valueStart: positional[0].start,
          valueEnd: positional[0].start,
        },
        valueToken(text, positional[0], regions),
      );
    if (positional[1]) tokens.push(valueToken(text, positional[1], regions));
    const extra = args.find((arg) => /^additional_args\s*=\s*\{/.test(text.slice(arg.start, arg.end)));
    if (extra) {
      const brace = text.indexOf('{', extra.start);
      for (const entry of splitArgs(text, brace + 1, regions).args) {
        const colon = text.indexOf(':', regionAt(regions, entry.start)?.end ?? entry.start);
        const keyRegion = regionAt(regions, entry.start);
        if (!keyRegion || keyRegion.kind !== 'string' || colon < 0 || colon >= entry.end) continue;
        const key = text.slice(keyRegion.contentStart, keyRegion.contentEnd);
        const flagToken: RawToken = {
          text: `--${key}`,
          start: entry.start,
          end: keyRegion.end,
          valueStart: keyRegion.contentStart,
          valueEnd: keyRegion.contentEnd,
          unknown: false,
          removeStart: entry.start,
          removeEnd: entry.end,
        };
        tokens.push(flagToken);
        const value = trim(text, colon + 1, entry.end);
        const valueText = text.slice(value.start, value.end);
        if (valueText !== 'None' && valueText !== 'True' && valueText !== '""' && valueText !== "''")
          tokens.push({ ...valueToken(text, value, regions), removeStart: value.start, removeEnd: entry.end });
      }
    }
    const recipe = buildCommandRecipe({ tokens, mapper: offsetMapper(0), source: text, kind: 'argv', shell: 'none' });
    if (recipe)
      out.push({
        ...recipe,
        span: { start: at, end: Math.min(text.length, end + 1) },
        facts: { ...recipe.facts, helper: true },
      });
  }
}
