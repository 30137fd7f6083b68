/**
 * The model runner: a child process (forked by RunnerClient) that hosts onnxruntime-node, so a native crash or
 * an out-of-memory kill never takes the extension host down. One job runs at a time; `cancel` sets a flag that
 * the decode loop checks between steps.
 */
import { runCompare, CancelledError, RunHooks } from '../core/drift/compare-run';
import { runCorpus } from '../core/drift/corpus-run';
import { LanguageModel } from '../core/drift/lm';
import { loadModelLayout } from '../core/drift/model-folder';
import { loadTokenizer, tokenPieces } from '../core/drift/tokenizer';
import type { GenerationSide } from '../protocol/report';
import { HostMessage, RunnerMessage, ResultValue, isHostMessage } from '../protocol/runner';

const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

function send(message: RunnerMessage): void {
  process.send?.(message);
}

async function handle(message: Exclude<HostMessage, { type: 'cancel' }>): Promise<ResultValue> {
  const hooks: RunHooks = {
    emit: (event) => send({ type: 'progress', id: message.id, event }),
    cancelled: () => cancelled.has(message.id),
  };
  switch (message.type) {
    case 'compare':
      return runCompare(message.request, hooks);
    case 'score':
      return runCorpus(message.request, hooks);
    case 'load': {
      const started = performance.now();
      const layout = await loadModelLayout(message.request.modelPath);
      const lm = await LanguageModel.load(layout, message.request);
      await lm.release();
      return {
        path: layout.source,
        weights: layout.weights,
        accuracyLevel: layout.accuracyLevel,
        numLayers: layout.numLayers,
        vocabSize: layout.vocabSize,
        ioDtype: layout.ioDtype,
        sizeBytes: layout.sizeBytes,
        loadMs: Math.round(performance.now() - started),
      };
    }
    case 'generate': {
      const { modelPath, prompt, maxNewTokens } = message.request;
      const layout = await loadModelLayout(modelPath);
      const tokenizer = await loadTokenizer(layout.folder);
      const lm = await LanguageModel.load(layout, message.request);
      try {
        const eos = layout.eosTokenIds.length ? layout.eosTokenIds : tokenizer.eosTokenIds;
        const gen = await lm.generate(tokenizer.encodePrompt(prompt), maxNewTokens, hooks.cancelled, eos);
        if (gen.finishReason === 'cancelled') throw new CancelledError();
        const side: GenerationSide = {
          text: tokenizer.decode(gen.tokens),
          tokens: gen.tokens.length,
          tokenIds: gen.tokens,
          tokenTexts: tokenPieces(tokenizer, gen.tokens),
          finishReason: gen.finishReason,
          jsonValid: null,
        };
        return side;
      } finally {
        await lm.release();
      }
    }
  }
}

process.on('message', (raw: unknown) => {
  if (!isHostMessage(raw)) {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
    send({ type: 'error', id, message: 'the runner received a malformed request' });
    return;
  }
  if (raw.type === 'cancel') {
    cancelled.add(raw.id);
    return;
  }
  const message = raw;
  queue = queue.then(async () => {
    if (cancelled.has(message.id)) {
      send({ type: 'error', id: message.id, message: 'cancelled', cancelled: true });
      return;
    }
    try {
      send({ type: 'result', id: message.id, value: await handle(message) });
    } catch (error) {
      const isCancel = error instanceof CancelledError;
      send({
        type: 'error',
        id: message.id,
        message: isCancel ? 'cancelled' : (error as Error).message || String(error),
        cancelled: isCancel,
      });
    } finally {
      cancelled.delete(message.id);
    }
  });
});

process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
