/**
 * Layouts the runner refuses up front, derived from the builder's decoder (llama.ts) the way each toolchain
 * writes them, so the refusal is tested on the real shape of the header:
 *   - EPContext: a compiled model keeps the graph's inputs/outputs and replaces the nodes with one com.microsoft
 *     EPContext node holding the compiled blob (embed_mode=1), with `source` naming the EP (onnxruntime's
 *     EPContext contrib op spec; QNN and OpenVINO EPs write it);
 *   - static shapes: input_ids and the KV cache with fixed sequence dims, as QNN exports need;
 *   - bf16: KV cache and logits in bfloat16 (Casts at the boundaries keep the graph valid);
 *   - quantized KV cache: uint8 past/present with DequantizeLinear/QuantizeLinear at the boundaries;
 *   - exclude_embeds: `inputs_embeds` [batch, seq, hidden] in place of input_ids (the GenAI builder's
 *     exclude_embeds option: microsoft/onnxruntime-genai src/python/py/models/README.md, "Exclude Embedding Layer");
 *   - GenAI decoder-pipeline: genai_config.json with model.type "decoder-pipeline" and a pipeline of ONNX files
 *     (microsoft/onnxruntime-genai test/models/pipeline-model/genai_config.json).
 */
import { onnx } from 'onnx-proto';
import { decodeModel, encode, graphOf, node, rewireInputs, tensorType, valueInfo, type Model } from './graph-edit';

const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

const isKv = (name: string | null | undefined): boolean =>
  !!name && (name.startsWith('past_key_values.') || name.startsWith('present.'));

/** The compiled form: same IO, one EPContext node, no initializers. */
export function epContextModel(bytes: Uint8Array, source: string): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  graph.node = [
    {
      opType: 'EPContext',
      domain: 'com.microsoft',
      name: 'EPContext_0',
      input: graph.input!.map((i) => i.name!),
      output: graph.output!.map((o) => o.name!),
      attribute: [
        { name: 'embed_mode', type: AttributeType.INT, i: 1 },
        { name: 'main_context', type: AttributeType.INT, i: 1 },
        { name: 'source', type: AttributeType.STRING, s: new TextEncoder().encode(source) },
        { name: 'ep_cache_context', type: AttributeType.STRING, s: new TextEncoder().encode('compiled-context-blob') },
      ],
    },
  ];
  graph.initializer = [];
  model.opsetImport.push({ domain: 'com.microsoft', version: 1 });
  return encode(model);
}

/** input_ids/attention_mask/position_ids fixed at `sequence`, the KV cache at `cache` positions. */
export function staticShapeModel(bytes: Uint8Array, sequence: number, cache: number): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  for (const info of [...graph.input!, ...graph.output!]) {
    const dims = tensorType(info).shape!.dim!;
    dims[0] = { dimValue: 1 };
    if (info.name === 'input_ids' || info.name === 'position_ids') dims[1] = { dimValue: sequence };
    else if (info.name === 'attention_mask') dims[1] = { dimValue: sequence + cache };
    else if (info.name!.startsWith('past_key_values.')) dims[2] = { dimValue: cache };
    else if (info.name!.startsWith('present.')) dims[2] = { dimValue: sequence + cache };
    else if (info.name === 'logits') dims[1] = { dimValue: sequence };
  }
  return encode(model);
}

/**
 * Every KV input/output and the logits stored as `storedType`: inputs go through `decode` to float, outputs
 * through `encodeNode` from float.
 */
function retypeBoundary(
  model: Model,
  storedType: number,
  decodeNodes: (stored: string, float: string, name: string) => onnx.INodeProto[],
  encodeNodes: (float: string, stored: string, name: string) => onnx.INodeProto[],
  includeLogits: boolean,
): void {
  const graph = graphOf(model);
  const added: onnx.INodeProto[] = [];
  for (const input of graph.input!) {
    if (!isKv(input.name)) continue;
    const float = `${input.name}/float`;
    rewireInputs(model, input.name!, float);
    added.push(...decodeNodes(input.name!, float, `/boundary/${input.name}`));
    tensorType(input).elemType = storedType;
  }
  for (const output of graph.output!) {
    if (!isKv(output.name) && !(includeLogits && output.name === 'logits')) continue;
    const float = `${output.name}/float`;
    for (const n of graph.node!) n.output = n.output!.map((o) => (o === output.name ? float : o));
    rewireInputs(model, output.name!, float);
    added.push(...encodeNodes(float, output.name!, `/boundary/${output.name}`));
    tensorType(output).elemType = storedType;
  }
  graph.node!.push(...added);
}

