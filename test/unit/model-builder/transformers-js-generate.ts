/** The reference the runtime is checked against: transformers.js generate() (greedy) over a local model folder. */
import { basename, dirname } from 'node:path';

/**
 * Greedy tokens transformers.js generates after `prompt`, loading `repoDir` by dtype from `subfolder`
 * (transformers.js' default is 'onnx'; '' reads model.onnx from the folder itself).
 */
export async function transformersJsGreedy(
  repoDir: string,
  load: { dtype: 'fp32' | 'fp16' | 'q4' | 'q4f16'; subfolder?: string },
  prompt: readonly number[],
  maxNewTokens: number,
): Promise<number[]> {
  const transformers = await import('@huggingface/transformers');
  transformers.env.allowRemoteModels = false;
  transformers.env.localModelPath = `${dirname(repoDir)}/`;
  const model = await transformers.AutoModelForCausalLM.from_pretrained(basename(repoDir), {
    ...load,
    session_options: { intraOpNumThreads: 1 },
  });
  try {
    const ids = new transformers.Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
    const mask = new transformers.Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
    const output = (await model.generate({
      input_ids: ids,
      attention_mask: mask,
      max_new_tokens: maxNewTokens,
      do_sample: false,
    })) as { data: BigInt64Array };
    return Array.from(output.data, Number).slice(prompt.length);
  } finally {
    await model.dispose();
  }
}
