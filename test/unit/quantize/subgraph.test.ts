import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCompare } from '../../../src/cli/compare';
import { memoryIo } from '../../../src/cli/io';
import { LanguageModel } from '../../../src/core/drift/lm';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { scanOnnxGraph } from '../../../src/core/drift/graph-scan';
import { quantizeModelFolder } from '../../../src/core/quantize';
import { toOptimumLegacyLayout } from '../../../tools/model-builder/optimum-layouts';
import type { CompareReport } from '../../../src/protocol/report';
import { tempModels, type TempModels } from '../drift/fixtures';

const prompt = [1, 40, 80, 120, 7, 250, 33, 99];
const recipe = { symmetric: true, blockSize: 32, accuracyLevel: 0 } as const;

async function greedy(folder: string): Promise<number[]> {
  const lm = await LanguageModel.load(await loadModelLayout(folder), { executionProvider: 'cpu', threads: 1 });
  try {
    return (await lm.generate(prompt, 20, () => false, [])).tokens;
  } finally {
    await lm.release();
  }
}

describe('quantizing MatMuls inside If branches (optimum merged decoder)', () => {
  let models: TempModels;
  let plain: string;
  let merged: string;
  before(async () => {
    models = await tempModels('qd-q-subgraph-');
    plain = await models.write('plain');
    merged = await models.write('merged');
    await toOptimumLegacyLayout(merged, 'merged');
  });
  after(() => models.cleanup());

  test('every branch MatMul becomes MatMulNBits; the twin runs and decodes as the plain twin does', async () => {
    const plainTwin = join(models.root, 'plain-int4');
    const mergedTwin = join(models.root, 'merged-int4');
    const plainResult = await quantizeModelFolder(plain, plainTwin, recipe);
    const result = await quantizeModelFolder(merged, mergedTwin, recipe);
    // 7 Linear weights per layer and lm_head, each shared by the with-past and no-past branch.
    assert.equal(result.report.quantized.length, plainResult.report.quantized.length);
    assert.equal(result.report.quantized.length, 2 * 7 + 1);
    assert.match(result.report.quantized[0].node, /, /, 'one weight, a MatMul in each branch');
    const scan = await scanOnnxGraph(join(mergedTwin, 'decoder_model_merged.onnx'));
    assert.equal(scan.opCounts.get('MatMulNBits'), 2 * (2 * 7 + 1));
    assert.equal(scan.opCounts.get('If'), 1);
    const layout = await loadModelLayout(mergedTwin);
    assert.equal(layout.weights, 'int4 sym g32', 'the drift report reads the branches too (the label inspect gives)');
    assert.deepEqual(await greedy(mergedTwin), await greedy(plainTwin));
  });

  test('quant-drift compare on the merged pair writes a report with both sides labelled', async () => {
    const twin = join(models.root, 'merged-int4-cli');
    await quantizeModelFolder(merged, twin, recipe);
    const prompts = join(models.root, 'prompts.jsonl');
    await writeFile(prompts, '{"id": "one", "prompt": "Say hi."}\n');
    const io = memoryIo(models.root);
    const code = await runCompare(
      [merged, twin, '--prompts', prompts, '--max-new-tokens', '6', '--format', 'json', '--threads', '1'],
      io,
    );
    assert.ok(code === 0 || code === 1, io.stderr.join('\n'));
    const report = JSON.parse(io.stdout.join('')) as CompareReport;
    assert.equal(report.base.weights, 'fp32');
    assert.match(report.quant.weights, /^int4 sym g32/);
    assert.equal(report.prompts.length, 1);
  });
});
