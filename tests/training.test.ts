import { describe, expect, it } from "vitest";
import { DescriptionLengthClassifier, HelmholtzMachine } from "../src/index.js";
import { ReferenceMachine } from "./helpers/reference.js";
import { allBinaryVectors, machineWith, randomBinary, sigma } from "./helpers/models.js";

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

// One minibatch on the reference, rows first .. first+B of n0-unit data: B wake gradients at the
// same parameters, then one step; B sleep gradients from fantasies, then one step.
function referenceBatch(ref: ReferenceMachine, data: Uint8Array, first: number, B: number, eps: number, n0 = 9): void {
  const wake = ref.zeroGradient();
  for (let b = first; b < first + B; b++) {
    for (const [name, g] of ref.wakeGradient(Array.from(data.subarray(b * n0, b * n0 + n0))).grad) g.forEach((v, i) => (wake.get(name)![i] += v));
  }
  ref.apply(wake, eps / B);
  const sleep = ref.zeroGradient();
  for (let b = 0; b < B; b++) for (const [name, g] of ref.sleepGradient()) g.forEach((v, i) => (sleep.get(name)![i] += v));
  ref.apply(sleep, eps / B);
}

describe("minibatch training", () => {
  // B = 150 holds more contributions than the gradient accumulator does (64), so the batch's
  // gradient is gathered over three flushes, and its passes are grouped (assembly/groups.ts).
  it.each([7, 150])("one batch of B = %i rows applies the mean of B per-row updates computed with frozen parameters", async (B) => {
    const layers = [9, 5, 3];
    const eps = 0.3;
    const m = await HelmholtzMachine.create({ layers, seed: 11, initScale: 0.5 });
    const ref = new ReferenceMachine(m.save());
    const data = randomBinary(B, 9, 5, 0.4);
    await m.fit(data, { batchSize: B, learningRate: eps, shuffle: false });
    referenceBatch(ref, data, 0, B, eps);
    for (const [name, t] of m.parameters()) expect(maxDiff(t.data, ref.parameters().get(name)!), name).toBeLessThan(1e-5);
  });

  // With 80 units in layer 1, each of its rows meets many of the 64 contributions an accumulator
  // holds, so the wake-P gradient of Gw[0] and the Q gradient of Rw[1] are gathered from tabled
  // subset sums (assembly/subsets.ts), in two flushes of 64.
  it("one batch of B = 128 on [12, 80, 4], gathered from tabled subset sums", async () => {
    const layers = [12, 80, 4], eps = 0.3, B = 128;
    const m = await HelmholtzMachine.create({ layers, seed: 13, initScale: 0.5 });
    const ref = new ReferenceMachine(m.save());
    const data = randomBinary(B, 12, 7, 0.4);
    await m.fit(data, { batchSize: B, learningRate: eps, shuffle: false });
    referenceBatch(ref, data, 0, B, eps, 12);
    for (const [name, t] of m.parameters()) expect(maxDiff(t.data, ref.parameters().get(name)!), name).toBeLessThan(1e-5);
  });

  // B = 40 is grouped; the tables are built once per batch, after the wake update, and must serve
  // both the sleep phase after it and the next batch's wake phase.
  it("two batches of B = 40: every phase sees the parameters of the update before it", async () => {
    const layers = [9, 5, 3], eps = 0.3, B = 40;
    const m = await HelmholtzMachine.create({ layers, seed: 12, initScale: 0.5 });
    const ref = new ReferenceMachine(m.save());
    const data = randomBinary(2 * B, 9, 6, 0.4);
    await m.fit(data, { batchSize: B, learningRate: eps, shuffle: false });
    for (let batch = 0; batch < 2; batch++) referenceBatch(ref, data, batch * B, B, eps);
    for (const [name, t] of m.parameters()) expect(maxDiff(t.data, ref.parameters().get(name)!), name).toBeLessThan(1e-5);
  });

  it("batchSize 1 with plain SGD is the online rule, bit for bit", async () => {
    const data = randomBinary(200, 12, 3);
    const online = await HelmholtzMachine.create({ layers: [12, 6, 2], seed: 3 });
    await online.fit(data, { epochs: 2, learningRate: 0.05 });
    // Unequal rates send fit() through the minibatch trainer instead of the online kernel; these
    // two differ in f64 but round to the same f32 rate, so the results must agree to the bit.
    const batched = await HelmholtzMachine.create({ layers: [12, 6, 2], seed: 3 });
    await batched.fit(data, { epochs: 2, batchSize: 1, optimizer: "sgd", learningRates: { p: 0.05, sleepQ: 0.05 + 1e-12 } });
    expect(batched.save()).toEqual(online.save());
  });
});

