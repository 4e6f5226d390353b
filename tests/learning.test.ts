import { describe, expect, it } from "vitest";
import { HelmholtzMachine, bars } from "../src/index.js";

describe("learning the bars problem (Hinton et al. 1995)", () => {
  it("the true distribution has 30 images, P(blank) = 0.4096 and entropy 3.43 bits", () => {
    const { images, probabilities } = bars.distribution();
    expect(probabilities.length).toBe(30);
    expect(images.length).toBe(30 * 16);
    expect(probabilities.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 12);
    const blank = probabilities.find((_, i) => images.subarray(i * 16, i * 16 + 16).every((v) => v === 0));
    expect(blank).toBeCloseTo(0.4096, 12);
    expect(probabilities.reduce((h, p) => h - p * Math.log2(p), 0)).toBeCloseTo(3.43, 2);
  });

  it("a 16-8-1 machine trained on 2x10^6 examples reaches KL(true || model) <= 1.0 bits", async () => {
    const m = await HelmholtzMachine.create({ layers: [16, 8, 1], seed: 1, learningRate: 0.1 });
    const before = bars.klDivergence(m);
    expect(before).toBeGreaterThan(5);
    await m.fit(bars.sample(2_000_000, 1));
    const after = bars.klDivergence(m);
    expect(after).toBeLessThanOrEqual(1.0);
    expect(after).toBeGreaterThanOrEqual(0);
  });
});
