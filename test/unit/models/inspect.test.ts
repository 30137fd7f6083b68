import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspectOnnx, inspectOnnxFile, pastKeyValuesLayout } from '../../../src/core/onnx/inspect';
import { MemorySource } from '../../../src/core/onnx/wire';
import { describePrecision, inspectModelFolder } from '../../../src/core/models';
import { inspectGguf } from '../../../src/core/models/gguf';
import { inspectIrChunks, inspectIrText } from '../../../src/core/models/openvino';
import { buildGguf, buildIrXml, buildOnnx, writeModelFolders } from './fixtures';

describe('ONNX header-only inspector', () => {
  test('fp32: dtype, params, opset, past_key_values layout', async () => {
    const source = new MemorySource(buildOnnx({ kind: 'fp32', layers: 3, K: 64, N: 32 }).model);
    const summary = await inspectOnnx(source);
    assert.equal(summary.opCounts.MatMul, 3);
    assert.equal(summary.opsets['ai.onnx'], 17);
    assert.equal(summary.params, 128 * 64 + 3 * 64 * 32);
    assert.deepEqual(pastKeyValuesLayout(summary.inputs), {
      layers: 3,
      shape: ['batch_size', 4, 'past_sequence_length', 16],
    });
    assert.equal(summary.elementsByDtype.float32, 128 * 64 + 3 * 64 * 32);
  });

  test('MatMulNBits: bits, block size, accuracy level, zero points', async () => {
    const sym = await inspectOnnx(
      new MemorySource(buildOnnx({ kind: 'int4-sym', K: 128, N: 64, blockSize: 32 }).model),
    );
    assert.equal(sym.matMulNBits.length, 2);
    assert.deepEqual(
      sym.matMulNBits.map((node) => [
        node.bits,
        node.blockSize,
        node.accuracyLevel,
        node.K,
        node.N,
        node.hasZeroPoints,
      ]),
      [
        [4, 32, 4, 128, 64, false],
        [4, 32, 4, 128, 64, false],
      ],
    );
    assert.equal(sym.opCounts['com.microsoft::MatMulNBits'], 2);
    // Logical parameters: N*K per MatMulNBits plus the embedding, not the packed blobs and scales.
    assert.equal(sym.params, 2 * 128 * 64 + 128 * 128);
    const asym = await inspectOnnx(new MemorySource(buildOnnx({ kind: 'int4-asym' }).model));
    assert.ok(asym.matMulNBits.every((node) => node.hasZeroPoints));
  });

  test('QDQ int4: signed without zero point is symmetric, uint4 with zero point is not', async () => {
    const signed = await inspectOnnx(new MemorySource(buildOnnx({ kind: 'qdq-int4' }).model));
    assert.equal(signed.qdq.int4Nodes, 2);
    assert.deepEqual(signed.qdq.blockSizes, [32]);
    assert.equal(signed.qdq.withZeroPoint, 0);
    const unsigned = await inspectOnnx(new MemorySource(buildOnnx({ kind: 'qdq-int4-asym' }).model));
    assert.equal(unsigned.qdq.signedTypes, 0);
  });

  test('reads headers only: a model with 4 MB of weights costs a few KB', async () => {
    const bytes = buildOnnx({ kind: 'fp32', layers: 4, K: 512, N: 512 }).model;
    const source = new MemorySource(bytes);
    await inspectOnnx(source);
    assert.ok(bytes.length > 4_000_000);
    assert.ok(source.bytesRead < 8_000, `read ${source.bytesRead} bytes`);
  });

  test('from disk: a few KB of positional reads for 4 MB of weights, and the file is closed', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-onnx-disk-'));
    const file = path.join(dir, 'model.onnx');
    await fs.writeFile(file, buildOnnx({ kind: 'fp32', layers: 4, K: 512, N: 512 }).model);
    const summary = await inspectOnnxFile(file);
    assert.equal(summary.initializers.length, 5);
    assert.ok(summary.bytesRead < 16_000, `read ${summary.bytesRead} bytes`);
    await fs.rm(dir, { recursive: true, force: true });
    await assert.rejects(inspectOnnxFile(file), /ENOENT/);
  });

  test('external data: files named, payloads not in the model file', async () => {
    const built = buildOnnx({ kind: 'int4-sym', externalDataFile: 'model.onnx.data' });
    const summary = await inspectOnnx(new MemorySource(built.model));
    assert.deepEqual(summary.externalDataFiles, ['model.onnx.data']);
    assert.ok(summary.initializers.every((init) => init.external));
    assert.ok(built.model.length < 4096);
  });

  test('truncated, corrupted and empty input give a clear error', async () => {
    const bytes = buildOnnx({ kind: 'fp32' }).model;
    await assert.rejects(
      inspectOnnx(new MemorySource(bytes.subarray(0, bytes.length - 100))),
      /truncated|past the end|claims/,
    );
    await assert.rejects(inspectOnnx(new MemorySource(new Uint8Array(0))), /empty/);
    const garbage = new Uint8Array(64).fill(0xff);
    await assert.rejects(inspectOnnx(new MemorySource(garbage)));
  });
});

