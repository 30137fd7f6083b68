/** Workspace prompt files: offered when they parse as our schema, and the one nearest the base model preselected. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nearestPromptFile, readPromptFiles, workspaceOption } from '../../../src/features/compare/workspace-suites';

test('the demo layout: models/fp16 finds prompts/debian-heldout.jsonl; other JSONL files are skipped', async () => {
  const root = mkdtempSync(join(tmpdir(), 'qd-suites-'));
  try {
    const demo = join(root, 'demo');
    for (const dir of ['models/fp16', 'prompts', 'data']) mkdirSync(join(demo, dir), { recursive: true });
    const heldout = join(demo, 'prompts', 'debian-heldout.jsonl');
    writeFileSync(heldout, '{"prompt": "Describe the Debian package w3m as JSON.", "expectsJson": true}\n');
    const logs = join(demo, 'data', 'events.jsonl');
    writeFileSync(logs, '{"event": "start"}\n');
    const other = join(root, 'other.jsonl');
    writeFileSync(other, '{"prompt": "hi"}\n');
    const skipped: string[] = [];
    const files = await readPromptFiles([heldout, logs, other], [root], (path) => skipped.push(path));
    assert.deepEqual(
      files.map((f) => f.label),
      ['demo/prompts/debian-heldout.jsonl', 'other.jsonl'],
    );
    assert.deepEqual(skipped, [logs]);
    assert.equal(nearestPromptFile(join(demo, 'models', 'fp16'), files, [root])?.path, heldout);
    // Outside any workspace folder nothing is preselected; a folder with no prompt file above it gets the root's.
    assert.equal(nearestPromptFile('/elsewhere/model', files, [root]), null);
    mkdirSync(join(root, 'x', 'model'), { recursive: true });
    assert.equal(nearestPromptFile(join(root, 'x', 'model'), files, [root])?.path, other);
    assert.match(workspaceOption(files[0]).detail, /1 prompt in this workspace/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
