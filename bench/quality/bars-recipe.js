// The bars recipes (issue "Beyond the 1995 paper", point 5), for bench/quality/bars.js; the CLI's
// `--data bars` default (cli/src/recipes.ts, "recruit") is BARS_RECIPE on its fixed 10^4 training rows.
//
// BARS_RECIPE reaches the paper's 0.10 bits: online classic wake-sleep at ε 0.02 from pixel biases
// -4, recruiting idle middle units on unexplained rows (fit()'s `recruit`) during the first 10^6
// examples, then ε x0.7 per 10^5 examples. Median KL(true || model) 0.047 bits over seeds 1..5
// (bench/QUALITY.md §5). Recruitment is a data-driven re-initialisation of units, beyond the 1995
// algorithm; BARS_CLASSIC is the best recipe found without it (median 0.417).
export const BARS_RECIPE = {
  layers: [16, 8, 1],
  learningRate: 0.02,
  initScale: 0.01,
  init: { "gen.0.bias": -4 },
  fit: {
    algorithm: "ws",
    epochs: 20,
    batchSize: 1,
    optimizer: "sgd",
    learningRateHold: 10,
    learningRateDecay: 0.7,
    recruit: { rows: 1_000_000 },
  },
  examples: 2_000_000,
};

// Classic wake-sleep alone: ε_P 0.2, recognition (sleep) rate 0.6, both x0.8 per 10^5 examples.
// The best of ~35 recipes over 20 seeds without recruitment: median 0.417 bits (1..5), 0.436 (1..20).
export const BARS_CLASSIC = {
  layers: [16, 8, 1],
  learningRate: 0.2,
  initScale: 0.01,
  fit: {
    algorithm: "ws",
    epochs: 20,
    batchSize: 1,
    optimizer: "sgd",
    learningRates: { p: 0.2, sleepQ: 0.6 },
    learningRateDecay: 0.8,
  },
  examples: 2_000_000,
};
