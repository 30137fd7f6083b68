/**
 * One precision label for every weight format, from the one reading (onnx/inspect -> models/precision):
 * the fixtures are built by tools/model-builder/weight-formats.ts and onnxruntime must accept each of them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { describePrecision } from '../../../src/core/models';
import { onnxPrecision } from '../../../src/core/models/precision';
import { inspectOnnx } from '../../../src/core/onnx/inspect';
import { MemorySource } from '../../../src/core/onnx/wire';
import { buildWeightFormatModel, type LinearFormat } from '../../../tools/model-builder/weight-formats';

const repeat = (format: LinearFormat, count: number): LinearFormat[] => Array.from({ length: count }, () => format);
const nbits = (bits: 2 | 4 | 8, blockSize: number, sym: boolean, extra: object = {}): LinearFormat => ({
  kind: 'MatMulNBits',
  bits,
  blockSize,
  sym,
  ...extra,
});

const CASES: { name: string; formats: LinearFormat[]; insideIf?: boolean; label: string; runs?: boolean }[] = [
  { name: 'fp32', formats: repeat({ kind: 'float', dtype: 'fp32' }, 3), label: 'fp32' },
  { name: 'bf16', formats: repeat({ kind: 'float', dtype: 'bf16' }, 3), label: 'bf16' },
  { name: 'MatMulNBits 4-bit sym', formats: repeat(nbits(4, 32, true), 3), label: 'int4 sym g32' },
  {
    name: 'MatMulNBits 4-bit asym al4',
    formats: repeat(nbits(4, 16, false, { accuracyLevel: 4 }), 3),
    label: 'int4 asym g16 al4',
  },
  { name: 'MatMulNBits 2-bit', formats: repeat(nbits(2, 32, true), 2), label: 'int2 sym g32' },
  { name: 'MatMulNBits 8-bit', formats: repeat(nbits(8, 32, true), 2), label: 'int8 sym g32' },
  {
    name: 'MatMulNBits g_idx',
    formats: repeat(nbits(4, 32, false, { gIdx: true }), 2),
    label: 'int4 asym g32 act-order',
  },
  {
    name: 'mixed 4/8-bit',
    formats: [...repeat(nbits(4, 32, true), 5), nbits(8, 32, true), { kind: 'float', dtype: 'fp32' }],
    label: 'int4 sym g32 + int8 g32 on 1 of 7 MatMuls',
  },
  {
    name: 'partly quantized',
    formats: [...repeat(nbits(4, 32, true), 2), { kind: 'float', dtype: 'fp32' }],
    label: 'int4 sym g32 on 2 of 3 MatMuls',
  },
  {
    name: 'QDQ blocked int4',
    formats: repeat({ kind: 'QDQ', bits: 4, signed: true, blockSize: 32 }, 2),
    label: 'int4 sym g32',
  },
  {
    name: 'QDQ blocked uint4 with zero points',
    formats: repeat({ kind: 'QDQ', bits: 4, signed: false, blockSize: 32, zeroPoint: true }, 2),
    label: 'int4 asym g32',
  },
  {
    name: 'QDQ per-channel int8',
    formats: repeat({ kind: 'QDQ', bits: 8, signed: true, blockSize: 'per-channel' }, 2),
    label: 'int8 sym channel-wise',
  },
  { name: 'bnb4 nf4', formats: repeat({ kind: 'MatMulBnb4', quantType: 'nf4', blockSize: 64 }, 2), label: 'nf4 g64' },
  { name: 'bnb4 fp4', formats: repeat({ kind: 'MatMulBnb4', quantType: 'fp4', blockSize: 64 }, 2), label: 'fp4 g64' },
  {
    name: 'MatMulInteger int8',
    formats: repeat({ kind: 'MatMulInteger', signed: true }, 2),
    label: 'int8 sym per-tensor dynamic',
  },
  {
    name: 'MatMulInteger uint8',
    formats: repeat({ kind: 'MatMulInteger', signed: false }, 2),
    label: 'int8 asym per-tensor dynamic',
  },
  {
    name: 'merged decoder: MatMulNBits inside If branches',
    formats: repeat(nbits(4, 32, true), 3),
    insideIf: true,
    label: 'int4 sym g32',
  },
];

describe('precision labels, one reading for every weight format', () => {
  for (const c of CASES) {
    test(`${c.name}: "${c.label}"`, async () => {
      const bytes = buildWeightFormatModel(c.formats, c.insideIf ? { insideIf: true } : {});
      const weights = onnxPrecision(await inspectOnnx(new MemorySource(bytes)));
      assert.equal(describePrecision({ weights }), c.label);
      if (c.insideIf) {
        assert.equal(weights.inSubgraphs, true);
        assert.equal(weights.matMuls?.total, c.formats.length * 2);
      }
      // onnxruntime accepts the graph (bf16 Cast and every contrib op has a CPU kernel).
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
      await session.release();
    });
  }
});
