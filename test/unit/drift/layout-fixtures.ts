/** The runner's layout fixtures: the tiny model's weights in each exporter layout, built into a temp dir. */
import { after, before } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gqaDecoder, gqaGenaiConfig, type GqaOptions } from '../../../tools/model-builder/genai-gqa';
import { hybridDecoder } from '../../../tools/model-builder/hybrid-state';
import {
  editModelFile,
  toOptimumLegacyLayout,
  withFloat32Logits,
  withLogitsToKeep,
} from '../../../tools/model-builder/optimum-layouts';
import { TINY, tempModels, type TempModels } from './fixtures';

export interface LayoutFolders {
  models: TempModels;
  fp32: string;
  fp16: string;
  fp16Float32Logits: string;
  numLogitsToKeep: string;
  logitsToKeep: string;
  merged: string;
  mergedFp16: string;
  unmerged: string;
  hybrid: string;
  genaiGqa: string;
  genaiGqaFp16: string;
  genaiGqaWindow: string;
}

/** The GenAI builder's GroupQueryAttention layout with its genai_config.json (which then names the IO). */
async function toGenaiGqa(dir: string, options: GqaOptions): Promise<void> {
  await editModelFile(dir, (bytes) => gqaDecoder(bytes, TINY, options));
  await writeFile(join(dir, 'genai_config.json'), JSON.stringify(gqaGenaiConfig(TINY, options), null, 2));
}

export async function writeLayoutFolders(): Promise<LayoutFolders> {
  const models = await tempModels('qd-layouts-');
  const write = async (name: string, dtype: 'float32' | 'float16', edit?: (dir: string) => Promise<void>) => {
    const dir = await models.write(name, { dtype });
    await edit?.(dir);
    return dir;
  };
  return {
    models,
    fp32: await write('fp32', 'float32'),
    fp16: await write('fp16', 'float16'),
    fp16Float32Logits: await write('fp16-float32-logits', 'float16', (dir) => editModelFile(dir, withFloat32Logits)),
    numLogitsToKeep: await write('num-logits-to-keep', 'float32', (dir) =>
      editModelFile(dir, (bytes) => withLogitsToKeep(bytes, 'num_logits_to_keep')),
    ),
    logitsToKeep: await write('logits-to-keep', 'float16', (dir) =>
      editModelFile(dir, (bytes) => withLogitsToKeep(bytes, 'logits_to_keep')),
    ),
    merged: await write('merged', 'float32', (dir) => toOptimumLegacyLayout(dir, 'merged')),
    mergedFp16: await write('merged-fp16', 'float16', (dir) => toOptimumLegacyLayout(dir, 'merged')),
    unmerged: await write('unmerged', 'float32', (dir) => toOptimumLegacyLayout(dir, 'unmerged')),
    hybrid: await write('hybrid', 'float32', (dir) =>
      editModelFile(dir, (bytes) => hybridDecoder(bytes, TINY, 'float32')),
    ),
    genaiGqa: await write('genai-gqa', 'float32', (dir) => toGenaiGqa(dir, { windowSize: -1 })),
    genaiGqaFp16: await write('genai-gqa-fp16', 'float16', (dir) => toGenaiGqa(dir, { windowSize: -1 })),
    genaiGqaWindow: await write('genai-gqa-window', 'float32', (dir) =>
      toGenaiGqa(dir, { windowSize: 6, windowLayers: [0] }),
    ),
  };
}

/** before/after hooks around writeLayoutFolders; read the fields in tests. */
export function useLayoutFolders(): LayoutFolders {
  const state = {} as LayoutFolders;
  before(async () => Object.assign(state, await writeLayoutFolders()));
  after(() => state.models.cleanup());
  return state;
}
