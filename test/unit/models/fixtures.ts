/**
 * Fixture model files built in code: small ONNX graphs (fp32, fp16, MatMulNBits int4 sym/asym, QDQ int4) with
 * onnx-proto, an OpenVINO IR .xml with NNCF rt_info and a dummy .bin, a GGUF header, a safetensors header, and
 * the Hugging Face hub-cache layout. Shared by the unit tests, test/fixtures/generate/models.ts and bench/inspect.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';

export type OnnxKind = 'fp32' | 'fp16' | 'int4-sym' | 'int4-asym' | 'qdq-int4' | 'qdq-int4-asym';

export interface OnnxFixtureOptions {
  kind: OnnxKind;
  layers?: number;
  K?: number;
  N?: number;
  blockSize?: number;
  accuracyLevel?: number;
  /** Add optimum-style past_key_values.N.key/value inputs (an LLM). */
  kv?: boolean;
  /** Put every weight in this external data file (ONNX data_location = EXTERNAL). */
  externalDataFile?: string;
}

export interface OnnxFixture {
  model: Uint8Array;
  externalData?: Uint8Array;
}

const FLOAT = 1;
const UINT8 = 2;
const FLOAT16 = 10;
const INT4 = 22;
const UINT4 = 21;

function intAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

/** Builds the model; tensors carry zero bytes of the right length (their content never matters here). */
export function buildOnnx(options: OnnxFixtureOptions): OnnxFixture {
  const { kind, layers = 2, K = 64, N = 64, blockSize = 32, accuracyLevel = 4, kv = true } = options;
  const initializers: onnx.ITensorProto[] = [];
  const nodes: onnx.INodeProto[] = [];
  const external: Uint8Array[] = [];
  let externalOffset = 0;
  const tensor = (name: string, dataType: number, dims: number[], byteLength: number): void => {
    const proto: onnx.ITensorProto = { name, dataType, dims };
    if (options.externalDataFile) {
      proto.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      proto.externalData = [
        { key: 'location', value: options.externalDataFile },
        { key: 'offset', value: String(externalOffset) },
        { key: 'length', value: String(byteLength) },
      ];
      external.push(new Uint8Array(byteLength));
      externalOffset += byteLength;
    } else proto.rawData = new Uint8Array(byteLength);
    initializers.push(proto);
  };
  const blocks = Math.ceil(K / blockSize);
  tensor('embed_tokens.weight', kind === 'fp16' ? FLOAT16 : FLOAT, [128, K], 128 * K * (kind === 'fp16' ? 2 : 4));
  nodes.push({ opType: 'Gather', input: ['embed_tokens.weight', 'input_ids'], output: ['h0'], name: 'embed' });
  let current = 'h0';
  for (let layer = 0; layer < layers; layer++) {
    const out = `h${layer + 1}`;
    const w = `layers.${layer}.mlp.weight`;
    if (kind === 'fp32' || kind === 'fp16') {
      tensor(w, kind === 'fp16' ? FLOAT16 : FLOAT, [K, N], K * N * (kind === 'fp16' ? 2 : 4));
      nodes.push({ opType: 'MatMul', input: [current, w], output: [out], name: `matmul_${layer}` });
    } else if (kind === 'int4-sym' || kind === 'int4-asym') {
      tensor(`${w}_Q4`, UINT8, [N, blocks, blockSize / 2], N * blocks * (blockSize / 2));
      tensor(`${w}_scales`, FLOAT, [N, blocks], N * blocks * 4);
      const inputs = [current, `${w}_Q4`, `${w}_scales`];
      if (kind === 'int4-asym') {
        tensor(`${w}_zp`, UINT8, [N, Math.ceil(blocks / 2)], N * Math.ceil(blocks / 2));
        inputs.push(`${w}_zp`);
      }
      nodes.push({
        opType: 'MatMulNBits',
        domain: 'com.microsoft',
        input: inputs,
        output: [out],
        name: `matmul_${layer}_Q4`,
        attribute: [
          intAttr('K', K),
          intAttr('N', N),
          intAttr('bits', 4),
          intAttr('block_size', blockSize),
          intAttr('accuracy_level', accuracyLevel),
        ],
      });
    } else {
      const signed = kind === 'qdq-int4';
      tensor(`${w}_q`, signed ? INT4 : UINT4, [K, N], (K * N) / 2);
      tensor(`${w}_scale`, FLOAT, [blocks, N], blocks * N * 4);
      const inputs = [`${w}_q`, `${w}_scale`];
      if (!signed) {
        // A real zero point of 8 per block (packed uint4): asymmetric.
        tensor(`${w}_zp`, UINT4, [blocks, N], (blocks * N) / 2);
        inputs.push(`${w}_zp`);
      }
      nodes.push({
        opType: 'DequantizeLinear',
        input: inputs,
        output: [`${w}_dq`],
        name: `dq_${layer}`,
        attribute: [intAttr('axis', 0), intAttr('block_size', blockSize)],
      });
      nodes.push({ opType: 'MatMul', input: [current, `${w}_dq`], output: [out], name: `matmul_${layer}` });
    }
    current = out;
  }
  nodes.push({ opType: 'Identity', input: [current], output: ['logits'], name: 'logits' });

  const dim = (value: number | string): onnx.TensorShapeProto.IDimension =>
    typeof value === 'number' ? { dimValue: value } : { dimParam: value };
  const valueInfo = (name: string, elemType: number, shape: (number | string)[]): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map(dim) } } },
  });
  const inputs = [
    valueInfo('input_ids', 7, ['batch_size', 'sequence_length']),
    valueInfo('attention_mask', 7, ['batch_size', 'total_sequence_length']),
  ];
  const outputs = [valueInfo('logits', FLOAT, ['batch_size', 'sequence_length', 128])];
  if (kv) {
    for (let layer = 0; layer < layers; layer++) {
      for (const part of ['key', 'value']) {
        inputs.push(
          valueInfo(`past_key_values.${layer}.${part}`, FLOAT, ['batch_size', 4, 'past_sequence_length', 16]),
        );
        outputs.push(valueInfo(`present.${layer}.${part}`, FLOAT, ['batch_size', 4, 'total_sequence_length', 16]));
      }
    }
  }
  const qdq = kind.startsWith('qdq');
  const model = onnx.ModelProto.encode({
    irVersion: qdq ? 10 : 8,
    producerName: 'quant-drift-fixtures',
    opsetImport: [
      { domain: '', version: qdq ? 21 : 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: { name: 'fixture', node: nodes, initializer: initializers, input: inputs, output: outputs },
  }).finish();
  if (!options.externalDataFile) return { model };
  const data = new Uint8Array(externalOffset);
  let offset = 0;
  for (const part of external) {
    data.set(part, offset);
    offset += part.length;
  }
  return { model, externalData: data };
}

export interface IrFixtureOptions {
  /** NNCF rt_info mode (int4_sym, int4_asym, nf4, int8_asym); omit for an uncompressed IR without rt_info. */
  mode?: string;
  groupSize?: number;
  ratio?: number;
  backupMode?: string;
  /** Element type of the weight constants: u4 (asym), i4 (sym), nf4, u8, f16, f32. */
  weights: 'u4' | 'i4' | 'nf4' | 'u8' | 'f16' | 'f32';
  layers?: number;
  /** A stateful LLM (ReadValue/Assign for the KV cache), as optimum exports by default. */
  stateful?: boolean;
}

export function buildIrXml(options: IrFixtureOptions): string {
  const { layers = 2, stateful = true } = options;
  const group = options.groupSize && options.groupSize > 0 ? options.groupSize : 64;
  const N = 64;
  const K = 128;
  const lines = ['<?xml version="1.0"?>', '<net name="Model0" version="11">', '\t<layers>'];
  let id = 0;
  lines.push(
    `\t\t<layer id="${id++}" name="input_ids" type="Parameter" version="opset1">`,
    '\t\t\t<data shape="?,?" element_type="i64" />',
    '\t\t\t<output>',
    '\t\t\t\t<port id="0" precision="I64" names="input_ids" />',
    '\t\t\t</output>',
    '\t\t</layer>',
  );
  for (let layer = 0; layer < layers; layer++) {
    const compressed = ['u4', 'i4', 'nf4', 'u8'].includes(options.weights);
    const shape = compressed && options.weights !== 'u8' ? `${N},${K / group},${group}` : `${N},${K}`;
    lines.push(
      `\t\t<layer id="${id++}" name="self.layers.${layer}.mlp.weight" type="Const" version="opset1">`,
      `\t\t\t<data element_type="${options.weights}" shape="${shape}" offset="0" size="4096" />`,
      '\t\t\t<rt_info>',
      '\t\t\t\t<attribute name="fused_names" version="0" value="a&gt;b" />',
      '\t\t\t</rt_info>',
      '\t\t</layer>',
    );
    if (compressed) {
      const perGroup = options.weights === 'u8' ? `${N},1` : `${N},${K / group},1`;
      if (options.weights === 'u4' || options.weights === 'u8') {
        lines.push(
          `\t\t<layer id="${id++}" name="zp_${layer}" type="Const" version="opset1">`,
          `\t\t\t<data element_type="${options.weights}" shape="${perGroup}" offset="0" size="64" />`,
          '\t\t</layer>',
        );
      }
      lines.push(
        `\t\t<layer id="${id++}" name="scale_${layer}" type="Const" version="opset1">`,
        `\t\t\t<data element_type="f16" shape="${perGroup}" offset="0" size="64" />`,
        '\t\t</layer>',
      );
      lines.push(
        `\t\t<layer id="${id++}" name="convert_${layer}" type="Convert" version="opset1"><data destination_type="f16" /></layer>`,
      );
      lines.push(
        `\t\t<layer id="${id++}" name="multiply_${layer}" type="Multiply" version="opset1"><data auto_broadcast="numpy" /></layer>`,
      );
    }
    lines.push(
      `\t\t<layer id="${id++}" name="matmul_${layer}" type="MatMul" version="opset1"><data transpose_a="false" transpose_b="true" /></layer>`,
    );
  }
  if (stateful)
    lines.push(
      `\t\t<layer id="${id++}" name="past_key_values.0.key" type="ReadValue" version="opset6"><data variable_id="past_key_values.0.keypresent.0.key" /></layer>`,
    );
  lines.push(
    `\t\t<layer id="${id++}" name="logits" type="Result" version="opset1" />`,
    '\t</layers>',
    '\t<edges>',
    '\t\t<edge from-layer="0" from-port="0" to-layer="1" to-port="0" />',
    '\t</edges>',
    '\t<rt_info>',
  );
  if (options.mode) {
    lines.push(
      '\t\t<nncf>',
      '\t\t\t<weight_compression>',
      `\t\t\t\t<mode value="${options.mode}" />`,
      `\t\t\t\t<group_size value="${options.groupSize ?? 128}" />`,
      `\t\t\t\t<ratio value="${options.ratio ?? 1.0}" />`,
    );
    lines.push(
      `\t\t\t\t<backup_mode value="${options.backupMode ?? 'int8_asym'}" />`,
      '\t\t\t\t<all_layers value="False" />',
      '\t\t\t\t<awq value="False" />',
      '\t\t\t</weight_compression>',
      '\t\t\t<version value="3.2.0" />',
      '\t\t</nncf>',
    );
  }
  lines.push(
    '\t\t<optimum>',
    '\t\t\t<optimum_intel_version value="2.2.0" />',
    '\t\t</optimum>',
    '\t\t<Runtime_version value="2026.3.0" />',
    '\t</rt_info>',
    '</net>',
    '',
  );
  return lines.join('\n');
}

function ggufString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([length, bytes]);
}