describe('OpenVINO IR, GGUF', () => {
  test('IR rt_info and weight element types', () => {
    const summary = inspectIrText(buildIrXml({ mode: 'int4_asym', groupSize: 128, weights: 'u4' }));
    assert.equal(summary.rtInfo['nncf/weight_compression/mode'], 'int4_asym');
    assert.equal(summary.rtInfo['nncf/weight_compression/group_size'], '128');
    assert.equal(summary.rtInfo['nncf/version'], '3.2.0');
    assert.ok((summary.weightElementsByType.u4 ?? 0) > 0);
    assert.equal(summary.weightElementsByType.f16, undefined, 'scales [N, G, 1] are not weights');
    assert.equal(summary.layerCounts.ReadValue, 1);
  });

  test('IR split across chunk boundaries parses the same', () => {
    const xml = buildIrXml({ mode: 'int4_sym', groupSize: -1, weights: 'i4' });
    const whole = inspectIrText(xml);
    for (const size of [1, 7, 100]) {
      const chunks: string[] = [];
      for (let at = 0; at < xml.length; at += size) chunks.push(xml.slice(at, at + size));
      assert.deepEqual(inspectIrChunks(chunks), whole);
    }
    assert.equal(whole.rtInfo['nncf/weight_compression/mode'], 'int4_sym');
  });

  test('truncated IR is an error', () => {
    const xml = buildIrXml({ weights: 'f16' });
    assert.throws(() => inspectIrText(xml.slice(0, xml.length / 2)), /truncated|never closed/);
    assert.throws(() => inspectIrText('<html></html>'), /not an OpenVINO IR/);
  });

  test('GGUF header: architecture, file type, tensor count, params', async () => {
    const summary = await inspectGguf(new MemorySource(buildGguf({ fileType: 15, tensors: 3 })));
    assert.equal(summary.architecture, 'llama');
    assert.equal(summary.fileType, 'Q4_K_M');
    assert.equal(summary.tensorCount, 3);
    assert.equal(summary.params, 3 * 256 * 64);
    assert.deepEqual(summary.metadata['tokenizer.ggml.tokens'], { arrayOf: 'string', length: 300 });
    const bytes = buildGguf({ fileType: 2 });
    await assert.rejects(inspectGguf(new MemorySource(bytes.subarray(0, 200))), /truncated/);
    await assert.rejects(inspectGguf(new MemorySource(Buffer.from('NOPE1234'))), /not a GGUF/);
  });
});

