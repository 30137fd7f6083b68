/**
 * Multiple-choice scoring with the context's KV cache reused, on every decoder layout the runner supports
 * (logits_to_keep inputs, optimum merged/unmerged decoders, extra recurrent state, GenAI GQA): each choice's
 * log-likelihood equals one full pass over context + choice. Tolerances as the layouts' own cache-vs-recompute
 * tests: fp32 graphs to 1e-4 per choice, fp16 to 2e-2.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LanguageModel } from '../../../src/core/drift/lm';
import { logSoftmax } from '../../../src/core/drift/metrics';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { TINY } from '../drift/fixtures';
import { useLayoutFolders, type LayoutFolders } from '../drift/layout-fixtures';

const options = { executionProvider: 'cpu', threads: 1 };
const context = [1, 40, 80, 120, 7, 250, 33, 99, 12, 5];
const choices = [[5, 9, 14, 200], [77], [8, 8, 8], [150, 2]];

async function direct(lm: LanguageModel, choice: number[]): Promise<number> {
  const rows = await lm.score([...context, ...choice], context.length);
  const out = new Float64Array(TINY.vocabSize);
  let sum = 0;
  choice.forEach((token, r) => {
    logSoftmax(rows.subarray(r * TINY.vocabSize, (r + 1) * TINY.vocabSize), out);
    sum += out[token];
  });
  return sum;
}

describe('multiple choice on every supported layout', () => {
  const f = useLayoutFolders();
  const cases: [keyof LayoutFolders, number][] = [
    ['numLogitsToKeep', 1e-4],
    ['logitsToKeep', 2e-2],
    ['merged', 1e-4],
    ['mergedFp16', 2e-2],
    ['unmerged', 1e-4],
    ['hybrid', 1e-4],
    ['genaiGqa', 1e-4],
    ['genaiGqaFp16', 2e-2],
  ];
  for (const [name, tolerance] of cases) {
    test(`${name}: KV reuse equals full passes`, async () => {
      const lm = await LanguageModel.load(await loadModelLayout(f[name] as string), options);
      try {
        const reused = await lm.continuationLogProbs(context, choices);
        for (let k = 0; k < choices.length; k++) {
          const viaCache = reused[k].reduce((a, b) => a + b, 0);
          const full = await direct(lm, choices[k]);
          assert.ok(Math.abs(viaCache - full) < tolerance, `choice ${k}: ${viaCache} vs ${full}`);
        }
      } finally {
        await lm.release();
      }
    });
  }
});
