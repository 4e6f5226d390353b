// The best recipe for the bars problem found so far (bench/quality/bars-explore.js, 35 recipes x 5
// seeds in bench/quality/results/bars-explore.jsonl): classic online wake-sleep on 2x10^6 examples,
// shown as 20 epochs of 10^5 with the learning rate decayed by 0.8 per epoch. Median KL over seeds
// 1..5: 0.28 bits (0.23, 0.23, 0.28, 0.36, 0.62) — better than plain online wake-sleep (about 0.49)
// but NOT the paper's 0.10.
export const BARS_RECIPE = {
  layers: [16, 8, 1],
  learningRate: 0.2,
  initScale: 0.01,
  fit: { epochs: 20, learningRateDecay: 0.8 },
  examples: 2_000_000,
};
