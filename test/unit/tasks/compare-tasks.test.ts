import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCompare } from '../../../src/cli/compare';
import { memoryIo } from '../../../src/cli/io';
import { formatReport } from '../../../src/core/drift/format';
import type { CompareReport } from '../../../src/protocol/report';
import { baseWeights, perturbed, tempModels, TempModels } from '../drift/fixtures';

describe('quant-drift compare with tasks (instruction checks, multiple choice, sampling)', () => {
  let models: TempModels;
  let base: string;
  let noisy: string;
  let prompts: string;
  let choices: string;
  before(async () => {
    models = await tempModels('qd-tasks-');
    base = await models.write('base');
    noisy = await models.write('noisy', { weights: perturbed(baseWeights(), 0.6) });
    prompts = join(models.root, 'p.jsonl');
    await writeFile(
      prompts,
      [
        JSON.stringify({ id: 'words', prompt: 'Say hi.', checks: [{ type: 'max-words', value: 400 }] }),
        JSON.stringify({
          key: 7,
          prompt: 'Give JSON.',
          expectsJson: true,
          instruction_id_list: ['punctuation:no_comma', 'detectable_format:json_format'],
          kwargs: [{}, {}],
        }),
      ].join('\n'),
    );
    choices = join(models.root, 'mc.jsonl');
    await writeFile(
      choices,
      [
        JSON.stringify({ id: 'c1', context: 'The answer is', choices: [' yes', ' no', ' maybe'], answer: 0 }),
        JSON.stringify({ question: 'Which?', subject: 'abstract_algebra', choices: ['a', 'b', 'c', 'd'], answer: 2 }),
      ].join('\n'),
    );
  });
  after(() => models.cleanup());

  test('a model against itself: every task delta is 0 with a zero-width interval, p = 1, verdict ok', async () => {
    const io = memoryIo(models.root);
    const args = [base, base, '--prompts', prompts, '--choices', choices, '--max-new-tokens', '6'];
    const code = await runCompare([...args, '--samples', '2', '--format', 'json', '--threads', '1'], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    const report = JSON.parse(io.stdout.join('')) as CompareReport;
    const tasks = report.tasks!;
    assert.deepEqual(
      tasks.deltas.map((d) => d.metric),
      [
        'ifeval-prompt-strict',
        'ifeval-prompt-loose',
        'ifeval-instruction-strict',
        'ifeval-instruction-loose',
        'mc-acc',
        'mc-acc-norm',
        'json-valid',
        'sampled-json-valid',
        'sampled-instructions-strict',
      ],
    );
    for (const d of tasks.deltas) {
      assert.equal(d.deltaPp, 0, d.metric);
      assert.equal(d.ciLowPp, 0, d.metric);
      assert.equal(d.ciHighPp, 0, d.metric);
      if (d.pValue !== null) assert.equal(d.pValue, 1, d.metric);
    }
    assert.equal(tasks.deltas.find((d) => d.metric === 'ifeval-instruction-strict')!.n, 2); // prompts are the unit
    assert.equal(report.prompts[1].id, 'p-7');
    assert.deepEqual(report.prompts[1].instructionIds, ['punctuation:no_comma', 'detectable_format:json_format']);
    assert.deepEqual(report.prompts[1].instructions!.base, report.prompts[1].instructions!.quant);
    assert.equal(report.prompts[0].samples!.base.k, 2);
    const mc = tasks.multipleChoice!.items;
    assert.equal(mc.length, 2);
    assert.match(mc[1].context, /^The following are multiple choice questions \(with answers\) about abstract algebra/);
    assert.deepEqual(mc[1].choices, [' A', ' B', ' C', ' D']);
    assert.deepEqual(mc[0].base, mc[0].quant);
    assert.equal(report.summary.verdict, 'ok');
    assert.match(
      io.stderr.join('\n'),
      /Instructions, prompt-level strict \+0\.0 pp \[\+0\.0, \+0\.0\], p = 1\.00, n = 2/,
    );
    const md = formatReport(report, 'md');
    assert.match(md, /## Task deltas/);
    assert.match(md, /## Instruction checks/);
    assert.match(md, /## Multiple choice/);
    assert.match(md, /## Sampling/);
    const html = formatReport(report, 'html');
    assert.match(html, /<h2>Task deltas<\/h2>/);
  });

  test('a perturbed twin: multiple-choice scores differ between the sides, one-at-a-time gives the same report', async () => {
    const run = async (extra: string[]): Promise<CompareReport> => {
      const io = memoryIo(models.root);
      const args = [base, noisy, '--prompts', prompts, '--choices', choices, '--max-new-tokens', '4'];
      const code = await runCompare([...args, ...extra, '--format', 'json', '--threads', '1'], io);
      assert.ok(code === 0 || code === 1, io.stderr.join('\n'));
      return JSON.parse(io.stdout.join('')) as CompareReport;
    };
    const together = await run([]);
    const apart = await run(['--one-at-a-time']);
    const items = together.tasks!.multipleChoice!.items;
    assert.notDeepEqual(items[0].base.loglikelihoods, items[0].quant.loglikelihoods);
    assert.deepEqual(apart.tasks!.multipleChoice!.items, items);
    assert.deepEqual(apart.tasks!.deltas, together.tasks!.deltas);
  });

  test('bad task input is a clear error', async () => {
    const bad = join(models.root, 'bad.csv');
    await writeFile(bad, 'q,a,b,c,d,E\n');
    const io = memoryIo(models.root);
    assert.equal(await runCompare([base, base, '--prompts', prompts, '--choices', bad], io), 2);
    assert.match(io.stderr.join(), /bad\.csv:row 1: the answer must be A, B, C or D/);
    const io2 = memoryIo(models.root);
    assert.equal(await runCompare([base, base, '--text', prompts, '--samples', '3'], io2), 2);
    assert.match(io2.stderr.join(), /work with prompts, not --text/);
  });
});
