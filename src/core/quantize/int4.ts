/**
 * Round-to-nearest INT4 block quantization in the layout of com.microsoft MatMulNBits, with the
 * conventions of ONNX Runtime's own quantizer (MLAS BlockwiseQuantizer, used by MatMulNBitsQuantizer):
 * - symmetric: scale = m / -8 where m is the block value of largest magnitude (sign kept, so the extreme value
 *   lands exactly on -8 and the [-8, 7] range is used in full), no zero_points input (the default 8 applies);
 * - asymmetric: range widened to include 0, scale = (max - min) / 15, zero point = round(-min / scale) in [0, 15];
 * - q = clamp(round(w * (1 / scale) + zp), 0, 15), computed in float32 with the scale as stored (fp16-rounded
 *   for fp16 models), so dequantizing (q - zp) * scale reproduces exactly what the kernel sees;
 * - K is padded to whole blocks with zeros, which quantize to the zero point;
 * - channel-wise: one range per column over all of K, its scale repeated in every block (see Int4Options).
 * Layout for W[K, N] (MatMul B): B uint8 [N, nBlocks, blockSize / 2], element k = b * blockSize + j of column n in
 * byte [n][b][j >> 1], even j in the low nibble; scales [N, nBlocks]; zero points uint8 [N, ceil(nBlocks / 2)],
 * block b in byte (b >> 1) of its row, even b in the low nibble.
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16';

export type ScaleDtype = 'float32' | 'float16';

export interface Int4Options {
  symmetric: boolean;
  blockSize: number;
  /** Storage type of the scales: the activation type of the model. */
  scaleDtype: ScaleDtype;
  /**
   * One scale (and zero point) per output column over all of K. ONNX Runtime's CPU kernel accepts block sizes
   * 16-256 only, so the shared scale is stored once per block of `blockSize`: numerically channel-wise RTN,
   * runnable everywhere MatMulNBits runs.
   */
  channelWise?: boolean;
}

export interface Int4Tensor {
  K: number;
  N: number;
  blockSize: number;
  nBlocks: number;
  /** uint8 [N, nBlocks, blockSize / 2]. */
  packed: Uint8Array;
  /** [N, nBlocks], the values as stored (already rounded to fp16 when scaleDtype is float16). */
  scales: Float32Array;
  /** Raw fp16 bits of the scales when scaleDtype is float16. */
  scaleBits?: Uint16Array;
  /** uint8 [N, ceil(nBlocks / 2)] for asymmetric quantization. */
  zeroPoints?: Uint8Array;
}

/** Block sizes ONNX Runtime's MatMulNBits CPU kernel accepts. */
export const SUPPORTED_BLOCK_SIZES = [16, 32, 64, 128, 256] as const;

export function isValidBlockSize(blockSize: number): boolean {
  return (SUPPORTED_BLOCK_SIZES as readonly number[]).includes(blockSize);
}

/** Per-column quantization parameters of one block (or of the whole column when channel-wise). */
class ColumnParams {
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly scale: Float32Array;
  readonly scaleBits: Uint16Array;
  readonly reciprocal: Float32Array;
  readonly zp: Uint8Array;
  constructor(N: number) {
    this.low = new Float32Array(N);
    this.high = new Float32Array(N);
    this.scale = new Float32Array(N);
    this.scaleBits = new Uint16Array(N);
    this.reciprocal = new Float32Array(N);
    this.zp = new Uint8Array(N);
  }

  /** Widens the per-column range by `rowCount` rows of `block` (row-major, N columns). */
  scanRange(block: Float32Array, N: number, rowCount: number): void {
    const { low, high } = this;
    for (let row = 0; row < rowCount; row++) {
      const base = row * N;
      for (let n = 0; n < N; n++) {
        const value = block[base + n];
        if (value < low[n]) low[n] = value;
        if (value > high[n]) high[n] = value;
      }
    }
  }

  /** Starts a range; `includeZero` accounts for zero padding rows. */
  resetRange(includeZero: boolean): void {
    this.low.fill(includeZero ? 0 : Infinity);
    this.high.fill(includeZero ? 0 : -Infinity);
  }

