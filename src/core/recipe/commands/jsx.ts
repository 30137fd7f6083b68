/**
 * The OpenVINO GenAI docs' MDX component `<OptimumCLI model='Qwen/Qwen3-8B' weightFormat='int4' ... />`
 * (openvinotoolkit/openvino.genai `site/src/components/OptimumCLI`, used across `site/docs/**.mdx`), read as the
 * `optimum-cli export openvino` command it renders: `--model`, `--weight-format`, `--task`, `--trust-remote-code`,
 * `--quant-mode`, `--dataset`, `--num-samples`, then the output folder. Props it does not render are ignored;
 * a prop written as a JSX expression (`{...}`) is an unknown value.
 */
import type { RecipeSink } from './extract';
import { buildCommandRecipe } from './build';
import { offsetMapper } from './mapped';
import type { RawToken } from './shell';

const TAG = /<OptimumCLI\b/g;
/** `name`, `name='v'`, `name="v"` or `name={...}` (no nested braces: the component's props are flat). */
const ATTRIBUTE = /\s*([A-Za-z_][\w-]*)(?:\s*=\s*(?:'([^'\n]*)'|"([^"\n]*)"|(\{[^{}\n]*\})))?/y;
const MAX_TAG = 2000;

/** The component's props and the flags they render (openvino.genai `OptimumCLI` `args.push(...)`). */
const FLAGS: Readonly<Record<string, string>> = {
  model: '--model',
  weightFormat: '--weight-format',
  task: '--task',
  trustRemoteCode: '--trust-remote-code',
  quantMode: '--quant-mode',
  dataset: '--dataset',
  numSamples: '--num-samples',
};
/** What the component renders for a prop that is not given. */
const PLACEHOLDERS: Readonly<Record<string, string>> = { model: '<model_id_or_path>', outputDir: '<output_dir>' };

function implied(text: string, at: number, length = 0): RawToken {
  return { text, start: at, end: at + length, valueStart: at, valueEnd: at + length, unknown: false };
}

interface Prop {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly value: RawToken | null;
}

/** The props of the tag opening at `at`, and where the tag ends; null when the tag does not close. */
function readProps(text: string, at: number): { props: Prop[]; end: number } | null {
  const props: Prop[] = [];
  let i = at + '<OptimumCLI'.length;
  const limit = Math.min(text.length, at + MAX_TAG);
  while (i < limit) {
    ATTRIBUTE.lastIndex = i;
    const match = ATTRIBUTE.exec(text);
    if (!match) break;
    const name = match[1];
    const start = match.index + match[0].indexOf(name);
    const raw = match[2] ?? match[3] ?? match[4];
    let value: RawToken | null = null;
    const matchEnd = match.index + match[0].length;
    if (raw !== undefined) {
      // A quoted value ends one character (the quote) before the match; a `{...}` value ends with it.
      const quoted = match[4] === undefined;
      const valueEnd = quoted ? matchEnd - 1 : matchEnd;
      const valueStart = valueEnd - raw.length;
      value = {
        text: raw,
        start: quoted ? valueStart - 1 : valueStart,
        end: quoted ? valueEnd + 1 : valueEnd,
        valueStart,
        valueEnd,
        unknown: !quoted || /[\s<>{}$]/.test(raw),
      };
    }
    props.push({ name, start, end: matchEnd, value });
    i = matchEnd;
  }
  const close = /^\s*\/?>/.exec(text.slice(i, i + 8));
  return close ? { props, end: i + close[0].length } : null;
}

export function emitJsxCommands(text: string, out: RecipeSink): void {
  if (!text.includes('<OptimumCLI')) return;
  for (const match of text.matchAll(TAG)) {
    const at = match.index;
    const read = readProps(text, at);
    if (!read) continue;
    const tokens: RawToken[] = [
      implied('optimum-cli', at, match[0].length),
      implied('export', at),
      implied('openvino', at),
    ];
    const given = new Map(read.props.map((prop) => [prop.name, prop]));
    for (const [name, flag] of Object.entries(FLAGS)) {
      const prop = given.get(name);
      if (!prop) {
        if (PLACEHOLDERS[name]) tokens.push(implied(flag, at), { ...implied(PLACEHOLDERS[name], at), unknown: true });
        continue;
      }
      if (prop.value?.text === 'false' || prop.value?.text === '{false}') continue;
      tokens.push(implied(flag, prop.start, prop.name.length));
      if (prop.value && flag !== '--trust-remote-code') tokens.push(prop.value);
    }
    const output = given.get('outputDir')?.value;
    tokens.push(output ?? { ...implied(PLACEHOLDERS.outputDir, at), unknown: true });
    const recipe = buildCommandRecipe({
      tokens,
      mapper: offsetMapper(0),
      source: text,
      kind: 'argv',
      shell: 'none',
      helperCall: { start: at, end: read.end },
    });
    if (recipe) out.push(recipe);
  }
}
