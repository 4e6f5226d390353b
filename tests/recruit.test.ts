// fit()'s recruit option (assembly/recruit.ts) and setParameters(), which the bars recipe uses.
import { describe, expect, it } from "vitest";
import { HelmholtzMachine, bars } from "../src/index.js";

const filled = (n: number, v: number) => ({ shape: [n], data: new Float32Array(n).fill(v) });

describe("setParameters", () => {
  it("writes the named tensors and leaves the others", async () => {
    const m = await HelmholtzMachine.create({ layers: [5, 3, 2], seed: 4 });
    const before = m.parameters();
    const w = { shape: [3, 5], data: Float32Array.from({ length: 15 }, (_, i) => i / 7) };
    m.setParameters(new Map([["gen.0.weight", w], ["gen.0.bias", filled(5, -4)]]));
    const after = m.parameters();
    expect(after.get("gen.0.weight")).toEqual(w);
    expect(after.get("gen.0.bias")).toEqual(filled(5, -4));
    for (const name of ["gen.top.bias", "rec.0.weight", "rec.0.bias", "gen.1.weight", "rec.1.weight"]) expect(after.get(name)).toEqual(before.get(name));
  });

  it("rejects an unknown name, a wrong shape or a non-finite value, and then writes nothing", async () => {
    const m = await HelmholtzMachine.create({ layers: [5, 3], seed: 4 });
    const before = m.save();
    expect(() => m.setParameters({ "gen.0.bias": filled(5, 1), "gen.9.bias": filled(5, 1) })).toThrow(/unknown parameter "gen\.9\.bias"/);
    expect(() => m.setParameters({ "gen.0.bias": filled(5, 1), "rec.0.bias": filled(4, 1) })).toThrow(/tensors\["rec\.0\.bias"\] must have shape \[3\] and 3 values, got shape \[4\] with 4/);
    const nan = filled(5, 0);
    nan.data[2] = NaN;
    expect(() => m.setParameters({ "gen.0.bias": filled(5, 1), "gen.0.weight": { shape: [3, 5], data: new Float32Array(15) }, "rec.0.weight": { shape: [5, 3], data: new Float32Array(15).fill(Infinity) } })).toThrow(/rec\.0\.weight"\] holds a non-finite value Infinity at index 0/);
    expect(() => m.setParameters({ "gen.0.bias": nan })).toThrow(/non-finite value NaN at index 2/);
    expect(() => m.setParameters({ "gen.0.bias": { shape: [5], data: [1, 2, 3, 4, 5] } as never })).toThrow(/must be \{ shape, data: Float32Array \}/);
    expect(() => m.setParameters(null as never)).toThrow(/tensors must be a Map or an object/);
    expect(m.save()).toEqual(before);
  });
});

describe("recruit", () => {
  it("initialises the first waiting unit on the unexplained pixels of the first row, exactly as specified", async () => {
    const m = await HelmholtzMachine.create({ layers: [16, 8, 1], seed: 2 });
    m.setParameters({ "gen.0.bias": filled(16, -4) });
    const row = bars.sample(200, 3).subarray(0, 16);
    // A row with two vertical bars (8 pixels on): P predicts every pixel off, so all 8 are unexplained.
    row.set([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    const stats = await m.fit(row, { learningRate: 1e-9, recruit: { gainP: 8, gainQ: 2, bias: -3 } });
    expect(stats[0].recruited).toBe(1);
    const p = m.parameters();
    const g = p.get("gen.0.weight")!.data, r = p.get("rec.0.weight")!.data;
    for (let k = 0; k < 16; k++) {
      expect(g[k], `gen.0.weight[0][${k}]`).toBeCloseTo(8 * row[k], 6);
      expect(r[k * 8], `rec.0.weight[${k}][0]`).toBeCloseTo(row[k] ? 2 : -2, 6);
    }
    expect(p.get("rec.0.bias")!.data[0]).toBeCloseTo(-2 * (8 - 0.5), 6);
    expect(p.get("gen.1.weight")!.data[0]).toBe(0);
    expect(p.get("rec.1.weight")!.data[0]).toBe(0);
    // The other units are silent and still waiting: biases -8, no weights to the pixels.
    for (let j = 1; j < 8; j++) {
      expect(Array.from(g.subarray(j * 16, j * 16 + 16)).every((v) => Math.abs(v) < 1e-6)).toBe(true);
      expect(p.get("rec.0.bias")!.data[j]).toBeCloseTo(-8, 6);
    }
    expect(p.get("gen.1.bias")!.data[0]).toBeCloseTo(-3, 6);
    expect(p.get("gen.1.bias")!.data[1]).toBeCloseTo(-8, 6);
  });

  it("with the bars recipe reaches the paper's KL(true || model) <= 0.10 bits (seed 1, exact)", async () => {
    // bench/QUALITY.md §5: 2x10^6 examples, ε 0.02 held for 10^6 then x0.7 per 10^5, pixel biases -4.
    const m = await HelmholtzMachine.create({ layers: [16, 8, 1], seed: 1, learningRate: 0.02 });
    m.setParameters({ "gen.0.bias": filled(16, -4) });
    const stats = await m.fit(bars.sample(100_000, 1), { epochs: 20, learningRateHold: 10, learningRateDecay: 0.7, recruit: { rows: 1_000_000 } });
    expect(stats.at(-1)!.recruited).toBeGreaterThanOrEqual(8);
    expect(bars.klDivergence(m)).toBeLessThanOrEqual(0.1);
  });

  it("is refused outside online classic wake-sleep with SGD, and checks its settings by name", async () => {
    const m = await HelmholtzMachine.create({ layers: [16, 8, 1], seed: 2 });
    const data = bars.sample(20, 1);
    const before = m.save();
    await expect(m.fit(data, { batchSize: 2, recruit: true })).rejects.toThrow(/recruit works with online classic wake-sleep only .* got batchSize 2/);
    await expect(m.fit(data, { algorithm: "rws", recruit: true })).rejects.toThrow(/got algorithm "rws"/);
    await expect(m.fit(data, { optimizer: "adam", recruit: true })).rejects.toThrow(/got optimizer "adam"/);
    await expect(m.fit(data, { recruit: { maxResidualRate: 1.5 } })).rejects.toThrow(/recruit\.maxResidualRate must be in \(0, 1\), got 1\.5/);
    await expect(m.fit(data, { recruit: { tau: -2 } })).rejects.toThrow(/recruit\.tau must be a finite number > 0, got -2/);
    await expect(m.fit(data, { recruit: { rows: 0 } })).rejects.toThrow(/recruit\.rows must be an integer/);
    await expect(m.fit(data, { recruit: { bias: "low" } as never })).rejects.toThrow(/recruit\.bias must be a finite number, got "low"/);
    await expect(m.fit(data, { recruit: { gain: 3 } as never })).rejects.toThrow(/recruit has an unknown option "gain"/);
    expect(m.save()).toEqual(before);
  });

  it("without silentStart keeps the machine's units and recruits only when rows go unexplained", async () => {
    const m = await HelmholtzMachine.create({ layers: [16, 8, 1], seed: 5 });
    const before = m.parameters();
    // Blank rows have no unexplained pixels, so nothing is recruited and training is plain wake-sleep.
    const blank = new Uint8Array(16 * 300);
    const stats = await m.fit(blank, { recruit: { silentStart: false } });
    expect(stats[0].recruited).toBe(0);
    const plain = await HelmholtzMachine.create({ layers: [16, 8, 1], seed: 5 });
    await plain.fit(blank);
    expect(m.parameters()).toEqual(plain.parameters());
    expect(before.get("gen.0.weight")).not.toEqual(m.parameters().get("gen.0.weight"));
  });
});
