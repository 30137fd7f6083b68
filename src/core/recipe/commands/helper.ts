/**
 * The OpenVINO notebooks' helper `optimum_cli(model_id, output_dir, additional_args={"weight-format": "int4"})`
 * (openvinotoolkit/openvino_notebooks `utils/cmd_helper.py`), read as the export command it runs.
 */
import type { RecipeSink } from './extract';
import { buildCommandRecipe } from './build';
import { offsetMapper } from './mapped';
import { regionAt, regionIndexAfter, type PyRegion } from './pylex';
import type { RawToken } from './shell';

const CALL = /\boptimum_cli\s*\(/g;

interface Arg {
  start: number;
  end: number;
}

/**
 * Splits `s[from..)` at top-level commas up to the bracket closing at depth 0, skipping strings and comments.
 * One binary search, then a cursor over the regions (a search per character made long calls slow).
 */
function splitArgs(s: string, from: number, regions: readonly PyRegion[]): { args: Arg[]; end: number } {
  const args: Arg[] = [];
  let depth = 0;
  let start = from;
  let i = from;
  let next = regionIndexAfter(regions, from);
  while (i < s.length) {
    const region = regions[next];
    if (region && region.start <= i) {
      i = Math.max(i, region.end);
      next++;
      continue;
    }
    const c = s.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) break;
      depth--;
    } else if (c === 44 && depth === 0) {
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

/**
 * The word an argument stands for: a plain string literal's content, else the expression as an unknown value.
 * `removal` is the range to delete with it (an additional_args entry). Built as one literal: object spreads in
 * this loop were a tenth of the time spent on a notebook full of helper calls.
 */
function valueToken(s: string, arg: Arg, regions: readonly PyRegion[], removal?: Arg): RawToken {
  const region = regionAt(regions, arg.start);
  const literal = region && region.kind === 'string' && region.end === arg.end && !/f/i.test(region.prefix);
  const valueStart = literal ? region.contentStart : arg.start;
  const valueEnd = literal ? region.contentEnd : arg.end;
  const text = s.slice(valueStart, valueEnd);
  const { start, end } = arg;
  if (!removal) return { text, start, end, valueStart, valueEnd, unknown: !literal };
  return {
    text,
    start,
    end,
    valueStart,
    valueEnd,
    unknown: !literal,
    removeStart: removal.start,
    removeEnd: removal.end,
  };
}

/** A word the helper call implies (`optimum_cli export openvino -m`), placed at `start` with `length` characters. */
function impliedToken(text: string, start: number, length = 0): RawToken {
  return { text, start, end: start + length, valueStart: start, valueEnd: start + length, unknown: false };
}

export function emitHelperCalls(text: string, regions: readonly PyRegion[], out: RecipeSink): void {
  if (!text.includes('optimum_cli(') && !/optimum_cli\s+\(/.test(text)) return;
  for (const match of text.matchAll(CALL)) {
    if (regionAt(regions, match.index)) continue;
    const open = match.index + match[0].length;
    const { args, end } = splitArgs(text, open, regions);
    const at = match.index;
    const tokens: RawToken[] = [
      impliedToken('optimum_cli', at, 'optimum_cli'.length),
      impliedToken('export', at),
      impliedToken('openvino', at),
    ];
    const positional = args.filter((arg) => !/^[A-Za-z_]\w*\s*=/.test(text.slice(arg.start, arg.end)));
    if (positional[0]) tokens.push(impliedToken('-m', positional[0].start), valueToken(text, positional[0], regions));
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
          tokens.push(valueToken(text, value, regions, { start: value.start, end: entry.end }));
      }
    }
    const recipe = buildCommandRecipe({
      tokens,
      mapper: offsetMapper(0),
      source: text,
      kind: 'argv',
      shell: 'none',
      helperCall: { start: at, end: Math.min(text.length, end + 1) },
    });
    if (recipe) out.push(recipe);
  }
}