/** A GGUF v3 header: metadata (architecture, name, file_type, a token array) and tensor infos, then 32 zero bytes. */
export function buildGguf(options: {
  fileType: number;
  architecture?: string;
  tensors?: number;
  tokens?: number;
}): Buffer {
  const { fileType, architecture = 'llama', tensors = 3, tokens = 300 } = options;
  const parts: Buffer[] = [];
  const u32 = (value: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    return b;
  };
  const u64 = (value: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    return b;
  };
  const kv: Buffer[] = [
    Buffer.concat([ggufString('general.architecture'), u32(8), ggufString(architecture)]),
    Buffer.concat([ggufString('general.name'), u32(8), ggufString('Fixture Llama')]),
    Buffer.concat([ggufString('general.file_type'), u32(4), u32(fileType)]),
    Buffer.concat([ggufString(`${architecture}.context_length`), u32(4), u32(2048)]),
    Buffer.concat([
      ggufString('tokenizer.ggml.tokens'),
      u32(9),
      u32(8),
      u64(tokens),
      ...Array.from({ length: tokens }, (_, i) => ggufString(`tok${i}`)),
    ]),
    Buffer.concat([ggufString('tokenizer.ggml.scores'), u32(9), u32(6), u64(tokens), Buffer.alloc(tokens * 4)]),
  ];
  parts.push(Buffer.from('GGUF'), u32(3), u64(tensors), u64(kv.length), ...kv);
  for (let index = 0; index < tensors; index++) {
    parts.push(ggufString(`blk.${index}.ffn_up.weight`), u32(2), u64(256), u64(64), u32(12), u64(index * 9216));
  }
  parts.push(Buffer.alloc(32));
  return Buffer.concat(parts);
}

