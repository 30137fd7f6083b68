import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { fromFloat16Array, roundToFloat16, toFloat16Array } from '../../../src/core/quantize/float16';
import { dequantizeInt4, quantizeInt4, zeroPointAt, type Int4Tensor } from '../../../src/core/quantize/int4';
import { bytesOf, DataType, encodeModel, GraphBuilder } from '../../../tools/model-builder/graph';

function randomMatrix(length: number, seed: number): Float32Array {
  let state = seed;
  const out = new Float32Array(length);
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[index] = ((state / 2 ** 32) * 2 - 1) * (index % 7 === 0 ? 3 : 1);
  }
  return out;
}

/** A one-node MatMulNBits model, the way the quantizer writes it. */
function matMulNBitsModel(tensor: Int4Tensor, fp16: boolean, accuracyLevel: number): Uint8Array {
  const g = new GraphBuilder();
  const T = fp16 ? DataType.FLOAT16 : DataType.FLOAT;
  g.initializer('B', {
    dataType: DataType.UINT8,
    dims: [tensor.N, tensor.nBlocks, tensor.blockSize / 2],
    bytes: tensor.packed,
  });
  g.initializer('scales', {
    dataType: T,
    dims: [tensor.N, tensor.nBlocks],
    bytes: bytesOf(tensor.scaleBits ?? tensor.scales),
  });
  const inputs = ['A', 'B', 'scales'];
  if (tensor.zeroPoints) {
    g.initializer('zp', {
      dataType: DataType.UINT8,
      dims: [tensor.N, Math.ceil(tensor.nBlocks / 2)],
      bytes: tensor.zeroPoints,
    });
    inputs.push('zp');
  }
  g.node(
    'MatMulNBits',
    inputs,
    { K: tensor.K, N: tensor.N, bits: 4, block_size: tensor.blockSize, accuracy_level: accuracyLevel },
    { domain: 'com.microsoft', outputs: ['Y'] },
  );
  return encodeModel(g, {
    name: 'g',
    opsetVersion: 17,
    extraDomains: ['com.microsoft'],
    inputs: [{ name: 'A', dataType: T, shape: ['M', tensor.K] }],
    outputs: [{ name: 'Y', dataType: T, shape: ['M', tensor.N] }],
  });
}

function referenceMatMul(a: Float32Array, w: Float32Array, M: number, K: number, N: number): Float32Array {
  const out = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a[m * K + k] * w[k * N + n];
      out[m * N + n] = sum;
    }
  }
  return out;
}