  computeScales(symmetric: boolean, fp16: boolean): void {
    const { low, high, zp } = this;
    for (let n = 0; n < low.length; n++) {
      let scale: number;
      if (symmetric) {
        const extreme = Math.abs(high[n]) > Math.abs(low[n]) ? high[n] : low[n];
        scale = Math.fround(extreme / -8);
        zp[n] = 8;
      } else {
        const min = Math.min(low[n], 0);
        const max = Math.max(high[n], 0);
        scale = Math.fround((max - min) / 15);
        const zeroPoint = scale !== 0 ? Math.fround(0 - Math.fround(min / scale)) : min;
        zp[n] = zeroPoint < 0 ? 0 : zeroPoint > 15 ? 15 : roundHalfAway(zeroPoint);
      }
      if (fp16) {
        const bits = float32ToFloat16Bits(scale);
        this.scaleBits[n] = bits;
        scale = float16BitsToFloat32(bits);
      }
      this.scale[n] = scale;
      this.reciprocal[n] = scale !== 0 ? Math.fround(1 / scale) : 0;
    }
  }
}

/** Rows [rowStart, rowEnd) of W as row-major float32; may reuse one scratch buffer between calls. */
export type WeightRows = (rowStart: number, rowEnd: number) => Float32Array;

/**
 * Quantizes W[K, N] given row-major (as a MatMul B initializer is stored), either whole or as a row source (so an
 * fp16 tensor is converted one block of rows at a time instead of doubling in memory). Walks K one block of rows
 * at a time so reads stay sequential; per-column state lives in small [N] arrays.
 */
export function quantizeInt4(
  weights: Float32Array | WeightRows,
  K: number,
  N: number,
  options: Int4Options,
): Int4Tensor {
  const { blockSize, symmetric } = options;
  if (!isValidBlockSize(blockSize)) {
    throw new Error(`block size ${blockSize} is not one of ${SUPPORTED_BLOCK_SIZES.join(', ')}`);
  }
  if (typeof weights !== 'function' && weights.length !== K * N) {
    throw new Error(`expected ${K * N} weights for [${K}, ${N}], got ${weights.length}`);
  }
  const rows: WeightRows =
    typeof weights === 'function' ? weights : (start, end) => weights.subarray(start * N, end * N);
  const fp16 = options.scaleDtype === 'float16';
  const nBlocks = Math.ceil(K / blockSize);
  const blob = blockSize / 2;
  const rowBytes = nBlocks * blob;
  const zpRowBytes = Math.ceil(nBlocks / 2);
  const packed = new Uint8Array(N * rowBytes);
  const scales = new Float32Array(N * nBlocks);
  const scaleBits = fp16 ? new Uint16Array(N * nBlocks) : undefined;
  const zeroPoints = symmetric ? undefined : new Uint8Array(N * zpRowBytes);
  const params = new ColumnParams(N);
  const padded = K % blockSize !== 0;
  if (options.channelWise) {
    params.resetRange(padded);
    for (let start = 0; start < K; start += blockSize) {
      const end = Math.min(start + blockSize, K);
      params.scanRange(rows(start, end), N, end - start);
    }
    params.computeScales(symmetric, fp16);
  }

  for (let block = 0; block < nBlocks; block++) {
    const rowStart = block * blockSize;
    const rowEnd = Math.min(rowStart + blockSize, K);
    const rowCount = rowEnd - rowStart;
    const values = rows(rowStart, rowEnd);
    if (!options.channelWise) {
      // Zero padding rows take part in the range, as in ORT's quantizer (it pads W with zeros first).
      params.resetRange(rowCount < blockSize);
      params.scanRange(values, N, rowCount);
      params.computeScales(symmetric, fp16);
    }
    const { zp, reciprocal } = params;
    for (let n = 0; n < N; n++) {
      scales[n * nBlocks + block] = params.scale[n]!;
      if (scaleBits) scaleBits[n * nBlocks + block] = params.scaleBits[n]!;
    }
    if (zeroPoints) {
      for (let n = 0; n < N; n++) {
        const at = n * zpRowBytes + (block >> 1);
        zeroPoints[at] = block & 1 ? zeroPoints[at] | (zp[n] << 4) : zp[n];
      }
    }
    // Two rows at a time: each packed byte is written once (row j low nibble, row j + 1 high nibble); rows past K
    // are padding and hold the zero point.
    const blockByteBase = block * blob;
    for (let j = 0; j < blockSize; j += 2) {
      const byteBase = blockByteBase + (j >> 1);
      const base0 = j * N;
      const base1 = base0 + N;
      if (j + 1 < rowCount) {
        // The common case, kept free of padding checks.
        for (let n = 0, at = byteBase; n < N; n++, at += rowBytes) {
          const r = reciprocal[n];
          const z = zp[n];
          packed[at] = quantizeOne(values[base0 + n], r, z) | (quantizeOne(values[base1 + n], r, z) << 4);
        }
      } else {
        for (let n = 0, at = byteBase; n < N; n++, at += rowBytes) {
          const z = zp[n];
          packed[at] = (j < rowCount ? quantizeOne(values[base0 + n], reciprocal[n], z) : z) | (z << 4);
        }
      }
    }
  }
  const result: Int4Tensor = { K, N, blockSize, nBlocks, packed, scales };
  if (scaleBits) result.scaleBits = scaleBits;
  if (zeroPoints) result.zeroPoints = zeroPoints;
  return result;
}

