import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { memoryIo } from '../../../src/cli/io';
import { runQuantize } from '../../../src/cli/quantize';
import type { QuantizationRecipe } from '../../../src/core/quantize';
import { randomLlamaWeights, tinyLlamaConfig, writeLlamaModelFolder } from '../../../tools/model-builder/llama';

void describe('quant-drift quantize', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qd-cli-'));
    const cfg = tinyLlamaConfig();
    await writeLlamaModelFolder(join(dir, 'base'), cfg, randomLlamaWeights(cfg, 9), { dtype: 'float32' });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  void test('quantizes with the given recipe, progress on stderr, summary on stdout', async () => {
    const io = memoryIo(dir);
    const code = await runQuantize(['base', 'int4', '--asym', '--block-size', '32', '--accuracy-level', '0'], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    assert.match(io.stdout.join('\n'), /15 MatMul -> MatMulNBits \(int4 asym g32, accuracy_level 0/);
    assert.match(io.stderr.at(-1)!, /quantize: 100%/);
    const recipe = JSON.parse(
      await readFile(join(dir, 'int4', 'quantization_recipe.json'), 'utf8'),
    ) as QuantizationRecipe;
    assert.equal(recipe.symmetric, false);
    assert.equal(recipe.blockSize, 32);
  });

  void test('--json prints the recipe and report', async () => {
    const io = memoryIo(dir);
    assert.equal(
      await runQuantize([join(dir, 'base', 'model.onnx'), join(dir, 'int4-json'), '--ratio', '0.6', '--json'], io),
      0,
    );
    const printed = JSON.parse(io.stdout.join('\n')) as {
      recipe: QuantizationRecipe;
      report: { keptFloat: unknown[] };
    };
    assert.equal(printed.recipe.ratio, 0.6);
    assert.equal(printed.recipe.symmetric, true);
    assert.ok(printed.report.keptFloat.length > 0);
  });

  void test('usage errors exit 2 with a message', async () => {
    for (const [argv, message] of [
      [['base'], /expected IN and OUT/],
      [['base', 'o', '--sym', '--asym'], /exclude each other/],
      [['base', 'o', '--block-size', '48'], /block size must be one of/],
      [['base', 'o', '--ratio', '0'], /--ratio/],
      [['base', 'o', '--bogus'], /Unknown option/],
    ] as const) {
      const io = memoryIo(dir);
      assert.equal(await runQuantize([...argv], io), 2);
      assert.match(io.stderr.join('\n'), message);
    }
  });

  void test('clear errors for files that are not ONNX models', async () => {
    await mkdir(join(dir, 'text'));
    await writeFile(join(dir, 'text', 'model.onnx'), 'not a model');
    const io = memoryIo(dir);
    assert.equal(await runQuantize(['text', 'o'], io), 2);
    assert.match(io.stderr.join('\n'), /not a readable ONNX model/);
    const missing = memoryIo(dir);
    assert.equal(await runQuantize(['nowhere', 'o'], missing), 2);
    assert.match(missing.stderr.join('\n'), /does not exist/);
  });

  void test('--help', async () => {
    const io = memoryIo(dir);
    assert.equal(await runQuantize(['--help'], io), 0);
    assert.match(io.stdout[0], /--block-size/);
  });
});