const cast = (from: string, to: string, name: string, type: number): onnx.INodeProto =>
  node('Cast', [from], [to], name, [{ name: 'to', type: AttributeType.INT, i: type }]);

/** fp32 builder model -> bf16 KV cache and logits. */
export function bf16IoModel(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  retypeBoundary(
    model,
    DataType.BFLOAT16,
    (stored, float, name) => [cast(stored, float, `${name}/Cast`, DataType.FLOAT)],
    (float, stored, name) => [cast(float, stored, `${name}/Cast`, DataType.BFLOAT16)],
    true,
  );
  return encode(model);
}

/** fp32 builder model -> uint8 KV cache (scale 1/16, zero point 128). */
export function quantizedKvModel(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  graph.initializer!.push(
    {
      name: '/kv_quant/scale',
      dataType: DataType.FLOAT,
      dims: [],
      rawData: new Uint8Array(Float32Array.of(1 / 16).buffer),
    },
    { name: '/kv_quant/zero_point', dataType: DataType.UINT8, dims: [], rawData: Uint8Array.of(128) },
  );
  retypeBoundary(
    model,
    DataType.UINT8,
    (stored, float, name) => [
      node('DequantizeLinear', [stored, '/kv_quant/scale', '/kv_quant/zero_point'], [float], `${name}/Dequantize`),
    ],
    (float, stored, name) => [
      node('QuantizeLinear', [float, '/kv_quant/scale', '/kv_quant/zero_point'], [stored], `${name}/Quantize`),
    ],
    false,
  );
  return encode(model);
}

/** input_ids replaced by inputs_embeds: the embedding Gather goes away, shapes are read from the embeddings. */
export function inputsEmbedsModel(bytes: Uint8Array, hiddenSize: number): Uint8Array {
  const model = decodeModel(bytes);
  const graph = graphOf(model);
  const gather = graph.node!.find((n) => n.name === '/model/embed_tokens/Gather')!;
  const embedded = gather.output![0];
  graph.node = graph.node!.filter((n) => n !== gather);
  rewireInputs(model, embedded, 'inputs_embeds');
  rewireInputs(model, 'input_ids', 'inputs_embeds');
  graph.initializer = graph.initializer!.filter((t) => t.name !== 'model.embed_tokens.weight');
  graph.input = graph.input!.map((input) =>
    input.name === 'input_ids'
      ? valueInfo('inputs_embeds', DataType.FLOAT, ['batch_size', 'sequence_length', hiddenSize])
      : input,
  );
  return encode(model);
}

/** genai_config.json of a three-stage decoder pipeline over the given files. */
export function decoderPipelineConfig(files: { embeddings: string; transformer: string; head: string }): object {
  return {
    model: {
      type: 'decoder-pipeline',
      bos_token_id: 1,
      eos_token_id: 2,
      vocab_size: 300,
      context_length: 256,
      decoder: {
        head_size: 16,
        hidden_size: 64,
        num_attention_heads: 4,
        num_hidden_layers: 2,
        num_key_value_heads: 2,
        inputs: { input_ids: 'input_ids', attention_mask: 'attention_mask' },
        outputs: { logits: 'logits' },
        pipeline: [
          {
            embeddings: { filename: files.embeddings, inputs: ['input_ids'], outputs: ['embeds'] },
            transformer: {
              filename: files.transformer,
              inputs: ['embeds', 'attention_mask'],
              outputs: ['hidden_states'],
            },
            language_model_head: { filename: files.head, inputs: ['hidden_states'], outputs: ['logits'] },
          },
        ],
      },
    },
  };
}
