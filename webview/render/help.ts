/**
 * What each metric measures and what is good, shown as the tooltip (title) of every number the panel prints. The
 * statistics are the ones llama.cpp's `perplexity --kl-divergence` prints (ggml-org/llama.cpp,
 * tools/perplexity/perplexity.cpp: "Mean KLD", "99.0%", "Same top p", "RMS Δp"), computed on the base model's answer.
 */
export const METRIC_HELP = {
  verdict:
    'OK / WARN / FAIL from the perplexity ratio, mean KL and JSON validity against your thresholds (quantDrift.compare.*); the reasons below say which.',
  meanKld:
    'Mean KL divergence KL(base‖quant) between the two next-token distributions, over every scored token of the base answer. 0 = identical; lower is better (the verdict warns above quantDrift.compare.meanKldWarn, 0.05 by default).',
  p99Kld:
    '99th percentile of the per-token KL: the worst 1% of positions, where rare large flips hide that the mean averages away. Lower is better.',
  maxKld: 'The largest per-token KL of the answer: the single position where the two models disagreed most.',
  sameTop1:
    "Share of positions where both models' most likely next token is the same. 100% is best; every miss is a place greedy decoding can take another path.",
  pplRatio:
    "Perplexity of the quantized model divided by the base model's, on the same text (the base answer). 1.000 = no loss; the verdict warns above 1.03 and fails above 1.05 by default.",
  deltaPRms:
    'Root mean square of p(quant) − p(base) for each scored token (llama.cpp\'s "RMS Δp"). 0 is best; it says how much the probability of the right token moves.',
  kldGrowth:
    'Mean KL of the last quarter of the answer over its first quarter. Above 1 means drift grows as the answer goes on (errors compound); about 1 or below is good.',
  identical: 'Prompts whose greedy answers are identical token for token.',
  lengthShift:
    'Mean (quantized − base) answer length in tokens. Positive: the quantized model runs longer (stops later); near 0 is good.',
  jsonValid:
    'Share of JSON answers that parse strictly (JSON.parse of the whole answer), among the answers that ended before the token limit. A fall from base to quantized is drift.',
  truncated:
    'JSON answers cut off at the new-token limit: not judged valid or invalid. Many of them mean the limit is too low for this task: raise it and run again.',
  divergence:
    'First generated token where the two greedy answers differ (0 = the first token); "identical" when they never do.',
  length: 'Answer length in tokens, base → quantized.',
} as const;

export type MetricKey = keyof typeof METRIC_HELP;
