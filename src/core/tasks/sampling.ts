/**
 * Sampling mode's next-token chooser: temperature, then nucleus (top-p) filtering, then a draw from a seeded
 * PRNG, so sample j of prompt i on a side is the same on every run. Top-p keeps the smallest set of most likely
 * tokens whose probability reaches top_p (at least one), as transformers' TopPLogitsWarper does
 * (src/transformers/generation/logits_process.py). Temperature 0 is greedy.
 */
import { argmax } from '../drift/metrics';
import { mulberry32 } from './stats';

export interface SamplerOptions {
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
}

export function makeSampler(options: SamplerOptions): (logits: Float32Array) => number {
  if (options.temperature <= 0) return (logits) => argmax(logits);
  const random = mulberry32(options.seed);
  let probs = new Float64Array(0);
  let order = new Uint32Array(0);
  return (logits) => {
    const n = logits.length;
    if (probs.length !== n) {
      probs = new Float64Array(n);
      order = new Uint32Array(n);
    }
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
    let total = 0;
    for (let i = 0; i < n; i++) {
      probs[i] = Math.exp((logits[i] - max) / options.temperature);
      total += probs[i];
    }
    for (let i = 0; i < n; i++) probs[i] /= total;
    let kept = n;
    if (options.topP < 1) {
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => probs[b] - probs[a]);
      let cumulative = 0;
      kept = 0;
      while (kept < n && (kept === 0 || cumulative < options.topP)) cumulative += probs[order[kept++]];
    } else for (let i = 0; i < n; i++) order[i] = i;
    let mass = 0;
    for (let i = 0; i < kept; i++) mass += probs[order[i]];
    let target = random() * mass;
    for (let i = 0; i < kept; i++) {
      target -= probs[order[i]];
      if (target <= 0) return order[i];
    }
    return order[kept - 1];
  };
}

/**
 * A reproducible seed per (run seed, prompt, sample). Both sides use the same one (common random numbers): where
 * the two models give the same distribution they draw the same tokens, so the paired difference carries less
 * sampling noise than independent draws would.
 */
export function sampleSeed(seed: number, prompt: number, sample: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(prompt + 1, 0xc2b2ae35) + sample * 7919) >>> 0;
}