void describe('INT4 block quantization', () => {
  void test('symmetric: extreme value maps to -8, no zero points, values within one step', () => {
    const w = randomMatrix(100 * 24, 1);
    const q = quantizeInt4(w, 100, 24, { symmetric: true, blockSize: 32, scaleDtype: 'float32' });
    assert.equal(q.zeroPoints, undefined);
    assert.equal(q.nBlocks, 4);
    const deq = dequantizeInt4(q);
    for (let n = 0; n < 24; n++) {
      for (let block = 0; block < 4; block++) {
        let extreme = 0;
        for (let k = block * 32; k < Math.min(100, block * 32 + 32); k++) {
          if (Math.abs(w[k * 24 + n]) > Math.abs(extreme)) extreme = w[k * 24 + n]!;
        }
        assert.equal(q.scales[n * 4 + block], Math.fround(extreme / -8));
      }
    }
    for (let index = 0; index < w.length; index++) {
      const scale = q.scales[(index % 24) * 4 + Math.floor(Math.floor(index / 24) / 32)];
      // Only the side opposite the extreme can clip (at +7 steps), by at most one step.
      const clipped = w[index] / scale > 7.5;
      assert.ok(Math.abs(deq[index] - w[index]) <= Math.abs(scale) * (clipped ? 1 : 0.5) + 1e-6, `element ${index}`);
    }
  });

  void test('asymmetric: zero points packed two per byte, low nibble first', () => {
    const w = randomMatrix(96 * 5, 2).map((value) => value + 0.7);
    const q = quantizeInt4(w, 96, 5, { symmetric: false, blockSize: 32, scaleDtype: 'float32' });
    assert.equal(q.zeroPoints!.length, 5 * 2);
    const deq = dequantizeInt4(q);
    for (let index = 0; index < w.length; index++) {
      const n = index % 5;
      const block = Math.floor(Math.floor(index / 5) / 32);
      assert.ok(Math.abs(deq[index] - w[index]) <= q.scales[n * 3 + block] / 2 + 1e-6);
      assert.ok(zeroPointAt(q, n, block) >= 0 && zeroPointAt(q, n, block) <= 15);
    }
  });

  void test('K padding holds the zero point', () => {
    const q = quantizeInt4(randomMatrix(40 * 3, 3), 40, 3, { symmetric: false, blockSize: 32, scaleDtype: 'float32' });
    const rowBytes = 2 * 16;
    for (let n = 0; n < 3; n++) {
      for (let j = 8; j < 32; j++) {
        const byte = q.packed[n * rowBytes + 16 + (j >> 1)];
        assert.equal(j % 2 ? byte >> 4 : byte & 15, zeroPointAt(q, n, 1));
      }
    }
  });

  for (const symmetric of [true, false]) {
    for (const blockSize of [32, 128]) {
      for (const fp16 of [false, true]) {
        const label = `${symmetric ? 'sym' : 'asym'} block ${blockSize} ${fp16 ? 'fp16' : 'fp32'}`;
        void test(`ORT MatMulNBits equals reference dequant-then-matmul: ${label}, K=100`, async () => {
          const K = 100;
          const N = 24;
          const M = 3;
          const w = randomMatrix(K * N, 11 + blockSize);
          const q = quantizeInt4(w, K, N, { symmetric, blockSize, scaleDtype: fp16 ? 'float16' : 'float32' });
          const deq = dequantizeInt4(q);
          let a = randomMatrix(M * K, 5);
          if (fp16) a = fromFloat16Array(toFloat16Array(a));
          const session = await ort.InferenceSession.create(matMulNBitsModel(q, fp16, 0), { intraOpNumThreads: 1 });
          try {
            const input = fp16
              ? new ort.Tensor('float16', toFloat16Array(a), [M, K])
              : new ort.Tensor('float32', a, [M, K]);
            const { Y } = await session.run({ A: input });
            const got = fp16 ? fromFloat16Array(Y.data as Uint16Array) : (Y.data as Float32Array);
            const expected = referenceMatMul(a, deq, M, K, N);
            let maxError = 0;
            for (let index = 0; index < expected.length; index++) {
              maxError = Math.max(maxError, Math.abs(got[index] - expected[index]));
            }
            // fp32: summation order only; fp16: the output itself is rounded to fp16 (|y| ~ 10 -> ulp 2^-7).
            assert.ok(maxError < (fp16 ? 2e-2 : 1e-4), `max abs error ${maxError}`);
            if (process.env.QD_VERBOSE) console.log(label, maxError);
          } finally {
            await session.release();
          }
        });
      }
    }
  }

  const cases: [boolean, number, number, boolean, boolean][] = [
    [true, 32, 100, false, false],
    [false, 128, 100, false, false],
    [true, 16, 40, true, false],
    [false, 64, 100, true, false],
    [true, 256, 600, false, true],
    [false, 128, 300, true, true],
  ];
  for (const [symmetric, blockSize, K, fp16, channelWise] of cases) {
    const label = `${symmetric ? 'sym' : 'asym'} ${channelWise ? 'channel-wise stored as ' : ''}block ${blockSize} K=${K} ${fp16 ? 'fp16' : 'fp32'}`;
    void test(`ORT dequantizes exactly like the reference (identity A): ${label}`, async () => {
      const N = 8;
      const w = randomMatrix(K * N, K + blockSize);
      const q = quantizeInt4(w, K, N, { symmetric, blockSize, channelWise, scaleDtype: fp16 ? 'float16' : 'float32' });
      if (channelWise) {
        for (let n = 0; n < N; n++) {
          assert.equal(new Set(q.scales.subarray(n * q.nBlocks, (n + 1) * q.nBlocks)).size, 1);
        }
      }
      const deq = dequantizeInt4(q);
      const identity = new Float32Array(K * K);
      for (let k = 0; k < K; k++) identity[k * K + k] = 1;
      for (const accuracyLevel of [0, 4]) {
        const session = await ort.InferenceSession.create(matMulNBitsModel(q, fp16, accuracyLevel), {
          intraOpNumThreads: 1,
        });
        try {
          const input = fp16
            ? new ort.Tensor('float16', toFloat16Array(identity), [K, K])
            : new ort.Tensor('float32', identity, [K, K]);
          const { Y } = await session.run({ A: input });
          const got = fp16 ? fromFloat16Array(Y.data as Uint16Array) : (Y.data as Float32Array);
          let maxError = 0;
          for (let index = 0; index < deq.length; index++) {
            const expected = fp16 ? roundToFloat16(deq[index]) : deq[index];
            maxError = Math.max(maxError, Math.abs(got[index] - expected));
          }
          if (accuracyLevel === 0) assert.equal(maxError, 0);
          else assert.ok(maxError < 0.05, `accuracy_level 4: max abs error ${maxError}`);
        } finally {
          await session.release();
        }
      }
    });
  }
});
