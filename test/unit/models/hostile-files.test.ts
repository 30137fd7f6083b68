/**
 * Issue 12, reader items: a hostile workspace (item 3: devices, FIFOs, per-folder budget), small hostile files
 * that used to cost seconds, gigabytes or the stack (item 8), and names that corrupted counts (item 12).
 * Inspections that could hang on a regression run in a child process with a timeout, so a hang fails the test
 * instead of stalling the test runner.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { memoryIo } from '../../../src/cli/io';
import { runInspect } from '../../../src/cli/inspect';
import { BudgetExceededError, ReadBudget } from '../../../src/core/models/bounds';
import { inspectGguf } from '../../../src/core/models/gguf';
import { inspectModelFolder } from '../../../src/core/models/inspect-folder';
import { inspectIrChunks, inspectIrText } from '../../../src/core/models/openvino';
import { inspectSafetensors } from '../../../src/core/models/safetensors';
import type { ModelInfo } from '../../../src/protocol/models';
import { inspectOnnx, inspectOnnxFile } from '../../../src/core/onnx/inspect';
import { SyncHeaderSource } from '../../../src/core/onnx/inspect-source';
import { encodeLengthPrefix, encodeTag, encodeVarint, MemorySource, WireType } from '../../../src/core/onnx/wire';
import { buildOnnx } from './fixtures';

const INSPECT_MODULE = path.resolve(__dirname, '../../../src/core/models/inspect-folder.js');

/** inspectModelFolder in a child process: a hang or a runaway read is killed after `timeoutMs`. */
function inspectInChild(target: string, timeoutMs = 20_000): ModelInfo {
  const script = `require(${JSON.stringify(INSPECT_MODULE)}).inspectModelFolder(${JSON.stringify(target)})
    .then((info) => process.stdout.write(JSON.stringify(info)))`;
  const child = spawnSync(process.execPath, ['--max-old-space-size=256', '-e', script], {
    timeout: timeoutMs,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.equal(child.signal, null, `the inspection was killed after ${timeoutMs} ms (hung or ran away)`);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as ModelInfo;
}

const field = (number: number, payload: Uint8Array): Buffer =>
  Buffer.concat([encodeLengthPrefix(number, payload.length), payload]);
const text = (number: number, value: string): Buffer => field(number, Buffer.from(value));
/** A ModelProto around graph fields (nodes, initializers...). */
const model = (...graphFields: Uint8Array[]): Buffer =>
  Buffer.concat([encodeTag(1, WireType.Varint), encodeVarint(8), field(7, Buffer.concat(graphFields))]);
const node = (opType: string): Buffer => field(1, text(4, opType));

/** A safetensors file with this header text (no tensor data), in a temporary folder. */
async function safetensorsFile(header: string): Promise<string> {
  const json = Buffer.from(header);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-st-'));
  const file = path.join(folder, 'model.safetensors');
  await fs.writeFile(file, Buffer.concat([length, json]));
  return file;
}

describe('hostile workspace files (issue 12 item 3)', () => {
  let root: string;
  const onnx = buildOnnx({ kind: 'int4-sym' }).model;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-hostile-'));
  });
  after(() => fs.rm(root, { recursive: true, force: true }));

  test('openvino_model.xml linked to /dev/zero is refused at once, not read forever', async () => {
    const folder = path.join(root, 'ir-zero');
    await fs.mkdir(folder);
    await fs.symlink('/dev/zero', path.join(folder, 'openvino_model.xml'));
    await fs.writeFile(path.join(folder, 'openvino_model.bin'), Buffer.alloc(16));
    const info = inspectInChild(folder);
    assert.match(info.error ?? '', /openvino_model\.xml is a device, not a regular file/);
    assert.equal(info.devices['intel-npu-lnl'].verdict, 'no');
  });

  test('a FIFO named model.onnx is refused without blocking the open', async () => {
    const folder = path.join(root, 'onnx-fifo');
    await fs.mkdir(folder);
    const made = spawnSync('mkfifo', [path.join(folder, 'model.onnx')]);
    assert.equal(made.status, 0, 'mkfifo');
    const info = inspectInChild(folder);
    assert.match(info.error ?? '', /model\.onnx is a named pipe \(FIFO\), not a regular file/);
  });

  test('config.json linked to /dev/zero is a config error in the output; the model still reads', async () => {
    const folder = path.join(root, 'config-zero');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'model.onnx'), onnx);
    await fs.symlink('/dev/zero', path.join(folder, 'config.json'));
    const info = inspectInChild(folder);
    assert.equal(info.error, undefined);
    assert.match(String(info.details.configErrors), /config\.json: .*a device, not a regular file/);
    // item 12: config errors reach `inspect`'s output, JSON and text.
    const io = memoryIo(root);
    await runInspect([folder, '--format', 'json'], io);
    const [entry] = JSON.parse(io.stdout.join('')) as { configErrors?: string[] }[];
    assert.match(entry?.configErrors?.[0] ?? '', /config\.json: .*not a regular file/);
    const textIo = memoryIo(root);
    await runInspect([folder], textIo);
    assert.match(textIo.stdout.join(''), /config not read: config\.json/);
  });

  test('a folder past its byte budget becomes an error item; the budget also bounds time', async () => {
    const folder = path.join(root, 'budget');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'model.onnx'), onnx);
    const info = await inspectModelFolder(folder, { limits: { maxBytes: 100, maxMs: 60_000 } });
    assert.match(info.error ?? '', /stopped after reading/);
    let clock = 0;
    const budget = new ReadBudget(1_000_000, 5_000, () => clock);
    budget.charge(10);
    clock = 5_001;
    assert.throws(() => budget.charge(10), BudgetExceededError);
    assert.throws(() => budget.check(), /stopped after 5 s/);
  });
});