/** round(w / scale) + zp clamped to [0, 15], in float32 like the C++ quantizer; `| 0` rounds the positive range. */
function quantizeOne(value: number, reciprocal: number, zeroPoint: number): number {
  const q = (Math.fround(Math.fround(value * reciprocal) + zeroPoint) + 0.5) | 0;
  return q < 0 ? 0 : q > 15 ? 15 : q;
}

/** C's roundf for the non-negative values it is used on here: halves go up. */
function roundHalfAway(value: number): number {
  return Math.floor(value + 0.5);
}

/** Zero point of block b of column n (8 when symmetric). */
export function zeroPointAt(tensor: Int4Tensor, n: number, block: number): number {
  if (!tensor.zeroPoints) return 8;
  const byte = tensor.zeroPoints[n * Math.ceil(tensor.nBlocks / 2) + (block >> 1)];
  return block & 1 ? byte >> 4 : byte & 0x0f;
}

/**
 * Reference dequantizer written straight from the layout description (index by index, no shared loops with the
 * quantizer): W[k][n] = (q - zp) * scale, returned as row-major [K, N] float32.
 */
export function dequantizeInt4(tensor: Int4Tensor): Float32Array {
  const { K, N, blockSize, nBlocks } = tensor;
  const out = new Float32Array(K * N);
  const rowBytes = nBlocks * (blockSize / 2);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const block = Math.floor(k / blockSize);
      const j = k % blockSize;
      const byte = tensor.packed[n * rowBytes + block * (blockSize / 2) + (j >> 1)];
      const q = j % 2 === 0 ? byte & 0x0f : byte >> 4;
      out[k * N + n] = Math.fround((q - zeroPointAt(tensor, n, block)) * tensor.scales[n * nBlocks + block]);
    }
  }
  return out;
}

/** Relative squared error ||W - deq(W)||^2 / ||W||^2 without materializing deq(W): the sensitivity measure. */
export function relativeQuantizationError(weights: Float32Array | WeightRows, tensor: Int4Tensor): number {
  const { K, N, blockSize, nBlocks } = tensor;
  const rows: WeightRows =
    typeof weights === 'function' ? weights : (start, end) => weights.subarray(start * N, end * N);
  const rowBytes = nBlocks * (blockSize / 2);
  let error = 0;
  let energy = 0;
  for (let block = 0; block < nBlocks; block++) {
    const rowStart = block * blockSize;
    const rowCount = Math.min(blockSize, K - rowStart);
    const values = rows(rowStart, rowStart + rowCount);
    for (let j = 0; j < rowCount; j++) {
      const shift = (j & 1) << 2;
      const byteBase = block * (blockSize / 2) + (j >> 1);
      for (let n = 0; n < N; n++) {
        const q = (tensor.packed[n * rowBytes + byteBase] >> shift) & 0x0f;
        const value = values[j * N + n];
        const diff = value - (q - zeroPointAt(tensor, n, block)) * tensor.scales[n * nBlocks + block];
        error += diff * diff;
        energy += value * value;
      }
    }
  }
  return energy > 0 ? error / energy : 0;
}
