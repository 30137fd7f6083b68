import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCompare } from '../../../src/cli/compare';
import { memoryIo } from '../../../src/cli/io';
import type { CompareReport } from '../../../src/protocol/report';
import { baseWeights, perturbed, tempModels, TempModels } from './fixtures';

describe('quant-drift compare', () => {
  let models: TempModels;
  let base: string;
  let noisy: string;
  let prompts: string;
  before(async () => {
    models = await tempModels('qd-cli-');
    base = await models.write('base');
    noisy = await models.write('noisy', { weights: perturbed(baseWeights(), 0.6) });
    prompts = join(models.root, 'p.jsonl');
    await writeFile(
      prompts,
      '{"id": "one", "prompt": "Say hi."}\n{"id": "two", "prompt": "Give JSON.", "expectsJson": true}\n',
    );
  });
  after(() => models.cleanup());

  test('usage errors exit 2 with a message', async () => {
    const io = memoryIo(models.root);
    assert.equal(await runCompare([base], io), 2);
    assert.match(io.stderr.join(), /expected BASE and QUANT/);
    const io2 = memoryIo(models.root);
    assert.equal(await runCompare([base, base, '--format', 'pdf'], io2), 2);
    assert.match(io2.stderr.join(), /--format must be json, md or html/);
    const io3 = memoryIo(models.root);
    assert.equal(await runCompare([base, join(models.root, 'nope')], io3), 2);
    assert.match(io3.stderr.join(), /does not exist \(add --make-quant/);
  });

  test('a model against itself: json report on stdout, progress on stderr, exit 0', async () => {
    const io = memoryIo(models.root);
    const code = await runCompare(
      [base, base, '--prompts', prompts, '--max-new-tokens', '6', '--format', 'json', '--threads', '1'],
      io,
    );
    assert.equal(code, 0, io.stderr.join('\n'));
    const report = JSON.parse(io.stdout.join('')) as CompareReport;
    assert.deepEqual(Object.keys(report).slice(0, 5), ['base', 'quant', 'settings', 'prompts', 'summary']);
    assert.deepEqual(Object.keys(report.settings).slice(0, 4), [
      'maxNewTokens',
      'executionProvider',
      'accuracyLevel',
      'threads',
    ]);
    for (const key of [
      'prompts',
      'identicalOutputs',
      'meanKld',
      'kldP99',
      'sameTop1',
      'pplRatio',
      'deltaPRms',
      'jsonValidBase',
      'jsonValidQuant',
      'eosShift',
      'verdict',
      'reasons',
    ]) {
      assert.ok(key in report.summary, key);
    }
    assert.equal(report.summary.verdict, 'ok');
    assert.equal(report.prompts[1].expectsJson, true);
    assert.ok(io.stderr.some((line) => /\[2\/2\] quant: scoring/.test(line)));
  });

  test('a failed verdict exits 1; one run writes each --out in the format its extension names', async () => {
    const [md, json, html] = ['report.md', 'report.json', 'report.html'].map((name) => join(models.root, name));
    const io = memoryIo(models.root);
    const code = await runCompare(
      [base, noisy, '--prompts', prompts, '--max-new-tokens', '8', '--out', md, '--out', json, '--out', html],
      io,
    );
    assert.equal(code, 1);
    const stderr = io.stderr.join('\n');
    for (const [format, file] of [
      ['md', md],
      ['json', json],
      ['html', html],
    ])
      assert.ok(stderr.includes(`fail — ${format} report written to ${file}`), `${format}: ${stderr}`);
    assert.equal(stderr.match(/\[2\/2\] quant: scoring/g)?.length, 1, 'the models ran once');
    const report = JSON.parse(await readFile(json, 'utf8')) as CompareReport;
    assert.equal(report.summary.verdict, 'fail');
    assert.match(await readFile(html, 'utf8'), /^<!doctype html>/i);
    assert.match(await readFile(md, 'utf8'), /^#/);
  });

  test('--format applies to every --out, whatever its extension', async () => {
    const out = join(models.root, 'report.txt');
    const io = memoryIo(models.root);
    const code = await runCompare(
      [base, base, '--prompts', prompts, '--max-new-tokens', '4', '--format', 'json', '--out', out, '--threads', '1'],
      io,
    );
    assert.equal(code, 0, io.stderr.join('\n'));
    assert.equal((JSON.parse(await readFile(out, 'utf8')) as CompareReport).summary.verdict, 'ok');
  });

  test('corpus mode: --text with --context', async () => {
    const text = join(models.root, 'corpus.txt');
    await writeFile(text, 'Quantization keeps most of the model. '.repeat(30));
    const io = memoryIo(models.root);
    const code = await runCompare(
      [base, base, '--text', text, '--context', '32', '--format', 'json', '--threads', '1'],
      io,
    );
    assert.equal(code, 0, io.stderr.join('\n'));
    const { corpus } = JSON.parse(io.stdout.join('')) as CompareReport;
    assert.ok(corpus);
    assert.equal(corpus.context, 32);
    assert.ok(corpus.windows >= 2);
    assert.equal(corpus.pplRatio, 1);
    assert.equal(corpus.meanKld, 0);
  });
});
