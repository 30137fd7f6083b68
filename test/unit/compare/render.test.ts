/**
 * The page's rendering path under a DOM (happy-dom): model output holding `<script>` and `<img onerror>`
 * is shown as text, never parsed. The webview code is bundled with esbuild exactly as for the panel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { Window, type HTMLElement } from 'happy-dom';
import { promptResult, report } from './fixtures';

/** The repository root: up from the compiled test until the webview sources are found (else the cwd). */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'webview', 'render', 'results.ts'))) return dir;
  }
  return process.cwd();
}
const root = repoRoot();

function loadRenderers(window: Window): Record<string, (...args: unknown[]) => unknown> {
  const entry = `export { resultCard, outputText } from './webview/render/results'; export { summaryStrip, pairHeader } from './webview/render/summary';`;
  const bundle = buildSync({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'renderers',
    write: false,
    platform: 'browser',
  });
  const code = bundle.outputFiles[0].text;
  const fn = new Function('document', 'window', `${code}; return renderers;`);
  return fn(window.document, window) as Record<string, (...args: unknown[]) => unknown>;
}

test('model output with <script> and <img onerror> is text, and the divergence is marked', () => {
  const window = new Window();
  const { resultCard } = loadRenderers(window);
  const ended = promptResult();
  const card = resultCard({ ...ended, quant: { ...ended.quant, finishReason: 'eos' } }, 0, {
    base: 'fp16',
    quant: 'int4 sym g128',
  }) as HTMLElement;
  window.document.body.append(card);
  assert.equal(card.querySelectorAll('script').length, 0);
  assert.equal(card.querySelectorAll('img').length, 0);
  assert.equal(card.querySelectorAll('[onerror]').length, 0);
  const outputs = card.querySelectorAll('pre.output');
  assert.equal(outputs.length, 2);
  assert.equal(outputs[1].textContent, '{"a": <script>alert(1)</script><img src=x onerror="alert(2)">');
  const mark = outputs[1].querySelector('mark.diverged');
  assert.equal(mark?.textContent, ' <script>alert(1)</script><img src=x onerror="alert(2)">');
  assert.equal(outputs[0].querySelector('mark')?.textContent, ' 1}');
  // JSON badges: valid strict on the base side, invalid with the schema error listed on the quantized side.
  const badges = [...card.querySelectorAll('.badge.json')].map((b) => b.textContent);
  assert.deepEqual(badges, ['JSON valid (strict)', 'JSON invalid']);
  assert.equal(card.querySelector('.schema-errors li')?.textContent, '/a must be integer');
  // The chart marks the divergence; the top-k table shows the token as text.
  assert.equal(card.querySelectorAll('svg.kl-chart rect.bar').length, 4);
  assert.equal(card.querySelectorAll('svg.kl-chart rect.bar.after').length, 1);
  assert.ok(card.querySelector('svg.kl-chart line.divergence'));
  assert.ok([...card.querySelectorAll('.topk code')].some((c) => c.textContent === ' <script>'));
});

test('an answer cut off at the limit is badged truncated, without schema errors; the chart has a legend', () => {
  const window = new Window();
  const { resultCard } = loadRenderers(window);
  const card = resultCard(promptResult(), 0, { base: 'fp16', quant: 'int4' }) as HTMLElement;
  const badges = [...card.querySelectorAll('.badge.json')].map((b) => b.textContent);
  assert.deepEqual(badges, ['JSON valid (strict)', 'truncated at 5 tokens (not judged)']);
  assert.equal(card.querySelectorAll('.schema-errors').length, 0);
  assert.match(card.querySelector('.side-head')?.parentElement?.textContent ?? '', /ended/);
  assert.match(card.querySelectorAll('.side')[1].textContent ?? '', /hit the token limit/);
  assert.match(
    card.querySelector('.chart-legend')?.textContent ?? '',
    /KL\(base‖quant\) at each token.*after the answers diverge.*first divergent token/,
  );
  for (const metric of card.querySelectorAll('.metrics .metric'))
    assert.ok(metric.getAttribute('title'), metric.textContent ?? '');
});

test('summary strip shows the verdict with its reasons; an empty output says so', () => {
  const window = new Window();
  const { summaryStrip, outputText } = loadRenderers(window);
  const strip = summaryStrip(report([promptResult()]).summary) as HTMLElement;
  assert.equal(strip.querySelector('.verdict .stat-value')?.textContent, 'FAIL');
  assert.equal(strip.querySelector('.reasons li')?.textContent, 'perplexity ratio 1.06 is over 1.05');
  const empty = outputText({ text: '', tokens: 0, finishReason: 'eos', jsonValid: null }, null) as HTMLElement;
  assert.equal(empty.textContent, '(empty output)');
});
