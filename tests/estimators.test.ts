import { describe, expect, it } from "vitest";
import { HelmholtzMachine } from "../src/index.js";
import { allBinaryVectors, randomBinary } from "./helpers/models.js";
import { ReferenceMachine } from "./helpers/reference.js";

describe("estimators", () => {
  it("exact log-likelihoods sum to 1 over all 2^n visible vectors", async () => {
    for (const layers of [[8, 3, 2], [5, 4], [7, 2, 2, 1]]) {
      const m = await HelmholtzMachine.create({ layers, seed: 3, initScale: 1.5 });
      const ll = m.logLikelihood(allBinaryVectors(layers[0]), { exact: true });
      const total = ll.reduce((a, v) => a + Math.exp(v), 0);
      expect(Math.abs(total - 1), `layers ${layers}`).toBeLessThan(1e-5);
    }
  });

  it("the sampled description length reproduces the reference's samples, with direct and with grouped passes", async () => {
    // 2 rows x 4 samples stay direct; 30 rows x 4 samples build grouped generative tables
    // (assembly/groups.ts). Hidden layers of 7 and 6 units: full and partial groups of three.
    for (const count of [2, 30]) {
      const m = await HelmholtzMachine.create({ layers: [12, 7, 6], seed: 21, initScale: 1.2 });
      const ref = new ReferenceMachine(m.save());
      const data = randomBinary(count, 12, 4, 0.5);
      const K = 4;
      const got = m.descriptionLength(data, { samples: K });
      const want = Array.from({ length: count }, (_, r) => {
        const d = Array.from(data.subarray(r * 12, r * 12 + 12));
        let bits = 0;
        for (let k = 0; k < K; k++) bits += ref.wakeGradient(d).bits;
        return bits / K;
      });
      const worst = want.reduce((w, v, r) => Math.max(w, Math.abs(v - got[r])), 0);
      expect(worst, `${count} rows`).toBeLessThan(1e-4);
      m.dispose();
    }
  });

  // 20 distinct rows, each estimated 50 times: the mean gap exact - estimate and its standard error.
  const base = randomBinary(20, 10, 1, 0.4);
  const rows = new Uint8Array(1000 * 10).map((_, i) => base[(Math.floor(i / 10) % 20) * 10 + (i % 10)]);
  function gap(m: HelmholtzMachine, K: number): { mean: number; se: number } {
    const exact = m.logLikelihood(rows, { exact: true });
    const d = Array.from(m.logLikelihood(rows, { samples: K }), (v, i) => exact[i] - v);
    const mean = d.reduce((a, v) => a + v, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / (d.length - 1));
    return { mean, se: sd / Math.sqrt(d.length) };
  }

  it("importance-sampled log-likelihood is a lower bound that tightens as K grows", async () => {
    // An untrained Q is a poor proposal, so the bound's gap is large at K = 1 and shrinks with K.
    const m = await HelmholtzMachine.create({ layers: [10, 4, 2], seed: 5, initScale: 1 });
    const gaps = [1, 10, 100, 1000].map((K) => gap(m, K));
    gaps.forEach((g) => expect(g.mean).toBeGreaterThan(-5 * g.se));
    for (let i = 1; i < gaps.length; i++) {
      expect(gaps[i - 1].mean - gaps[i].mean).toBeGreaterThan(5 * Math.hypot(gaps[i - 1].se, gaps[i].se));
    }
  });

  it("importance-sampled log-likelihood reaches the exact value with a trained Q", async () => {
    const m = await HelmholtzMachine.create({ layers: [10, 4, 2], seed: 5, initScale: 1 });
    await m.fit(base, { epochs: 200, learningRate: 0.1 });
    const g = gap(m, 2000);
    expect(Math.abs(g.mean)).toBeLessThan(Math.max(5 * g.se, 1e-3));
  });

  it("the description length is an upper bound on -log2 P(d)", async () => {
    const m = await HelmholtzMachine.create({ layers: [9, 5], seed: 2, initScale: 1 });
    const data = randomBinary(20, 9, 4, 0.5);
    const exactBits = Array.from(m.logLikelihood(data, { exact: true }), (v) => -v / Math.LN2);
    const F = m.descriptionLength(data, { samples: 4000 });
    // F(d) - (-log2 P(d)) = KL(Q || P(.|d)) >= 0, up to Monte Carlo error of 4000 samples.
    exactBits.forEach((b, i) => expect(F[i]).toBeGreaterThan(b - 0.05));
    expect(F.reduce((a, v) => a + v, 0)).toBeGreaterThan(exactBits.reduce((a, v) => a + v, 0));
  });

  it("stays finite for saturated activations", async () => {
    const m = await HelmholtzMachine.create({ layers: [6, 3], seed: 1, initScale: 1e4 });
    const data = randomBinary(5, 6, 2);
    for (const v of [...m.logLikelihood(data, { samples: 50 }), ...m.logLikelihood(data, { exact: true }), ...m.descriptionLength(data)]) {
      expect(Number.isFinite(v)).toBe(true);
    }
  });
});
