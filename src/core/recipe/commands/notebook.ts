/**
 * Reads the cells of an .ipynb file with the exact position of every source string, and decodes each
 * cell's text with a map back into the JSON (escape-aware), so fixes edit the right characters.
 */
import { printParseErrorCode, visit } from 'jsonc-parser';
import { MappedTextBuilder, type MappedText } from './mapped';

export interface NotebookCell {
  readonly cellType: string;
  readonly mapped: MappedText;
}

interface OpenObject {
  cellType?: string;
  sources: { offset: number; length: number }[];
}

const JSON_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '"': '"',
  '\\': '\\',
  '/': '/',
};

function decodeJsonStringInto(text: string, offset: number, length: number, out: MappedTextBuilder): void {
  const end = offset + length - 1; // before the closing quote
  let i = offset + 1;
  while (i < end) {
    let plainEnd = i;
    while (plainEnd < end && text.charCodeAt(plainEnd) !== 92) plainEnd++;
    if (plainEnd > i) {
      out.pushVerbatim(text, i, plainEnd);
      i = plainEnd;
      continue;
    }
    const next = text[i + 1] ?? '';
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      out.push(String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)), i, i + 6);
      i += 6;
      continue;
    }
    out.push(JSON_ESCAPES[next] ?? next, i, i + 2);
    i += 2;
  }
}

export function extractNotebookCells(text: string): { cells: NotebookCell[]; problem?: string } {
  const cells: NotebookCell[] = [];
  const stack: OpenObject[] = [];
  let property: string | null = null;
  let inSourceArray: OpenObject | null = null;
  let problem: string | undefined;
  visit(
    text,
    {
      onObjectBegin: () => {
        stack.push({ sources: [] });
        property = null;
      },
      onObjectEnd: () => {
        const object = stack.pop();
        if (object && object.sources.length && object.cellType) {
          const builder = new MappedTextBuilder();
          for (const source of object.sources) decodeJsonStringInto(text, source.offset, source.length, builder);
          cells.push({ cellType: object.cellType, mapped: builder.build(object.sources[0].offset + 1) });
        }
      },
      onObjectProperty: (name) => {
        property = name;
      },
      onArrayBegin: () => {
        if (property === 'source' && stack.length) inSourceArray = stack[stack.length - 1]!;
        property = null;
      },
      onArrayEnd: () => {
        inSourceArray = null;
      },
      onLiteralValue: (value: unknown, offset: number, length: number) => {
        const top = stack[stack.length - 1];
        if (inSourceArray && typeof value === 'string') inSourceArray.sources.push({ offset, length });
        else if (top && property === 'source' && typeof value === 'string') top.sources.push({ offset, length });
        else if (top && property === 'cell_type' && typeof value === 'string') top.cellType = value;
        property = null;
      },
      onError: (error, offset) => {
        problem ??= `not a valid notebook: ${printParseErrorCode(error)} at offset ${offset}`;
      },
    },
    { disallowComments: false, allowTrailingComma: true },
  );
  return problem ? { cells, problem } : { cells };
}
