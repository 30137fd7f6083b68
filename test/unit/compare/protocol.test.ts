import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHostToWebview, isPanelState, isWebviewToHost } from '../../../src/protocol/webview';
import { emptyPanelState } from '../../../src/features/compare/controller';
import { promptResult } from './fixtures';

test('webview -> host: well-formed messages pass', () => {
  assert.ok(isWebviewToHost({ type: 'ready' }));
  assert.ok(isWebviewToHost({ type: 'run' }));
  assert.ok(isWebviewToHost({ type: 'export', format: 'md' }));
  assert.ok(
    isWebviewToHost({
      type: 'setPrompts',
      prompts: [{ id: 'a', prompt: 'hi', expectsJson: true, schema: { type: 'object' } }],
    }),
  );
  assert.ok(isWebviewToHost({ type: 'rendered', results: 2, status: 'done' }));
});

test('webview -> host: unknown, malformed and hostile messages are rejected', () => {
  for (const bad of [
    null,
    'run',
    [],
    {},
    { type: 'runScript', code: 'x' },
    { type: 'toString' },
    { type: '__proto__' },
    { type: 'export', format: 'exe' },
    { type: 'export' },
    { type: 'loadSuite', name: '' },
    { type: 'loadSuite', name: 42 },
    { type: 'setPrompts', prompts: [{ id: 'a' }] },
    { type: 'setPrompts', prompts: [{ id: 'a', prompt: '' }] },
    { type: 'setPrompts', prompts: [{ id: 'a', prompt: 'x', expectsJson: 'yes' }] },
    { type: 'setPrompts', prompts: [{ id: 'a', prompt: 'x', schema: { f: () => 1 } }] },
    { type: 'setPrompts', prompts: 'all' },
    { type: 'pickFolder', side: 'left' },
    { type: 'rendered', results: -1, status: 'done' },
  ]) {
    assert.equal(isWebviewToHost(bad), false, JSON.stringify(bad) ?? String(bad));
  }
});

test('host -> webview: state and results are checked field by field', () => {
  const state = { ...emptyPanelState(), results: [promptResult()] };
  assert.ok(isPanelState(state));
  assert.ok(isHostToWebview({ type: 'state', state }));
  assert.ok(isHostToWebview({ type: 'promptResult', index: 0, result: promptResult() }));
  assert.equal(
    isHostToWebview({ type: 'promptResult', index: 0, result: { ...promptResult(), firstDivergence: 'x' } }),
    false,
  );
  const badSide = { ...promptResult(), quant: { ...promptResult().quant, finishReason: 'exploded' } };
  assert.equal(isHostToWebview({ type: 'promptResult', index: 0, result: badSide }), false);
  assert.equal(isHostToWebview({ type: 'state', state: { ...state, run: { ...state.run, status: 'weird' } } }), false);
  assert.equal(isHostToWebview({ type: 'notice', level: 'info' }), false);
});
