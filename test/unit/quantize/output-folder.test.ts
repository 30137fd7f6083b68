/**
 * Issue 12 items 1 and 10: a twin is never written over its input, over a folder we did not write, or left
 * half-written at OUT by a crash. Each test checks the base (or the user's folder) byte for byte afterwards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { memoryIo } from '../../../src/cli/io';
import { runQuantize } from '../../../src/cli/quantize';
import { checkTwinOutput, quantizeModelFolder, RECIPE_FILE } from '../../../src/core/quantize';
import { randomLlamaWeights, tinyLlamaConfig, writeLlamaModelFolder } from '../../../tools/model-builder/llama';

/** name -> sha256 of every file under `dir` (links followed), to compare a folder before and after. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = join(entry.parentPath, entry.name);
    if ((await stat(full)).isFile()) {
      out[full.slice(dir.length)] = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
    }
  }
  return out;
}

const options = { symmetric: true, blockSize: 32, accuracyLevel: 0 } as const;

void describe('quantize output folder', () => {
  let dir: string;
  let base: string;
  let baseBytes: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qd-out-'));
    base = join(dir, 'base');
    const cfg = tinyLlamaConfig();
    await writeLlamaModelFolder(base, cfg, randomLlamaWeights(cfg, 5), { dtype: 'float32' });
    await mkdir(join(base, 'sub'));
    baseBytes = await fingerprint(base);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const baseUnchanged = async (): Promise<void> => assert.deepEqual(await fingerprint(base), baseBytes);

  void test('OUT a symlink to IN is refused and the base is byte-identical', async () => {
    await symlink(base, join(dir, 'link-to-base'));
    const io = memoryIo(dir);
    assert.equal(await runQuantize(['base', 'link-to-base'], io), 2);
    assert.match(io.stderr.join('\n'), /is the input folder/);
    await baseUnchanged();
    await assert.rejects(quantizeModelFolder(base, join(dir, 'link-to-base'), options), /is the input folder/);
    await baseUnchanged();
  });

  void test('OUT equal to IN through `..` (after a link) is refused and the base is byte-identical', async () => {
    // alias/.. is base for the kernel (alias -> base/sub), though the string reads as the working folder.
    await symlink(join(base, 'sub'), join(dir, 'alias'));
    const io = memoryIo(dir);
    assert.equal(await runQuantize(['base', 'alias/..'], io), 2);
    assert.match(io.stderr.join('\n'), /is the input folder/);
    await baseUnchanged();
  });

  void test('OUT holding IN is refused', async () => {
    const io = memoryIo(dir);
    assert.equal(await runQuantize(['base', '.'], io), 2);
    assert.match(io.stderr.join('\n'), /holds the input folder/);
    await baseUnchanged();
  });

  void test('a non-empty OUT we did not write is refused and left as it was', async () => {
    const mine = join(dir, 'mine');
    await mkdir(mine);
    await writeFile(join(mine, 'README.md'), '# my notes\n');
    await writeFile(join(mine, 'config.json'), '{"mine": true}\n');
    const before = await fingerprint(mine);
    const io = memoryIo(dir);
    assert.equal(await runQuantize(['base', 'mine'], io), 2);
    assert.match(io.stderr.join('\n'), /not empty and is not a twin written by quant-drift/);
    assert.deepEqual(await fingerprint(mine), before);
  });

  void test('a twin we wrote is replaced whole; one holding a file of the user is refused', async () => {
    const twin = join(dir, 'twin');
    assert.equal(await runQuantize(['base', 'twin', '--asym'], memoryIo(dir)), 0);
    const first = JSON.parse(await readFile(join(twin, RECIPE_FILE), 'utf8')) as {
      symmetric: boolean;
      files: string[];
    };
    assert.equal(first.symmetric, false);
    assert.deepEqual([...first.files].sort(), (await readdir(twin)).sort());
    assert.equal(await runQuantize(['base', 'twin', '--sym'], memoryIo(dir)), 0);
    const second = JSON.parse(await readFile(join(twin, RECIPE_FILE), 'utf8')) as { symmetric: boolean };
    assert.equal(second.symmetric, true);
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('.')),
      [],
      'no staging or replaced folder is left beside OUT',
    );

    await writeFile(join(twin, 'notes.md'), 'mine\n');
    const before = await fingerprint(twin);
    const io = memoryIo(dir);
    assert.equal(await runQuantize(['base', 'twin'], io), 2);
    assert.match(io.stderr.join('\n'), /plus an entry it did not write \(notes\.md\)/);
    assert.deepEqual(await fingerprint(twin), before);
  });

  void test('a failure mid-write leaves the earlier twin at OUT byte-identical', async () => {
    const twin = join(dir, 'twin-fail');
    await quantizeModelFolder(base, twin, options);
    const before = await fingerprint(twin);
    await assert.rejects(
      quantizeModelFolder(base, twin, {
        ...options,
        onProgress: (done) => {
          if (done > 0) throw new Error('disk full (injected)');
        },
      }),
      /disk full/,
    );
    assert.deepEqual(await fingerprint(twin), before);
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.includes('twin-fail') && name !== 'twin-fail'),
      [],
      'the staging folder of the failed run is removed',
    );
  });

  void test('a twin is not replaced when an input file of the run is a link into it', async () => {
    const twin = join(dir, 'twin-linked');
    await quantizeModelFolder(base, twin, options);
    // base2 reads its tokenizer from the twin: replacing the twin would leave base2's link dangling.
    const base2 = join(dir, 'base2');
    await mkdir(base2);
    await copyFile(join(base, 'model.onnx'), join(base2, 'model.onnx'));
    await symlink(join(twin, 'tokenizer.json'), join(base2, 'tokenizer.json'));
    const before = await fingerprint(twin);
    await assert.rejects(quantizeModelFolder(base2, twin, options), /which the twin would replace/);
    assert.deepEqual(await fingerprint(twin), before);
    assert.ok((await stat(join(base2, 'tokenizer.json'))).isFile(), 'the link still resolves');
  });

  void test('checkTwinOutput tells the editor what is at OUT before it asks (nothing is written)', async () => {
    assert.equal(await checkTwinOutput(base, join(dir, 'nothing-here')), 'absent');
    await assert.rejects(stat(join(dir, 'nothing-here')), { code: 'ENOENT' });
    await mkdir(join(dir, 'empty'));
    assert.equal(await checkTwinOutput(base, join(dir, 'empty')), 'empty');
    await quantizeModelFolder(base, join(dir, 'ours'), options);
    assert.equal(await checkTwinOutput(base, join(dir, 'ours')), 'twin');
    await assert.rejects(checkTwinOutput(base, base), /is the input folder/);
  });

  /** Runs paused-writer.js on OUT, kills it with SIGKILL once it is writing. */
  async function killMidWrite(out: string): Promise<void> {
    const child = spawn(process.execPath, [join(__dirname, 'paused-writer.js'), base, out], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let said = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes('writing')) resolve();
      });
      child.on('exit', () => reject(new Error(`the writer exited before it was killed: ${said}`)));
    });
    const killed = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await killed;
  }

  void test('kill -9 mid-write leaves no partial model at a new OUT', async () => {
    const out = join(dir, 'killed-new');
    await killMidWrite(out);
    await assert.rejects(stat(out), { code: 'ENOENT' });
    const staging = (await readdir(dir)).filter((name) => name.startsWith('.killed-new.'));
    assert.equal(staging.length, 1, 'the half-written model is in the hidden staging folder, not at OUT');
    assert.ok((await readdir(join(dir, staging[0]))).includes('model.onnx'));
    // The next run into the same OUT finishes and says the leftover may be deleted; it does not delete it.
    const io = memoryIo(dir);
    assert.equal(await runQuantize(['base', 'killed-new'], io), 0);
    assert.match(io.stderr.join('\n'), /\.killed-new\..*quant-drift-partial was left by an earlier run/);
    assert.ok((await readdir(dir)).includes(staging[0]));
  });

  void test('kill -9 mid-write leaves the earlier twin at OUT byte-identical', async () => {
    const out = join(dir, 'killed-twin');
    await quantizeModelFolder(base, out, options);
    const before = await fingerprint(out);
    await killMidWrite(out);
    assert.deepEqual(await fingerprint(out), before);
    await baseUnchanged();
  });
});
