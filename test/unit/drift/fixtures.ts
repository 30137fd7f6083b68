/** Tiny Llama model folders for the drift tests, built with the project's JS builder into a temp dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  randomLlamaWeights,
  tinyLlamaConfig,
  writeLlamaModelFolder,
  type LlamaConfig,
  type WeightMap,
} from '../../../tools/model-builder/llama';

export const TINY = tinyLlamaConfig();

/** The same weights with multiplicative noise on every Linear weight: a stand-in for a quantized twin. */
export function perturbed(weights: WeightMap, amount: number, seed = 1): WeightMap {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296 - 0.5;
  };
  const out: WeightMap = new Map();
  for (const [name, tensor] of weights) {
    const linear = name.endsWith('proj.weight') || name === 'lm_head.weight';
    out.set(name, {
      shape: tensor.shape,
      data: linear ? tensor.data.map((v) => v * (1 + amount * random())) : tensor.data,
    });
  }
  return out;
}

export interface TempModels {
  readonly root: string;
  write(
    name: string,
    options?: { dtype?: 'float32' | 'float16'; weights?: WeightMap; cfg?: LlamaConfig },
  ): Promise<string>;
  cleanup(): Promise<void>;
}

export async function tempModels(prefix = 'qd-drift-'): Promise<TempModels> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const base = randomLlamaWeights(TINY, 7);
  return {
    root,
    async write(name, options = {}) {
      const dir = join(root, name);
      const cfg = options.cfg ?? TINY;
      await writeLlamaModelFolder(dir, cfg, options.weights ?? (cfg === TINY ? base : randomLlamaWeights(cfg, 7)), {
        dtype: options.dtype ?? 'float32',
      });
      return dir;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export function baseWeights(): WeightMap {
  return randomLlamaWeights(TINY, 7);
}

/** Registers before/after hooks that build an fp32 and an fp16 twin of the tiny model; read the paths in tests. */
export function useTinyPair(): { models: TempModels; fp32: string; fp16: string } {
  const state = {} as { models: TempModels; fp32: string; fp16: string };
  before(async () => {
    state.models = await tempModels();
    state.fp32 = await state.models.write('fp32');
    state.fp16 = await state.models.write('fp16', { dtype: 'float16' });
  });
  after(() => state.models.cleanup());
  return state;
}