describe('inspectModelFolder and verdicts', () => {
  let root: string;
  let folders: Record<string, string>;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-models-'));
    folders = await writeModelFolders(root);
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const expectations: [string, string, string, Record<string, 'ok' | 'warn' | 'no'>][] = [
    ['onnx-fp32', 'onnx', 'fp32', { cpu: 'ok', 'apple-ane': 'no', 'qualcomm-htp': 'warn' }],
    ['onnx-fp16', 'onnx', 'fp16', { cpu: 'ok', 'intel-npu-lnl': 'warn' }],
    ['onnx-int4-sym', 'onnx', 'int4 sym g32 al4', { cpu: 'ok', 'intel-npu-lnl': 'warn', 'qualcomm-htp': 'warn' }],
    ['onnx-int4-asym', 'onnx', 'int4 asym g32 al4', { cpu: 'ok', 'intel-npu-lnl': 'no', 'intel-npu-mtl': 'no' }],
    ['onnx-qdq-int4', 'onnx', 'int4 sym g32', { 'qualcomm-htp': 'ok' }],
    ['genai-int4-external', 'onnx-genai', 'int4 sym g32 al4', { cpu: 'ok' }],
    [
      'ov-int4-sym-cw',
      'openvino-ir',
      'int4 sym channel-wise',
      { 'intel-npu-mtl': 'ok', 'intel-npu-lnl': 'ok', 'qualcomm-htp': 'no' },
    ],
    ['ov-int4-asym', 'openvino-ir', 'int4 asym g128', { 'intel-npu-lnl': 'no', cpu: 'ok' }],
    ['ov-nf4', 'openvino-ir', 'nf4 channel-wise', { 'intel-npu-mtl': 'no', 'intel-npu-lnl': 'ok' }],
    ['ov-int8', 'openvino-ir', 'int8 asym channel-wise', { 'intel-npu-lnl': 'warn', cpu: 'ok' }],
    ['ov-fp16', 'openvino-ir', 'fp16', { 'intel-npu-lnl': 'warn', cpu: 'ok' }],
    ['ov-int4-sym-ratio', 'openvino-ir', 'int4 sym g128 ratio 0.8', { 'intel-npu-lnl': 'warn' }],
    ['gguf-q4km', 'gguf', 'Q4_K_M', { cpu: 'ok', 'intel-npu-lnl': 'no' }],
    ['hf-fp16-safetensors', 'safetensors', 'fp16', { cpu: 'ok', 'intel-npu-lnl': 'warn' }],
    ['hf-awq-safetensors', 'safetensors', 'int4 asym g128', { 'intel-npu-lnl': 'no' }],
  ];
  for (const [key, format, precision, verdicts] of expectations) {
    test(`${key}: ${format}, ${precision}`, async () => {
      const info = await inspectModelFolder(folders[key]!);
      assert.equal(info.error, undefined, info.error);
      assert.equal(info.format, format);
      assert.equal(describePrecision(info), precision);
      for (const [device, verdict] of Object.entries(verdicts)) {
        assert.equal(
          info.devices[device as keyof typeof info.devices].verdict,
          verdict,
          `${device}: ${info.devices[device as keyof typeof info.devices].reasons.join(' | ')}`,
        );
      }
      assert.ok(info.sizeBytes > 0);
      assert.ok(info.params && info.params > 0);
    });
  }

  test('asymmetric INT4 on NPU cites the compiler failure', async () => {
    const info = await inspectModelFolder(folders['ov-int4-asym']!);
    const npu = info.devices['intel-npu-lnl'];
    assert.ok(npu.rules?.includes('npu-asymmetric-int4'));
    assert.match(npu.reasons.join(' '), /34450/);
  });

  test('fp16 and int8 LLM IRs on NPU: outside the documented recipe, INT8 cites openvino#35641', async () => {
    const fp16 = await inspectModelFolder(folders['ov-fp16']!);
    assert.equal(fp16.isLlm, true);
    assert.ok(fp16.devices['intel-npu-mtl'].rules?.includes('npu-undocumented-precision'));
    const int8 = await inspectModelFolder(folders['ov-int8']!);
    assert.match(int8.devices['intel-npu-lnl'].reasons.join(' '), /35641/);
  });

  test('the verdicts come from the injected rule engine', async () => {
    const info = await inspectModelFolder(folders['ov-int4-asym']!, {
      evaluate: (recipe, target) => [
        { rule: 'probe', severity: 'warning', message: `saw ${recipe.dialect}`, span: recipe.span, fixes: [], target },
      ],
    });
    assert.equal(info.devices.cpu.verdict, 'warn');
    assert.deepEqual(info.devices.cpu.reasons.slice(-1), ['saw model-files']);
  });

  test('tokenizer files present and missing', async () => {
    const ir = await inspectModelFolder(folders['ov-int4-sym-cw']!);
    assert.deepEqual(ir.files.tokenizer.missing, []);
    const gguf = await inspectModelFolder(folders['onnx-fp32']!);
    assert.ok(gguf.files.tokenizer.present.includes('tokenizer.json'));
  });

  test('bad input: entry with an error, never a throw', async () => {
    const bad = path.join(root, 'bad');
    await fs.mkdir(path.join(bad, 'zero'), { recursive: true });
    await fs.writeFile(path.join(bad, 'zero', 'model.onnx'), '');
    await fs.mkdir(path.join(bad, 'truncated'), { recursive: true });
    const onnxBytes = buildOnnx({ kind: 'fp32' }).model;
    await fs.writeFile(path.join(bad, 'truncated', 'model.onnx'), onnxBytes.subarray(0, onnxBytes.length / 2));
    await fs.mkdir(path.join(bad, 'gguf'), { recursive: true });
    await fs.writeFile(path.join(bad, 'gguf', 'x.gguf'), buildGguf({ fileType: 15 }).subarray(0, 100));
    await fs.mkdir(path.join(bad, 'st'), { recursive: true });
    await fs.writeFile(path.join(bad, 'st', 'model.safetensors'), Buffer.from([255, 255, 255, 255, 0, 0, 0, 0, 1, 2]));
    await fs.writeFile(path.join(bad, 'st', 'config.json'), '{}');
    await fs.mkdir(path.join(bad, 'ir'), { recursive: true });
    await fs.writeFile(
      path.join(bad, 'ir', 'openvino_model.xml'),
      '<?xml version="1.0"?><net name="x"><layers><layer id="0"',
    );
    await fs.writeFile(path.join(bad, 'ir', 'openvino_model.bin'), '');
    await fs.mkdir(path.join(bad, 'missing-data'), { recursive: true });
    await fs.writeFile(
      path.join(bad, 'missing-data', 'model.onnx'),
      buildOnnx({ kind: 'fp16', externalDataFile: 'model.onnx.data' }).model,
    );
    const cases: [string, RegExp][] = [
      ['zero', /empty/],
      ['truncated', /truncated|claims|past the end/],
      ['gguf', /truncated/],
      ['st', /corrupted|truncated/],
      ['ir', /truncated|never closed/],
      ['missing-data', /external data file missing: model.onnx.data/],
      ['does-not-exist', /not found/],
    ];
    for (const [name, pattern] of cases) {
      const info = await inspectModelFolder(path.join(bad, name));
      assert.match(info.error ?? '', pattern, name);
      assert.equal(info.devices.cpu.verdict, 'no');
    }
  });

  test('an aborted inspection rejects with the abort', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(inspectModelFolder(folders['onnx-fp32']!, { signal: controller.signal }));
  });
});