/** A safetensors file: header JSON plus zero-filled tensor data. */
export function buildSafetensors(tensors: Record<string, { dtype: string; shape: number[] }>): Buffer {
  const sizes: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I8: 1, U8: 1, I64: 8 };
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, { dtype, shape }] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * (sizes[dtype] ?? 4);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(offset)]);
}

const TOKENIZER_FILES: Record<string, string> = {
  'tokenizer.json': '{"version":"1.0","model":{"type":"BPE","vocab":{},"merges":[]}}',
  'tokenizer_config.json': '{"bos_token":"<s>","eos_token":"</s>"}',
};

const LLAMA_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 64,
  num_hidden_layers: 2,
};

async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(dir, name), content);
}

/** One folder per fixture kind, as real exporters lay them out. Returns the folder paths by key. */
export async function writeModelFolders(root: string): Promise<Record<string, string>> {
  const folders: Record<string, string> = {};
  const config = JSON.stringify(LLAMA_CONFIG);
  const onnxFolder = async (
    key: string,
    kind: OnnxKind,
    extra: Record<string, string | Uint8Array> = {},
  ): Promise<void> => {
    const dir = path.join(root, key);
    await writeFiles(dir, {
      'model.onnx': buildOnnx({ kind }).model,
      'config.json': config,
      ...TOKENIZER_FILES,
      ...extra,
    });
    folders[key] = dir;
  };
  await onnxFolder('onnx-fp32', 'fp32');
  await onnxFolder('onnx-fp16', 'fp16');
  await onnxFolder('onnx-int4-sym', 'int4-sym');
  await onnxFolder('onnx-int4-asym', 'int4-asym');
  await onnxFolder('onnx-qdq-int4', 'qdq-int4');
  {
    const dir = path.join(root, 'genai-int4-external');
    const built = buildOnnx({ kind: 'int4-sym', externalDataFile: 'model.onnx.data' });
    const genai = {
      model: { type: 'llama', decoder: { filename: 'model.onnx', session_options: { provider_options: [] } } },
      search: { max_length: 256 },
    };
    await writeFiles(dir, {
      'model.onnx': built.model,
      'model.onnx.data': built.externalData!,
      'genai_config.json': JSON.stringify(genai),
      ...TOKENIZER_FILES,
    });
    folders['genai-int4-external'] = dir;
  }
  const irFolder = async (key: string, options: IrFixtureOptions, ovConfig?: unknown): Promise<void> => {
    const dir = path.join(root, key);
    const files: Record<string, string | Uint8Array> = {
      'openvino_model.xml': buildIrXml(options),
      'openvino_model.bin': new Uint8Array(1024),
      'config.json': config,
      'openvino_tokenizer.xml': '<?xml version="1.0"?><net name="tokenizer" version="11"><layers></layers></net>',
      'openvino_tokenizer.bin': new Uint8Array(8),
      'openvino_detokenizer.xml': '<?xml version="1.0"?><net name="detokenizer" version="11"><layers></layers></net>',
      'openvino_detokenizer.bin': new Uint8Array(8),
      ...TOKENIZER_FILES,
    };
    if (ovConfig) files['openvino_config.json'] = JSON.stringify(ovConfig);
    await writeFiles(dir, files);
    folders[key] = dir;
  };
  await irFolder(
    'ov-int4-sym-cw',
    { mode: 'int4_sym', groupSize: -1, weights: 'i4' },
    { quantization_config: { bits: 4, sym: true, group_size: -1, ratio: 1.0 } },
  );
  await irFolder(
    'ov-int4-asym',
    { mode: 'int4_asym', groupSize: 128, weights: 'u4' },
    { quantization_config: { bits: 4, sym: false, group_size: 128, ratio: 1.0 } },
  );
  await irFolder('ov-nf4', { mode: 'nf4', groupSize: -1, weights: 'nf4' });
  await irFolder('ov-int8', { mode: 'int8_asym', groupSize: -1, weights: 'u8' });
  await irFolder('ov-fp16', { weights: 'f16' });
  await irFolder('ov-int4-sym-ratio', { mode: 'int4_sym', groupSize: 128, ratio: 0.8, weights: 'i4' });
  {
    const dir = path.join(root, 'gguf-q4km');
    await writeFiles(dir, { 'fixture-Q4_K_M.gguf': buildGguf({ fileType: 15 }) });
    folders['gguf-q4km'] = dir;
  }
  {
    const dir = path.join(root, 'hf-fp16-safetensors');
    const tensors = {
      'model.embed_tokens.weight': { dtype: 'F16', shape: [128, 64] },
      'model.layers.0.mlp.up_proj.weight': { dtype: 'F16', shape: [256, 64] },
    };
    await writeFiles(dir, {
      'model.safetensors': buildSafetensors(tensors),
      'config.json': config,
      ...TOKENIZER_FILES,
    });
    folders['hf-fp16-safetensors'] = dir;
  }
  {
    const dir = path.join(root, 'hf-awq-safetensors');
    const tensors = {
      'model.layers.0.mlp.up_proj.qweight': { dtype: 'I32', shape: [64, 32] },
      'model.layers.0.mlp.up_proj.scales': { dtype: 'F16', shape: [1, 256] },
    };
    const awqConfig = {
      ...LLAMA_CONFIG,
      quantization_config: { quant_method: 'awq', bits: 4, group_size: 128, zero_point: true, version: 'gemm' },
    };
    await writeFiles(dir, {
      'model.safetensors': buildSafetensors(tensors),
      'config.json': JSON.stringify(awqConfig),
      ...TOKENIZER_FILES,
    });
    folders['hf-awq-safetensors'] = dir;
  }
  return folders;
}

/**
 * A hub-cache repo `models--org--name` whose snapshot files are relative symlinks into blobs/, with refs/main,
 * as huggingface_hub writes it.
 */
export async function writeHubCacheRepo(
  cacheDir: string,
  repo: string,
  revision: string,
  files: Record<string, string | Uint8Array>,
): Promise<string> {
  const repoDir = path.join(cacheDir, `models--${repo.replace('/', '--')}`);
  const snapshot = path.join(repoDir, 'snapshots', revision);
  await fs.mkdir(path.join(repoDir, 'blobs'), { recursive: true });
  await fs.mkdir(path.join(repoDir, 'refs'), { recursive: true });
  await fs.mkdir(snapshot, { recursive: true });
  await fs.writeFile(path.join(repoDir, 'refs', 'main'), revision);
  const { createHash } = await import('node:crypto');
  for (const [name, content] of Object.entries(files)) {
    const blob = createHash('sha256').update(content).digest('hex');
    await fs.writeFile(path.join(repoDir, 'blobs', blob), content);
    await fs.symlink(path.join('..', '..', 'blobs', blob), path.join(snapshot, name));
  }
  return snapshot;
}
