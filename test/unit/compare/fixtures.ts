/** Hand-written report pieces for the compare panel tests (shapes as src/protocol/report.ts). */
import type { CompareReport, PromptResult } from '../../../src/protocol/report';
import type { PairView } from '../../../src/protocol/webview';

const side = (path: string, precision: string) => ({ path, format: 'onnx', precision, recipe: null, facts: [] });

/** The pair the controller and history tests run: /m/fp16 against /m/int4. */
export function pairView(): PairView {
  return {
    base: side('/m/fp16', 'fp16'),
    quant: side('/m/int4', 'int4 sym g128'),
    executionProvider: 'cpu',
    accuracyLevel: 4,
    threads: 1,
    maxNewTokens: 8,
    blocked: null,
  };
}

export function promptResult(overrides: Partial<PromptResult> = {}): PromptResult {
  return {
    id: 'p1',
    prompt: 'Return JSON',
    expectsJson: true,
    base: {
      text: '{"a": 1}',
      tokens: 4,
      tokenTexts: ['{"', 'a', '":', ' 1}'],
      finishReason: 'eos',
      jsonValid: { strict: true, extracted: true, schemaErrors: [] },
    },
    quant: {
      text: '{"a": <script>alert(1)</script><img src=x onerror="alert(2)">',
      tokens: 5,
      tokenTexts: ['{"', 'a', '":', ' <script>alert(1)</script>', '<img src=x onerror="alert(2)">'],
      finishReason: 'length',
      jsonValid: { strict: false, extracted: false, schemaErrors: ['/a must be integer'] },
    },
    firstDivergence: 3,
    teacherForced: {
      tokens: 4,
      meanKld: 0.02,
      maxKld: 0.07,
      sameTop1: 0.75,
      deltaPRms: 0.01,
      pplBase: 3.1,
      pplQuant: 3.3,
      kldPerToken: [0.001, 0.002, 0.01, 0.07],
    },
    topKAtDivergence: {
      base: [{ token: ' 1', id: 5, prob: 0.8 }],
      quant: [{ token: ' <script>', id: 9, prob: 0.4 }],
    },
    ...overrides,
  };
}

export function report(prompts: PromptResult[]): CompareReport {
  return {
    base: { path: '/m/fp16', weights: 'fp16' },
    quant: { path: '/m/int4', weights: 'int4 sym g128' },
    settings: { maxNewTokens: 8, executionProvider: 'cpu', accuracyLevel: 4, threads: 1 },
    prompts,
    summary: {
      prompts: prompts.length,
      identicalOutputs: 0,
      meanKld: 0.02,
      kldP99: 0.07,
      sameTop1: 0.75,
      pplRatio: 1.06,
      deltaPRms: 0.01,
      jsonValidBase: 1,
      jsonValidQuant: 0,
      eosShift: 1,
      verdict: 'fail',
      reasons: ['perplexity ratio 1.06 is over 1.05'],
    },
  };
}
