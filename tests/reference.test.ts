import { describe, expect, it } from "vitest";
import { HelmholtzMachine } from "../src/index.js";
import { ReferenceMachine } from "./helpers/reference.js";
import { randomBinary } from "./helpers/models.js";

function expectClose(wasm: Map<string, { data: Float32Array }>, ref: Map<string, number[]>, tol: number) {
  for (const [name, r] of ref) {
    const w = wasm.get(name)!.data;
    expect(w.length, name).toBe(r.length);
    const worst = r.reduce((m, v, i) => Math.max(m, Math.abs(v - w[i])), 0);
    expect(worst, `${name}: max |wasm - reference|`).toBeLessThan(tol);
  }
}

describe("wasm engine against the plain-TypeScript reference", () => {
  // Sizes off the multiple of 4, and deep nets, so every kernel's tail and layer loop is exercised.
  const cases = [
    { layers: [5, 3, 2], seed: 1 },
    { layers: [17, 9, 4, 3], seed: 2 },
    { layers: [784, 200, 50], seed: 3 },
    { layers: [1, 1], seed: 4 },
  ];
  for (const { layers, seed } of cases) {
    it(`one wake step and one sleep step agree for layers ${JSON.stringify(layers)}`, async () => {
      const eps = 0.25;
      const m = await HelmholtzMachine.create({ layers, seed, learningRate: eps, initScale: 0.5 });
      const ref = new ReferenceMachine(m.save());
      const d = randomBinary(1, layers[0], seed, 0.4);
      for (let step = 0; step < 3; step++) {
        const bits = m.wake(d);
        const refBits = ref.wake(Array.from(d), eps);
        expect(Math.abs(bits - refBits)).toBeLessThan(1e-4 * Math.max(1, Math.abs(refBits)));
        m.sleep();
        ref.sleep(eps);
      }
      // f32 sums of O(1) terms over up to 784 rows: well inside 1e-4.
      expectClose(m.parameters(), ref.parameters(), 1e-4);
      // Both consumed the same random stream: the generators are in the same state.
      expect(new ReferenceMachine(m.save()).rng.uniforms(8)).toEqual(ref.rng.uniforms(8));
      m.dispose();
    });
  }

  // 40 units in layer 1: fit()'s online kernel defers the updates of Gw[0] over blocks of four
  // steps (assembly/deferred.ts), each pass in a block adds the waiting deltas by overlap counts,
  // and a step's wake and dream passes sum their common rows once; the reference applies every
  // update at once and passes over every row. The same samples from the same stream, so the
  // parameters agree up to f32 rounding; 30 rows leave a partial block for the end of the epoch.
  // [17, 33] (one hidden layer, off the multiple of 4) covers the tails and the top layer as layer 1.
  it.each([[[16, 40, 4]], [[17, 33]]])("online fit() with deferred updates of Gw[0] and shared passes agrees with one update per step (layers %j)", async (layers) => {
    const eps = 0.25, rows = 30, n0 = layers[0];
    const m = await HelmholtzMachine.create({ layers, seed: 6, learningRate: eps, initScale: 0.5 });
    const ref = new ReferenceMachine(m.save());
    const data = randomBinary(rows, n0, 6, 0.4);
    const [stats] = await m.fit(data, { epochs: 1, shuffle: false });
    let bits = 0;
    for (let r = 0; r < rows; r++) {
      bits += ref.wake(Array.from(data.subarray(r * n0, r * n0 + n0)), eps);
      ref.sleep(eps);
    }
    expect(Math.abs(stats.descriptionLength - bits / rows)).toBeLessThan(1e-4);
    expectClose(m.parameters(), ref.parameters(), 1e-5);
    m.dispose();
  });
});
