/**
 * The parsers the fuzz suite drives, each with valid seed inputs built by the fixture builders and a run
 * function that parses one (mutated) input the way the scan does, then derives what the scan derives from it
 * (precision, verdict inputs), so a TypeError anywhere downstream of a hostile file is caught too.
 */
import { GGUF_FILE_TYPES, ggufPrecision, inspectGguf } from '../../../src/core/models/gguf';
import { inspectIrChunks } from '../../../src/core/models/openvino';
import {
  hfQuantizationPrecision,
  irPrecision,
  onnxPrecision,
  openvinoConfigPrecision,
  safetensorsPrecision,
} from '../../../src/core/models/precision';
import { summariseHeader } from '../../../src/core/models/safetensors';
import { inspectOnnx, pastKeyValuesLayout } from '../../../src/core/onnx/inspect';
import { MemorySource } from '../../../src/core/onnx/wire';
import { buildGguf, buildIrXml, buildOnnx, buildSafetensors } from '../models/fixtures';

export interface FuzzTarget {
  readonly name: string;
  /** Valid inputs the mutations start from. */
  seeds(): Uint8Array[];
  /** Parses one input; resolves or throws like the scan would see it. */
  run(input: Uint8Array, random: () => number): Promise<unknown>;
}

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');

/** Splits text at random places, as a read stream's chunks would. */
function chunks(value: string, random: () => number): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < value.length) {
    const size = 1 + Math.floor(random() * 4096);
    out.push(value.slice(at, at + size));
    at += size;
  }
  return out;
}

export const TARGETS: readonly FuzzTarget[] = [
  {
    name: 'onnx',
    seeds: () => [
      buildOnnx({ kind: 'int4-sym' }).model,
      buildOnnx({ kind: 'int4-asym', layers: 1 }).model,
      buildOnnx({ kind: 'qdq-int4-asym', layers: 1 }).model,
      buildOnnx({ kind: 'fp16', layers: 1, externalDataFile: 'model.onnx_data' }).model,
    ],
    run: async (input) => {
      const summary = await inspectOnnx(new MemorySource(input));
      return [onnxPrecision(summary), pastKeyValuesLayout(summary.inputs)];
    },
  },
  {
    name: 'gguf',
    seeds: () => [buildGguf({ fileType: 15, tokens: 20 }), buildGguf({ fileType: 2, tensors: 1, tokens: 80 })],
    run: async (input) => {
      const summary = await inspectGguf(new MemorySource(input));
      return ggufPrecision(summary.fileType ?? GGUF_FILE_TYPES[0]!);
    },
  },
  {
    name: 'safetensors',
    seeds: () =>
      [
        buildSafetensors({
          'model.layers.0.mlp.qweight': { dtype: 'I32', shape: [4, 8] },
          w: { dtype: 'F16', shape: [2] },
        }),
        buildSafetensors({ a: { dtype: 'BF16', shape: [3, 3] } }),
      ].map((file) => file.subarray(8, 8 + Number(file.readBigUInt64LE(0)))),
    run: (input) => {
      const summary = summariseHeader(input);
      return Promise.resolve(
        safetensorsPrecision(summary, { quantization_config: { quant_method: 'gptq', bits: 4, group_size: 128 } }),
      );
    },
  },
  {
    name: 'openvino-xml',
    seeds: () => [
      text(buildIrXml({ mode: 'int4_sym', groupSize: 128, weights: 'i4' })),
      text(buildIrXml({ mode: 'int4_asym', groupSize: -1, weights: 'u4', layers: 1 })),
      text(buildIrXml({ weights: 'f16', layers: 1, stateful: false })),
    ],
    run: (input, random) =>
      Promise.resolve(irPrecision(inspectIrChunks(chunks(Buffer.from(input).toString('utf8'), random)))),
  },
  {
    name: 'configs',
    seeds: () => [
      text(
        JSON.stringify({
          architectures: ['LlamaForCausalLM'],
          quantization_config: { quant_method: 'awq', bits: 4, group_size: 128, zero_point: true },
        }),
      ),
      text(
        JSON.stringify({
          quantization_config: { bits: 4, sym: true, group_size: 128, ratio: 0.8, dataset: 'wikitext2' },
          dtype: 'int4',
        }),
      ),
      text(JSON.stringify({ compression: null, quantization_config: { weight_format: 'int8', bits: 8 } })),
    ],
    run: (input) => {
      let config: unknown;
      try {
        config = JSON.parse(Buffer.from(input).toString('utf8'));
      } catch {
        return Promise.resolve(null); // the scan reports a JSON error; nothing downstream runs
      }
      return Promise.resolve([openvinoConfigPrecision(config), hfQuantizationPrecision(config)]);
    },
  },
];

/**
 * Targets that misbehave on purpose at one input each, so the suite's own test shows that a hang, a blown
 * memory ceiling and a TypeError are each caught and counted (a watchdog that never fires proves nothing).
 */
export const MISBEHAVING: readonly FuzzTarget[] = [
  {
    name: 'spins-at-3',
    seeds: () => [text('x')],
    run: (_input, _random) => {
      if (spinIndex()) for (;;);
      return Promise.resolve(null);
    },
  },
  {
    name: 'balloons-at-3',
    seeds: () => [text('x')],
    run: () => {
      const hoard: number[][] = [];
      if (spinIndex()) for (;;) hoard.push(new Array<number>(100_000).fill(1.5));
      return Promise.resolve(hoard.length);
    },
  },
  {
    name: 'typeerror-at-3',
    seeds: () => [text('x')],
    run: () => {
      if (spinIndex()) (null as unknown as { x: { y: number } }).x.y = 1;
      return Promise.resolve(null);
    },
  },
];

/** The input index the misbehaving targets act on, set by the worker before each input. */
let currentIndex = -1;
export function setCurrentIndex(index: number): void {
  currentIndex = index;
}
function spinIndex(): boolean {
  return currentIndex === 3;
}
