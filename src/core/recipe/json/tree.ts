/**
 * Thin helpers over jsonc-parser's positioned tree: parse without recursing too deep, read properties, turn
 * object properties into written entries with exact spans.
 */
import { createScanner, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { CommandStyle, SettingValue, Span } from '../types';
import type { WrittenEntry } from './vocabulary';

/** jsonc-parser recurses per nesting level; no quantization config nests anywhere near this deep. */
export const MAX_JSON_DEPTH = 200;

export interface ParsedJson {
  readonly root?: Node;
  readonly parseError?: { readonly message: string; readonly span: Span };
}

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };

/** Parse like VS Code's JSON-with-comments mode: comments and trailing commas are fine, anything else is an error. */
export function parseJson(text: string): ParsedJson {
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep !== undefined) {
    return {
      parseError: {
        message: `JSON nests deeper than ${MAX_JSON_DEPTH} levels; not a quantization config, skipped`,
        span: { start: tooDeep, end: tooDeep + 1 },
      },
    };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, PARSE_OPTIONS);
  if (errors.length === 0) return { root };
  const first = errors[0];
  const start = Math.min(first.offset, text.length);
  const end = Math.min(text.length, start + Math.max(first.length, 1));
  return { root, parseError: { message: `Invalid JSON: ${describeError(first)}`, span: { start, end } } };
}

function describeError(error: ParseError): string {
  // printParseErrorCode gives e.g. "CommaExpected"; spell it out as words.
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

// jsonc-parser's SyntaxKind is an ambient const enum (unusable with isolatedModules); its stable values:
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const EOF = 17;

/** Offset of the first bracket deeper than MAX_JSON_DEPTH, scanning iteratively. */
function findExcessiveNesting(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind: number = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
      depth++;
      if (depth > MAX_JSON_DEPTH) return scanner.getTokenOffset();
    } else if (kind === CLOSE_BRACE || kind === CLOSE_BRACKET) {
      if (depth > 0) depth--;
    }
  }
  return undefined;
}

export function spanOfNode(node: Node): Span {
  return { start: node.offset, end: node.offset + node.length };
}

/** Value node of property `key` of an object node. */
export function property(node: Node | undefined, key: string): Node | undefined {
  if (!node || node.type !== 'object' || !node.children) return undefined;
  for (const prop of node.children) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (keyNode?.value === key) return valueNode;
  }
  return undefined;
}

export function objectProperty(node: Node | undefined, key: string): Node | undefined {
  const value = property(node, key);
  return value?.type === 'object' ? value : undefined;
}

export function stringProperty(node: Node | undefined, key: string): string | undefined {
  const value = property(node, key);
  return value?.type === 'string' ? (value.value as string) : undefined;
}

/** Scalar values as written; arrays and objects are present but not a single value. */
export function scalarValue(node: Node, text: string): SettingValue {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'boolean':
      return node.value as string | number | boolean;
    case 'null':
      return null;
    default: {
      const source = text.slice(node.offset, node.offset + node.length);
      return { kind: 'unknown', text: source.length > 120 ? `${source.slice(0, 117)}...` : source };
    }
  }
}

/** Every property of an object with its key, value and spans. */
export function entriesOf(node: Node, text: string): WrittenEntry[] {
  const entries: WrittenEntry[] = [];
  const props = node.children ?? [];
  for (const [index, prop] of props.entries()) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (!keyNode || typeof keyNode.value !== 'string') continue;
    const valueSpan = valueNode
      ? spanOfNode(valueNode)
      : { start: prop.offset + prop.length, end: prop.offset + prop.length };
    entries.push({
      raw: keyNode.value,
      value: valueNode ? scalarValue(valueNode, text) : { kind: 'unknown', text: '' },
      span: spanOfNode(prop),
      valueSpan,
      keySpan: spanOfNode(keyNode),
      removeSpan: removalSpan(props, index),
    });
  }
  return entries;
}

/** Where a new `"key": value` goes in this object, written the way its last property is. */
export function objectStyle(node: Node, text: string): CommandStyle {
  const props = node.children ?? [];
  if (props.length === 0) return { shell: 'none', insertAt: node.offset + 1, separator: '' };
  const last = props[props.length - 1];
  const lineStart = text.lastIndexOf('\n', last.offset - 1) + 1;
  const sameLineAsBrace = lineStart <= node.offset;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, last.offset))?.[0] ?? '';
  const newline = text.slice(0, lineStart).endsWith('\r\n') ? '\r\n' : '\n';
  return {
    shell: 'none',
    insertAt: last.offset + last.length,
    separator: sameLineAsBrace ? ', ' : `,${newline}${indent}`,
  };
}

/** What to delete to remove property `index` with one neighbouring comma (and the line break before it). */
function removalSpan(props: readonly Node[], index: number): Span {
  const prop = props[index];
  const next = props[index + 1];
  if (next) return { start: prop.offset, end: next.offset };
  const previous = props[index - 1];
  const end = prop.offset + prop.length;
  return previous ? { start: previous.offset + previous.length, end } : { start: prop.offset, end };
}
