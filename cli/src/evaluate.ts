// Test-set numbers: importance-sampled log-likelihood (nats, K stated), description length (bits),
// and for the toy problems the exact figures the papers report.
import { bars, LIMITS, type HelmholtzMachine } from "wake-sleep";
import type { Dataset } from "./data/split.js";

/** Samples per row for the description length estimate F(d). */
export const DL_SAMPLES = 10;
/** Default K for the test log-likelihood: 2,000 MNIST rows at K = 100 take about 10 s on one core. */
export const DEFAULT_LL_SAMPLES = 100;

export interface Evaluation {
  rows: number;
  /** Mean over test rows of log p̂(d), nats, importance sampling with K draws from Q. */
  logLikelihood: { nats: number; samples: number; seconds: number };
  /** Mean over test rows of log P(d) by enumeration, when the machine has at most 20 latent units. */
  exactLogLikelihood?: { nats: number };
  /** Mean over test rows of F(d) in bits. */
  descriptionLength: { bits: number; samples: number; seconds: number };
  /** Bars only: KL(true || model) in bits, exact. */
  klBits?: number;
  /** Shifter with one top unit: the fraction of test rows whose top-unit state (or its negation) matches the shift direction. */
  shiftAgreement?: number;
}

const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;

export function evaluate(machine: HelmholtzMachine, data: Dataset, testRows: Uint8Array, samples: number): Evaluation {
  const rows = testRows.length / data.width;
  let t = performance.now();
  const ll = mean(machine.logLikelihood(testRows, { samples }));
  const llSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const dl = mean(machine.descriptionLength(testRows, { samples: DL_SAMPLES }));
  const out: Evaluation = {
    rows,
    logLikelihood: { nats: ll, samples, seconds: llSeconds },
    descriptionLength: { bits: dl, samples: DL_SAMPLES, seconds: (performance.now() - t) / 1000 },
  };
  const latent = machine.layers.slice(1).reduce((a, b) => a + b, 0);
  if (latent <= LIMITS.maxExactLatent) {
    out.exactLogLikelihood = { nats: mean(machine.logLikelihood(testRows, { exact: true })) };
    if (data.name === "bars") out.klBits = bars.klDivergence(machine);
  }
  const top = machine.layers.length - 2;
  if (data.name === "shifter" && machine.layers[top + 1] === 1 && data.test.labels) {
    let same = 0;
    for (let i = 0; i < rows; i++) if (machine.recognize(testRows.subarray(i * data.width, (i + 1) * data.width))[top][0] === data.test.labels[i]) same++;
    out.shiftAgreement = Math.max(same, rows - same) / rows;
  }
  return out;
}

export function describeEvaluation(e: Evaluation, data: Dataset, machine: HelmholtzMachine): string[] {
  const lines = [
    `test log-likelihood: ${e.logLikelihood.nats.toFixed(2)} nats per row (importance sampling, K = ${e.logLikelihood.samples} samples from Q per row, mean over ${e.rows} test rows; ${e.logLikelihood.seconds.toFixed(1)} s)`,
  ];
  if (e.exactLogLikelihood) lines.push(`test log-likelihood, exact: ${e.exactLogLikelihood.nats.toFixed(4)} nats per row (all 2^${machine.layers.slice(1).reduce((a, b) => a + b, 0)} latent configurations enumerated)`);
  lines.push(`test description length: ${e.descriptionLength.bits.toFixed(2)} bits per row (F(d) = E_Q[log2 Q(h|d) - log2 P(h,d)], ${e.descriptionLength.samples} samples per row)`);
  if (e.klBits !== undefined) lines.push(`KL(true || model): ${e.klBits.toFixed(4)} bits, exact (the paper reports 0.10 bits after 2x10^6 examples)`);
  if (e.shiftAgreement !== undefined) lines.push(`top unit vs shift direction: agrees on ${(100 * e.shiftAgreement).toFixed(1)}% of ${data.test.rows} test rows (50% = no relation)`);
  return lines;
}
