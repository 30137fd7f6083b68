/**
 * Re-encodes a control-flow node (If, Loop, Scan) whose bodies hold MatMuls the quantizer replaces: the node,
 * its graph attributes and the bodies are written again with new length prefixes, the replaced MatMul nodes
 * swapped for their MatMulNBits form and every other field copied byte for byte. This is how the MatMuls of an
 * optimum merged decoder (`decoder_model_merged.onnx`: one `If` whose branches read the weights from the top
 * graph's initializers; huggingface/optimum-onnx optimum/onnx/graph_transformations.py, merge_decoders) are
 * quantized. The bodies' own initializers are copied as they are; a node too large to hold in memory is refused.
 */
import { MessageReader, WireType, type ByteSource } from '../onnx/wire';
import { fields, subgraphNodes, type NodeEntry, type Span } from './model-index';
import { concatBytes, lenField } from './proto-encode';

/** optimum keeps only scalars and 1-D ints inside the branches; a body this large is not that layout. */
export const MAX_CONTROL_FLOW_NODE_BYTES = 256 * 1024 * 1024;

/** The MatMulNBits field replacing `node` (seen with `hidden` names in scope), or null to keep it. */
export type NodeReplacement = (node: NodeEntry, hidden: ReadonlySet<string>) => Uint8Array | null;

/** True when some node inside `node`'s bodies is replaced. */
export function bodiesChange(node: NodeEntry, replace: NodeReplacement): boolean {
  for (const { node: child, hidden } of subgraphNodes(node)) if (replace(child, hidden)) return true;
  return false;
}

/** The whole `node` field (tag 1, length, message) with its bodies' replacements applied. */
export async function rewriteControlFlowNode(
  source: ByteSource,
  node: NodeEntry,
  replace: NodeReplacement,
): Promise<Uint8Array> {
  if (node.span.length > MAX_CONTROL_FLOW_NODE_BYTES) {
    throw new Error(
      `the ${node.opType} node ${node.name} is ${node.span.length} bytes with its bodies; quantizing inside bodies this large is not supported`,
    );
  }
  return rewriteNode(source, node, new Set(), replace);
}

async function verbatim(source: ByteSource, span: Span): Promise<Uint8Array> {
  return (await source.read(span.offset, span.length)).slice();
}

/** The node message's field header: the node span starts with its own tag and length. */
async function nodeMessage(source: ByteSource, node: NodeEntry): Promise<MessageReader> {
  const outer = new MessageReader(source, node.span.offset, node.span.offset + node.span.length);
  const header = await outer.next();
  if (!header || header.wireType !== WireType.LengthDelimited)
    throw new Error(`internal: ${node.name} is not a node field`);
  return outer.sub(header);
}

async function rewriteNode(
  source: ByteSource,
  node: NodeEntry,
  hidden: ReadonlySet<string>,
  replace: NodeReplacement,
): Promise<Uint8Array> {
  const replacement = replace(node, hidden);
  if (replacement) return replacement;
  if (!bodiesChange(node, replace)) return verbatim(source, node.span);
  const reader = await nodeMessage(source, node);
  const parts: Uint8Array[] = [];
  let body = 0;
  await fields(reader, async (header, span) => {
    if (header.field !== 5 || header.wireType !== WireType.LengthDelimited) {
      parts.push(await verbatim(source, span));
      return;
    }
    const attribute = reader.sub(header);
    const attributeParts: Uint8Array[] = [];
    await fields(attribute, async (inner, innerSpan) => {
      if ((inner.field === 6 || inner.field === 11) && inner.wireType === WireType.LengthDelimited) {
        const subgraph = node.subgraphs[body++];
        if (!subgraph) throw new Error(`internal: ${node.name} has more bodies than indexed`);
        const scope = new Set([...hidden, ...subgraph.localNames]);
        const byOffset = new Map(subgraph.nodes.map((child) => [child.span.offset, child]));
        const graph = attribute.sub(inner);
        const graphParts: Uint8Array[] = [];
        await fields(graph, async (field, fieldSpan) => {
          const child = field.field === 1 ? byOffset.get(fieldSpan.offset) : undefined;
          graphParts.push(child ? await rewriteNode(source, child, scope, replace) : await verbatim(source, fieldSpan));
        });
        attributeParts.push(lenField(inner.field, concatBytes(graphParts)));
      } else {
        attributeParts.push(await verbatim(source, innerSpan));
      }
    });
    parts.push(lenField(5, concatBytes(attributeParts)));
  });
  return lenField(1, concatBytes(parts));
}
