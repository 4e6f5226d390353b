import { describe, expect, it } from "vitest";
import { allBinaryVectors, machineWith, sigma } from "./helpers/models.js";

// For N independent Bernoulli(p) draws the rate has standard deviation sqrt(p(1-p)/N); a fixed
// seed and a 5-sigma band make a false failure a 1-in-1.7-million event per unit checked.
function withinBinomial(rate: number, p: number, N: number) {
  expect(Math.abs(rate - p), `rate ${rate} vs p ${p}`).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / N));
}

describe("Bernoulli sampling", () => {
  const layers = [6, 3];
  const gTop = [-1.5, 0.3, 2];
  const weight = (name: string, i: number) =>
    name === "gen.top.bias" ? gTop[i] : name === "gen.0.weight" ? ((i * 37) % 11) / 5 - 1 : name === "gen.0.bias" ? (i % 3) - 1 : 0;

  it("dreams fire at the model's exact marginal rates", async () => {
    const m = await machineWith(layers, weight);
    const N = 100_000;
    const dreams = m.dream(N);
    // Exact marginals P(v_j = 1) = sum_h P(h) sigma(gb_j + sum_k h_k Gw[k, j]).
    const p = new Array(6).fill(0);
    const hs = allBinaryVectors(3);
    for (let h = 0; h < 8; h++) {
      let ph = 1;
      for (let k = 0; k < 3; k++) ph *= hs[h * 3 + k] ? sigma(gTop[k]) : 1 - sigma(gTop[k]);
      for (let j = 0; j < 6; j++) {
        let a = (j % 3) - 1;
        for (let k = 0; k < 3; k++) a += hs[h * 3 + k] * (((k * 6 + j) * 37) % 11 / 5 - 1);
        p[j] += ph * sigma(a);
      }
    }
    for (let j = 0; j < 6; j++) {
      let on = 0;
      for (let r = 0; r < N; r++) on += dreams[r * 6 + j];
      withinBinomial(on / N, p[j], N);
    }
  });

  it("recognition fires at sigma(rb + sum of active rows) and samples probability inputs afresh", async () => {
    // Hidden unit 0 copies visible unit 0 (weight 40, bias -20); unit 1 fires at sigma(0.7).
    const m = await machineWith([2, 2], (name, i) =>
      name === "rec.0.weight" ? (i === 0 ? 40 : 0) : name === "rec.0.bias" ? (i === 0 ? -20 : 0.7) : 0);
    const N = 20_000;
    let copy = 0, free = 0;
    for (let r = 0; r < N; r++) {
      const [h] = m.recognize(new Float32Array([0.3, 1]));
      copy += h[0];
      free += h[1];
    }
    withinBinomial(copy / N, 0.3 * sigma(20) + 0.7 * sigma(-20), N);
    withinBinomial(free / N, sigma(0.7), N);
  });

  it("reconstruct gives P(v = 1 | h1) for the sampled h1", async () => {
    // Recognition makes h1 = 1 surely (bias 30); the generative net then gives sigma(gb + Gw).
    const m = await machineWith([3, 1], (name, i) =>
      name === "rec.0.bias" ? 30 : name === "gen.0.weight" ? [1, -2, 0.5][i] : name === "gen.0.bias" ? [0, 1, -1][i] : 0);
    const p = m.reconstruct(new Uint8Array([1, 0, 1]));
    [sigma(1), sigma(-1), sigma(-0.5)].forEach((q, j) => expect(p[j]).toBeCloseTo(q, 6));
  });
});