describe("reweighted wake-sleep", () => {
  // Exact gradients on [4, 3] by enumerating h: wake-P: sum_h P(h|d) grad log P(d, h);
  // wake-Q: sum_h P(h|d) grad log Q(h|d).
  const layers = [4, 3];
  const value = (name: string, i: number) => Math.sin(1.7 * i + name.length) * 1.5;
  const d = [1, 0, 1, 1];

  function exactGradients(): Map<string, number[]> {
    const p = (name: string, n: number) => Array.from({ length: n }, (_, i) => value(name, i));
    const gTop = p("gen.top.bias", 3), Gw = p("gen.0.weight", 12), gb = p("gen.0.bias", 4), Rw = p("rec.0.weight", 12), rb = p("rec.0.bias", 3);
    const hs = allBinaryVectors(3);
    const joint: number[] = [];
    for (let c = 0; c < 8; c++) {
      const h = Array.from(hs.subarray(c * 3, c * 3 + 3));
      let lp = h.reduce((s, hk, k) => s + Math.log(hk ? sigma(gTop[k]) : 1 - sigma(gTop[k])), 0);
      d.forEach((dj, j) => {
        const a = gb[j] + h.reduce((s, hk, k) => s + hk * Gw[k * 4 + j], 0);
        lp += Math.log(dj ? sigma(a) : 1 - sigma(a));
      });
      joint.push(lp);
    }
    const z = joint.reduce((s, v) => s + Math.exp(v), 0);
    const grad = new Map<string, number[]>([["gen.top.bias", [0, 0, 0]], ["gen.0.weight", new Array(12).fill(0)], ["gen.0.bias", [0, 0, 0, 0]], ["rec.0.weight", new Array(12).fill(0)], ["rec.0.bias", [0, 0, 0]]]);
    const qb = rb.map((b, k) => b + d.reduce((s, dj, j) => s + dj * Rw[j * 3 + k], 0));
    for (let c = 0; c < 8; c++) {
      const w = Math.exp(joint[c]) / z;
      const h = Array.from(hs.subarray(c * 3, c * 3 + 3));
      h.forEach((hk, k) => (grad.get("gen.top.bias")![k] += w * (hk - sigma(gTop[k]))));
      d.forEach((dj, j) => {
        const delta = dj - sigma(gb[j] + h.reduce((s, hk, k) => s + hk * Gw[k * 4 + j], 0));
        grad.get("gen.0.bias")![j] += w * delta;
        h.forEach((hk, k) => (grad.get("gen.0.weight")![k * 4 + j] += w * hk * delta));
      });
      h.forEach((hk, k) => {
        grad.get("rec.0.bias")![k] += w * (hk - sigma(qb[k]));
        d.forEach((dj, j) => (grad.get("rec.0.weight")![j * 3 + k] += w * dj * (hk - sigma(qb[k]))));
      });
    }
    return grad;
  }

  async function rwsGradient(K: number): Promise<Map<string, number[]>> {
    const eps = 1e-3;
    const m = await machineWith(layers, value);
    const before = m.parameters();
    await m.fit(new Uint8Array(d), { algorithm: "rws", samples: K, sleepQ: false, learningRate: eps });
    return new Map([...m.parameters()].map(([name, t]) => [name, Array.from(t.data, (v, i) => (v - before.get(name)!.data[i]) / eps)]));
  }

  it("its wake gradients of P and Q approach the exact posterior-weighted gradients as K grows", async () => {
    const exact = exactGradients();
    const error = async (K: number) => Math.max(...[...(await rwsGradient(K))].map(([name, g]) => maxDiff(g, exact.get(name)!)));
    const coarse = await error(4);
    const fine = await error(40_000);
    // Each component is a self-normalised average of terms in [-1, 1]: its standard error is at
    // most 1/sqrt(K) = 0.005, so 5 standard errors is 0.025; f32 rounding of the step adds < 1e-3.
    expect(fine).toBeLessThan(0.026);
    expect(coarse).toBeGreaterThan(2 * fine);
  });

  it("with K = 1, no wake update of Q and the sleep update on, is classic wake-sleep", async () => {
    const data = randomBinary(100, 8, 2);
    const classic = await HelmholtzMachine.create({ layers: [8, 4], seed: 6 });
    await classic.fit(data, { batchSize: 10 });
    const rws = await HelmholtzMachine.create({ layers: [8, 4], seed: 6 });
    await rws.fit(data, { batchSize: 10, algorithm: "rws", samples: 1, wakeQ: false, sleepQ: true });
    expect(rws.save()).toEqual(classic.save());
  });
});

