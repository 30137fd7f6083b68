/**
 * The drift report, inspect, the model tree and pairing read precision the same way: for each twin our quantizer
 * writes, the drift layout's label (what the report prints) equals inspect's and the pairing quick pick's.
 * Before, the drift engine had its own scan and called the channel-wise twin "int4 sym g256 (fp32 activations)".
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadModelLayout } from '../../../src/core/drift/model-folder';
import { describePrecision, inspectModelFolder } from '../../../src/core/models';
import { inspectorFrom } from '../../../src/core/pairing';
import { quantizeModelFolder } from '../../../src/core/quantize';
import { randomLlamaWeights, tinyLlamaConfig, writeLlamaModelFolder } from '../../../tools/model-builder/llama';

const TWINS = [
  {
    name: 'sym-g32-al4',
    options: { symmetric: true, blockSize: 32, accuracyLevel: 4 as const },
    label: 'int4 sym g32 al4',
  },
  {
    name: 'sym-channel-wise',
    options: { symmetric: true, blockSize: 128, channelWise: true, accuracyLevel: 0 as const },
    label: 'int4 sym channel-wise',
  },
  {
    name: 'asym-g64-lm-head-float',
    options: { symmetric: false, blockSize: 64, accuracyLevel: 0 as const, keepLmHeadFloat: true },
    label: 'int4 asym g64 on 14 of 15 MatMuls',
  },
];

describe('one precision label for the drift report, inspect and pairing', () => {
  let tmp: string;
  let base: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'qd-agree-'));
    const cfg = tinyLlamaConfig();
    base = join(tmp, 'fp16');
    await writeLlamaModelFolder(base, cfg, randomLlamaWeights(cfg, 9), { dtype: 'float16' });
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  for (const twin of TWINS) {
    test(`${twin.name}: "${twin.label} (fp16 activations)" everywhere`, async () => {
      const out = join(tmp, twin.name);
      await quantizeModelFolder(base, out, twin.options);
      const expected = `${twin.label} (fp16 activations)`;
      const layout = await loadModelLayout(out);
      assert.equal(layout.weights, expected, 'drift report');
      assert.equal(describePrecision(await inspectModelFolder(out)), expected, 'inspect and the model tree');
      const pairing = await inspectorFrom(inspectModelFolder, describePrecision)(out);
      assert.equal(pairing.precision, expected, 'pairing quick pick');
    });
  }
});
