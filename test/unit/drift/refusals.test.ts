import assert from 'node:assert/strict';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { runCompare } from '../../../src/cli/compare';
import { memoryIo } from '../../../src/cli/io';
import { loadModelLayout, modelRefusal, ModelRefusedError } from '../../../src/core/drift/model-folder';
import { gqaDecoder, gqaGenaiConfig } from '../../../tools/model-builder/genai-gqa';
import { editModelFile } from '../../../tools/model-builder/optimum-layouts';
import {
  bf16IoModel,
  decoderPipelineConfig,
  epContextModel,
  inputsEmbedsModel,
  quantizedKvModel,
  staticShapeModel,
} from '../../../tools/model-builder/refused-layouts';
import { TINY, tempModels, type TempModels } from './fixtures';

interface Case {
  name: string;
  edit: (bytes: Uint8Array) => Uint8Array;
  reason: RegExp;
  /**
   * true: the fixture is a valid graph onnxruntime-node loads; a RegExp: onnxruntime-node's own error for it
   * (what the user would have seen); false: not tried (EPContext needs the device's EP).
   */
  ortLoads: boolean | RegExp;
}

const cases: Case[] = [
  {
    name: 'qnn-epcontext',
    edit: (b) => epContextModel(b, 'QNNExecutionProvider'),
    reason: /compiled for QNNExecutionProvider \(EPContext.*Compare the ONNX model it was compiled from/,
    ortLoads: false,
  },
  {
    name: 'openvino-epcontext',
    edit: (b) => epContextModel(b, 'OpenVINOExecutionProvider'),
    reason: /compiled for OpenVINOExecutionProvider/,
    ortLoads: false,
  },
  {
    name: 'static-shapes',
    edit: (b) => staticShapeModel(b, 64, 192),
    reason: /static-shape graph \(input_ids fixed at 64 tokens\).*Compare the dynamic-shape export/,
    ortLoads: true,
  },
  {
    name: 'static-cache',
    edit: (b) => staticShapeModel(b, 1, 255),
    reason: /static-shape graph \(a KV cache fixed at 255 positions\)/,
    ortLoads: true,
  },
  {
    name: 'bf16',
    edit: bf16IoModel,
    reason: /bf16 export.*no bfloat16 tensor type.*float16 or float32/,
    ortLoads: /Unsupported data type: 16/,
  },
  {
    name: 'quantized-kv',
    edit: quantizedKvModel,
    reason: /quantized KV cache \(past_key_values\.0\.key is ONNX type 2, not float\)/,
    ortLoads: true,
  },
  {
    name: 'exclude-embeds',
    edit: (b) => inputsEmbedsModel(b, TINY.hiddenSize),
    reason: /takes inputs_embeds instead of input_ids \(an exclude_embeds export/,
    ortLoads: true,
  },
];

describe('layouts refused up front, before onnxruntime loads them', () => {
  let models: TempModels;
  let base: string;
  const dirs = new Map<string, string>();
  before(async () => {
    models = await tempModels('qd-refused-');
    base = await models.write('base');
    for (const c of cases) {
      const dir = await models.write(c.name);
      await editModelFile(dir, c.edit);
      dirs.set(c.name, dir);
    }
  });
  after(() => models.cleanup());

  for (const c of cases) {
    test(`${c.name}: refused with the reason and an alternative`, async () => {
      const dir = dirs.get(c.name)!;
      await assert.rejects(loadModelLayout(dir), (error: Error) => {
        assert.ok(error instanceof ModelRefusedError, error.message);
        assert.match(error.message, c.reason);
        return true;
      });
      assert.match((await modelRefusal(dir)) ?? '', c.reason);
      const file = join(dir, 'model.onnx');
      if (c.ortLoads instanceof RegExp) await assert.rejects(ort.InferenceSession.create(file), c.ortLoads);
      else if (c.ortLoads) await (await ort.InferenceSession.create(file, { logSeverityLevel: 3 })).release();
    });
  }

  test('a plain model is not refused', async () => {
    assert.equal(await modelRefusal(base), null);
  });

  test('GenAI decoder-pipeline: refused, naming its ONNX files', async () => {
    const dir = await models.write('pipeline');
    const files = { embeddings: 'embeds.onnx', transformer: 'transformer.onnx', head: 'lm_head.onnx' };
    for (const file of Object.values(files)) await copyFile(join(dir, 'model.onnx'), join(dir, file));
    await rm(join(dir, 'model.onnx'));
    await writeFile(join(dir, 'genai_config.json'), JSON.stringify(decoderPipelineConfig(files)));
    await assert.rejects(
      loadModelLayout(dir),
      /decoder-pipeline \(3 ONNX files run in turn: embeds\.onnx, transformer\.onnx, lm_head\.onnx\)/,
    );
  });

  test('GenAI windowed KV cache (sliding_window_cache=1): refused, naming the window and the opt-out', async () => {
    const dir = await models.write('windowed-cache');
    const options = { windowSize: 6, windowLayers: [0], windowedCache: true };
    await editModelFile(dir, (bytes) => gqaDecoder(bytes, TINY, options));
    await writeFile(join(dir, 'genai_config.json'), JSON.stringify(gqaGenaiConfig(TINY, options)));
    await assert.rejects(loadModelLayout(dir), /sliding_window_cache=1, window 6\).*windowed_kv_cache=false/);
    // onnxruntime-node itself loads it: the refusal is about how the cache must be fed, not the file.
    await (await ort.InferenceSession.create(join(dir, 'model.onnx'), { logSeverityLevel: 3 })).release();
  });

  test('compare refuses before starting the runner, exit 2 with the reason', async () => {
    const io = memoryIo(models.root);
    const code = await runCompare([base, dirs.get('qnn-epcontext')!, '--max-new-tokens', '2'], io);
    assert.equal(code, 2);
    assert.match(io.stderr.join('\n'), /quant-drift compare: .*compiled for QNNExecutionProvider/);
    assert.doesNotMatch(io.stderr.join('\n'), /\[1\//, 'no prompt ran');
  });
});