describe("training controls", () => {
  // The estimate reads the log-probabilities of the wake samples and nothing else does, so without
  // it every path draws the same samples and makes the same updates. Layer 1 has 40 units, enough
  // for the online kernel's deferred updates (assembly/deferred.ts).
  it.each([
    ["online, by the deferred kernel", {}],
    ["online, with recruitment", { recruit: true }],
    ["online, by the minibatch trainer", { batchSize: 1, learningRates: { p: 0.05, sleepQ: 0.05 + 1e-12 } }],
    ["in minibatches with Adam", { batchSize: 10, optimizer: "adam" }],
    ["by reweighted wake-sleep", { algorithm: "rws", samples: 3, batchSize: 5 }],
  ] as const)("descriptionLength: false trains %s bit for bit as with it, and reports NaN", async (_, opts) => {
    const data = randomBinary(200, 16, 6);
    const run = async (descriptionLength: boolean) => {
      const m = await HelmholtzMachine.create({ layers: [16, 40, 6], seed: 9 });
      const progress: number[] = [];
      const stats = await m.fit(data, { epochs: 2, ...opts, descriptionLength, onProgress: (p) => progress.push(p.descriptionLength) });
      const result = { params: [...m.parameters()].map(([name, t]) => [name, Array.from(t.data)]), dream: Array.from(m.dream(3)), stats, progress };
      m.dispose();
      return result;
    };
    const on = await run(true), off = await run(false);
    expect(off.params).toEqual(on.params);
    expect(off.dream).toEqual(on.dream);
    expect(on.stats.every((e) => Number.isFinite(e.descriptionLength) && e.descriptionLength > 0)).toBe(true);
    expect(off.stats.map((e) => e.descriptionLength)).toEqual([Number.NaN, Number.NaN]);
    expect(off.progress.length).toBe(on.progress.length);
    expect(off.progress.every(Number.isNaN)).toBe(true);
  });

  it("rejects a descriptionLength that is not a boolean, with the value", async () => {
    const m = await HelmholtzMachine.create({ layers: [4, 2] });
    await expect(m.fit(new Uint8Array(4), { descriptionLength: "no" as never })).rejects.toThrow(/descriptionLength must be true or false, got "no"/);
  });

  for (const optimizer of ["momentum", "adam"] as const) {
    it(`${optimizer}: its state round-trips through save/load and training resumes exactly`, async () => {
      const data = randomBinary(120, 10, 4);
      const m = await HelmholtzMachine.create({ layers: [10, 5, 2], seed: 2 });
      await m.fit(data, { batchSize: 8, optimizer, learningRateDecay: 0.9, epochs: 2 });
      const copy = await HelmholtzMachine.load(m.save());
      expect(copy.save()).toEqual(m.save());
      expect(copy.epochsTrained).toBe(2);
      await m.fit(data, { batchSize: 8, optimizer, learningRateDecay: 0.9 });
      await copy.fit(data, { batchSize: 8, optimizer, learningRateDecay: 0.9 });
      expect(copy.save()).toEqual(m.save());
    });
  }

  it("learningRateDecay multiplies the rate by the factor per epoch trained", async () => {
    const data = randomBinary(50, 6, 1);
    const decayed = await HelmholtzMachine.create({ layers: [6, 3], seed: 1 });
    await decayed.fit(data, { learningRate: 0.2, learningRateDecay: 0.5, epochs: 2, shuffle: false });
    const manual = await HelmholtzMachine.create({ layers: [6, 3], seed: 1 });
    await manual.fit(data, { learningRate: 0.2, shuffle: false });
    await manual.fit(data, { learningRate: 0.1, shuffle: false });
    expect(decayed.save().subarray(-1000)).toEqual(manual.save().subarray(-1000));
  });

  it("learningRateHold delays the decay: epoch e of the machine's life runs at rate x decay^max(0, e - hold)", async () => {
    const data = randomBinary(50, 6, 1);
    const held = await HelmholtzMachine.create({ layers: [6, 3], seed: 1 });
    await held.fit(data, { learningRate: 0.2, learningRateDecay: 0.5, learningRateHold: 2, epochs: 4, shuffle: false });
    const manual = await HelmholtzMachine.create({ layers: [6, 3], seed: 1 });
    await manual.fit(data, { learningRate: 0.2, epochs: 3, shuffle: false });
    await manual.fit(data, { learningRate: 0.1, shuffle: false });
    expect(held.parameters()).toEqual(manual.parameters());
    await expect(held.fit(data, { learningRateHold: -1 })).rejects.toThrow(/learningRateHold must be an integer in \[0, 1000000000\], got -1/);
  });

  it("reports validation log-likelihood, stops early and keeps the best epoch", async () => {
    const train = randomBinary(40, 12, 8, 0.5);
    const valid = randomBinary(40, 12, 9, 0.5);
    const m = await HelmholtzMachine.create({ layers: [12, 8], seed: 1 });
    const seen: number[] = [];
    const stats = await m.fit(train, {
      epochs: 200, learningRate: 0.5, validation: { data: valid, samples: 50, patience: 3 },
      onProgress: (p) => p.epochEnd && seen.push(p.validationLogLikelihood!),
    });
    expect(stats.length).toBeLessThan(200);
    expect(seen).toEqual(stats.map((s) => s.validationLogLikelihood));
    const best = Math.max(...seen);
    expect(seen.slice(-3).every((v) => v < best)).toBe(true);
    expect(m.epochsTrained).toBe(seen.indexOf(best) + 1);
  });

  it("a learning rate of 50 leaves every parameter finite", async () => {
    const m = await HelmholtzMachine.create({ layers: [6, 3, 1], seed: 1 });
    await m.fit(randomBinary(500, 6, 1), { learningRate: 50, epochs: 3 });
    for (const [, t] of m.parameters()) expect(t.data.every(Number.isFinite)).toBe(true);
  });

  it("stops with a clear error when the parameters overflow, rolled back to the last finite state", async () => {
    const m = await HelmholtzMachine.create({ layers: [6, 3], seed: 1 });
    await expect(m.fit(randomBinary(500, 6, 1), { learningRate: 1e38, optimizer: "momentum", batchSize: 4 })).rejects.toThrow(/diverged .* non-finite .* rolled back/);
    for (const [, t] of m.parameters()) expect(t.data.every(Number.isFinite)).toBe(true);
  });
});

describe("classification by description length", () => {
  it("beats chance by a wide margin on two synthetic classes", async () => {
    // Class 0 turns on the left half's pixels with probability 0.7, class 1 the right half's.
    const make = (left: boolean, rows: number, seed: number) => {
      const r = randomBinary(rows, 16, seed, 0.7);
      return r.map((v, i) => ((i % 16 < 8) === left ? v : 0));
    };
    const clf = new DescriptionLengthClassifier({ layers: [16, 6], seed: 1, learningRate: 0.05 });
    await clf.fit([make(true, 400, 1), make(false, 400, 2)], { epochs: 10 });
    const test = new Uint8Array([...make(true, 100, 3), ...make(false, 100, 4)]);
    const labels = clf.predict(test);
    const errors = labels.reduce((e, l, r) => e + (l !== (r < 100 ? 0 : 1) ? 1 : 0), 0);
    // Chance is 100 errors of 200; 10 or fewer is a binomial tail far below 1e-20 for a coin.
    expect(errors).toBeLessThanOrEqual(10);
    expect(clf.scores(test).length).toBe(400);
  });
});