describe('small hostile files cost little (issue 12 item 8)', () => {
  test('safetensors: a deeply nested header is refused before JSON.parse', async () => {
    const depth = 2_000_000;
    const file = await safetensorsFile(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    await assert.rejects(inspectSafetensors(file), /nested deeper than 8 levels/);
    await fs.rm(path.dirname(file), { recursive: true });
  });

  test('ONNX: 200 KB of packed dims is a clear error, not a stack overflow', async () => {
    const tensor = field(5, Buffer.concat([field(1, Buffer.alloc(200_000, 1)), text(8, 'w')]));
    await assert.rejects(inspectOnnx(new MemorySource(model(tensor))), /a packed field of 200000 bytes/);
  });

  test('ONNX: hundreds of thousands of empty nodes stop at the node cap', async () => {
    const empty = Buffer.from([0x0a, 0x00]);
    const nodes = Buffer.alloc(empty.length * 250_000);
    for (let offset = 0; offset < nodes.length; offset += 2) empty.copy(nodes, offset);
    await assert.rejects(inspectOnnx(new MemorySource(model(nodes))), /more than 200000 nodes/);
  });

  test('ONNX: a text field longer than 1 MB is refused, not read whole', async () => {
    const source = new MemorySource(model(node('MatMul'), field(1, text(3, 'x'.repeat(2 * 1024 * 1024)))));
    await assert.rejects(inspectOnnx(source), /a text field of 2097152 bytes/);
    assert.ok(source.bytesRead < 64 * 1024, `${source.bytesRead} bytes read`);
  });

  test('ONNX: the file source refuses a read longer than its cap (the comment in inspect-source.ts holds)', async () => {
    const file = path.join(os.tmpdir(), `qd-sparse-${process.pid}.onnx`);
    await fs.writeFile(file, '');
    await fs.truncate(file, 40 * 1024 * 1024); // sparse: no disk used
    try {
      const source = SyncHeaderSource.open(file);
      try {
        await assert.rejects(source.read(0, 40 * 1024 * 1024), /refusing to read 41943040 bytes/);
      } finally {
        await source.close();
      }
      await assert.rejects(inspectOnnxFile(file), /./);
    } finally {
      await fs.rm(file, { force: true });
    }
  });

  test('OpenVINO XML: an unclosed comment is scanned once and reported, not re-scanned per chunk', () => {
    const chunks = ['<net name="x" version="11"><layers><!--'];
    for (let index = 0; index < 128; index++) chunks.push('a'.repeat(256 * 1024));
    assert.throws(() => inspectIrChunks(chunks), /a comment never closed/);
    // A comment split anywhere, even inside its "-->", still ends.
    const ir = inspectIrChunks(['<net name="x" version="11"><!-- a -', '-', '> <layers></layers></net>']);
    assert.equal(ir.name, 'x');
  });

  test('OpenVINO XML: deep nesting is refused', () => {
    assert.throws(
      () => inspectIrText(`<net name="x" version="11">${'<a>'.repeat(100_000)}`),
      /elements nested more than 64 deep/,
    );
  });

  test('GGUF: deeply nested arrays are refused', async () => {
    const u32 = (value: number): Buffer => Buffer.from(Uint32Array.of(value).buffer);
    const u64 = (value: number): Buffer => Buffer.from(BigUint64Array.of(BigInt(value)).buffer);
    const key = Buffer.concat([u64(3), Buffer.from('key')]);
    const levels = 100_000;
    const nested = Buffer.concat([...Array.from({ length: levels }, () => Buffer.concat([u32(9), u64(1)])), u32(4)]);
    const file = Buffer.concat([Buffer.from('GGUF'), u32(3), u64(0), u64(1), key, u32(9), nested, u32(1)]);
    await assert.rejects(inspectGguf(new MemorySource(file)), /arrays nested more than 4 deep/);
  });

  test('GGUF: absurd tensor and key counts are refused up front', async () => {
    const u32 = (value: number): Buffer => Buffer.from(Uint32Array.of(value).buffer);
    const u64 = (value: number): Buffer => Buffer.from(BigUint64Array.of(BigInt(value)).buffer);
    const file = Buffer.concat([Buffer.from('GGUF'), u32(3), u64(2 ** 40), u64(0), Buffer.alloc(64)]);
    await assert.rejects(inspectGguf(new MemorySource(file)), /1099511627776 tensors and 0 metadata keys claimed/);
  });
});

describe('names from files are only names (issue 12 item 12)', () => {
  test('ONNX op types constructor and __proto__ count like any other', async () => {
    const summary = await inspectOnnx(
      new MemorySource(model(node('constructor'), node('constructor'), node('__proto__'), node('MatMul'))),
    );
    assert.equal(summary.opCounts.constructor, 2);
    assert.ok(Object.hasOwn(summary.opCounts, '__proto__'));
    assert.equal(Object.getOwnPropertyDescriptor(summary.opCounts, '__proto__')?.value, 1);
    assert.equal(summary.opCounts.MatMul, 1);
  });

  test('OpenVINO layer types and rt_info keys named constructor / __proto__', () => {
    const ir = inspectIrText(
      '<net name="x" version="11"><layers><layer id="0" type="constructor"/><layer id="1" type="__proto__"/>' +
        '</layers><rt_info><__proto__ value="a"/><constructor value="b"/></rt_info></net>',
    );
    assert.equal(ir.layerCounts.constructor, 1);
    assert.equal(Object.getOwnPropertyDescriptor(ir.layerCounts, '__proto__')?.value, 1);
    assert.equal(Object.getOwnPropertyDescriptor(ir.rtInfo, '__proto__')?.value, 'a');
    assert.equal(ir.rtInfo.constructor, 'b');
  });

  test('safetensors: a null entry is a clear error, dtype __proto__ counts', async () => {
    await assert.rejects(
      inspectSafetensors(await safetensorsFile('{"w": null}')),
      (error: unknown) => !(error instanceof TypeError) && /tensor 'w' has no dtype\/shape/.test(String(error)),
    );
    const summary = await inspectSafetensors(
      await safetensorsFile('{"a":{"dtype":"__proto__","shape":[2,3]},"b":{"dtype":"constructor","shape":[4]}}'),
    );
    assert.equal(Object.getOwnPropertyDescriptor(summary.elementsByDtype, '__proto__')?.value, 6);
    assert.equal(summary.elementsByDtype.constructor, 4);
  });

  test('GGUF metadata keys __proto__ and constructor are kept as keys', async () => {
    const u32 = (value: number): Buffer => Buffer.from(Uint32Array.of(value).buffer);
    const u64 = (value: number): Buffer => Buffer.from(BigUint64Array.of(BigInt(value)).buffer);
    const str = (value: string): Buffer => Buffer.concat([u64(Buffer.byteLength(value)), Buffer.from(value)]);
    const file = Buffer.concat([
      Buffer.from('GGUF'),
      u32(3),
      u64(0),
      u64(2),
      str('__proto__'),
      u32(8),
      str('x'),
      str('constructor'),
      u32(4),
      u32(7),
    ]);
    const summary = await inspectGguf(new MemorySource(file));
    assert.equal(Object.getOwnPropertyDescriptor(summary.metadata, '__proto__')?.value, 'x');
    assert.equal(summary.metadata.constructor, 7);
    assert.equal(Object.getPrototypeOf(summary.metadata), Object.prototype);
  });
});
