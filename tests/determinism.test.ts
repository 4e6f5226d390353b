import { describe, expect, it, vi } from "vitest";
import { HelmholtzMachine } from "../src/index.js";
import { randomBinary } from "./helpers/models.js";

async function trained(layers: number[], seed: number, data: Uint8Array | Float32Array): Promise<Uint8Array> {
  const m = await HelmholtzMachine.create({ layers, seed, learningRate: 0.05 });
  await m.fit(data, { epochs: 2 });
  const bytes = m.save();
  m.dispose();
  return bytes;
}

describe("seeded determinism", () => {
  const layers = [13, 7, 5, 3, 1];
  const data = randomBinary(300, 13, 9);

  it("gives bit-identical parameters for the same seed and data, at any depth", async () => {
    expect(await trained(layers, 42, data)).toEqual(await trained(layers, 42, data));
  });

  it("gives different parameters for different seeds", async () => {
    expect(await trained(layers, 42, data)).not.toEqual(await trained(layers, 43, data));
  });

  it("is deterministic with probability rows (dynamic binarization)", async () => {
    const probs = Float32Array.from(data, (v, i) => (v ? 0.9 : 0.1 + (i % 7) / 100));
    expect(await trained(layers, 5, probs)).toEqual(await trained(layers, 5, probs));
  });

  it("does not depend on how fit() is chunked: two 1-epoch fits equal one 2-epoch fit", async () => {
    const a = await HelmholtzMachine.create({ layers, seed: 8 });
    await a.fit(data, { epochs: 2 });
    const b = await HelmholtzMachine.create({ layers, seed: 8 });
    await b.fit(data, { epochs: 1 });
    await b.fit(data, { epochs: 1 });
    expect(a.save()).toEqual(b.save());
  });

  // With 40 units in layer 1, online fit() defers the updates of Gw[0] in blocks of four steps
  // (assembly/deferred.ts). fit() cuts an epoch into chunks sized by the clock; a clock that runs
  // fast makes every chunk one block long, where the real one gives chunks of 64 rows and more.
  it("does not depend on where fit()'s chunks end when updates are deferred", async () => {
    const wide = [16, 40, 4], rows = randomBinary(200, 16, 3);
    const fitted = async () => {
      const m = await HelmholtzMachine.create({ layers: wide, seed: 9 });
      await m.fit(rows, { epochs: 1 });
      const bytes = m.save();
      m.dispose();
      return bytes;
    };
    const steady = await fitted();
    let t = 0;
    vi.spyOn(globalThis.performance, "now").mockImplementation(() => (t += 1000));
    try {
      expect(await fitted()).toEqual(steady);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
