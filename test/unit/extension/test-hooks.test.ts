/**
 * Issue 12 item 12: the `_test` commands and `_treeSnapshot` exist only under the test harness
 * (ExtensionMode.Test, which --extensionTestsPath gives the integration tests), never in a production install.
 * activate() runs in plain node against the permissive `vscode` stub, with registerCommand recorded.
 */
import assert from 'node:assert/strict';
import Module from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fakeContext, permissiveStub, vscodeApiNames } from '../support/vscode-stub';

const ROOT = path.resolve(__dirname, '../../../..');
const EXTENSION = path.resolve(__dirname, '../../../src/extension.js');
const MODES = { Production: 1, Development: 2, Test: 3 } as const;

// One stub for every activation: the compiled modules keep the `vscode` they were first loaded with.
const vscode = permissiveStub('vscode', vscodeApiNames(ROOT)) as Record<string, unknown>;
vscode.ExtensionMode = MODES;
let ids: string[] = [];
(vscode.commands as Record<string, unknown>).registerCommand = (id: string) => {
  ids.push(id);
  return { dispose: () => undefined };
};

function commandsRegistered(extensionMode: number): string[] {
  ids = [];
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = loader._load;
  loader._load = (request: string, ...rest: unknown[]) =>
    request === 'vscode' ? vscode : originalLoad(request, ...rest);
  const context = fakeContext(ROOT, extensionMode) as { subscriptions: { dispose?: () => void }[] };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const extension = require(EXTENSION) as { activate: (context: unknown) => unknown };
    extension.activate(context);
    return ids;
  } finally {
    for (const disposable of context.subscriptions) disposable.dispose?.();
    loader._load = originalLoad;
  }
}

const HOOKS = ['quantDrift._test.compareState', 'quantDrift._test.compareSend', 'quantDrift.models._treeSnapshot'];

test('production and development activations register no test hook; the test harness gets all three', () => {
  for (const mode of [MODES.Production, MODES.Development]) {
    const ids = commandsRegistered(mode);
    assert.ok(ids.includes('quantDrift.models.refresh'), 'the stub saw the real registrations');
    assert.deepEqual(
      ids.filter((id) => id.includes('._test') || id.includes('._')),
      [],
      `mode ${mode} registered a test hook`,
    );
  }
  const underTest = commandsRegistered(MODES.Test);
  for (const hook of HOOKS) assert.ok(underTest.includes(hook), `${hook} missing under the test harness`);
});
