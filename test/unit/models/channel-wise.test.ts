import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describePrecision, inspectModelFolder } from '../../../src/core/models';
import { quantizeModelFolder } from '../../../src/core/quantize';

// The demo model has MatMuls with K = 688, wider than the 256-wide blocks ORT's CPU kernel accepts, so a
// channel-wise twin stores block_size 256; the inspector must still call it channel-wise, from the recipe the
// quantizer records in metadata_props, and a group-wise twin must stay group-wise.
const demoModel = join(__dirname, '..', '..', '..', '..', 'demo', 'models', 'fp16');

void test('a channel-wise twin with K > 256 reads as channel-wise, a g128 twin as g128', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'qd-cw-'));
  try {
    const cw = join(dir, 'cw');
    const g128 = join(dir, 'g128');
    await quantizeModelFolder(demoModel, cw, { symmetric: false, blockSize: 128, channelWise: true, accuracyLevel: 0 });
    await quantizeModelFolder(demoModel, g128, { symmetric: true, blockSize: 128, accuracyLevel: 0 });
    const cwInfo = await inspectModelFolder(cw);
    assert.equal(cwInfo.weights.groupSize, -1);
    assert.equal(cwInfo.weights.sym, false);
    assert.match(describePrecision(cwInfo), /int4 asym channel-wise/);
    const g128Info = await inspectModelFolder(g128);
    assert.equal(g128Info.weights.groupSize, 128);
    assert.equal(g128Info.weights.sym, true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
