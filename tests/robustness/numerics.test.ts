// Numerical safety at the API: machines whose activations saturate (weights of ±1e4) or sit at
// the edge of f32 (±3e38) give finite, correct scores, probabilities in [0, 1], binary dreams,
// and a fit that stays finite or stops with the divergence error.
import { describe, expect, it } from "vitest";
import { HelmholtzMachine } from "../../src/index.js";
import { encodeModel, parameterShapes } from "../../src/model-file.js";
import { mulberry32 } from "../../src/problems/random.js";
import { allBinaryVectors, randomBinary } from "../helpers/models.js";

const LN2 = Math.LN2;
const F32_MAX = 3.4028234663852886e38;

/** A machine loaded from a model file whose parameters are value(name, index) (rounded to f32). */
async function machineFrom(layers: number[], value: (name: string, i: number) => number): Promise<HelmholtzMachine> {
  const tensors = new Map(parameterShapes(layers).map((p) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    return [p.name, { shape: p.shape, data: Float32Array.from({ length: size }, (_, i) => value(p.name, i)) }] as const;
  }));
  return HelmholtzMachine.load(encodeModel({ layers, tensors }));
}

/** Every weight and bias ±w with a random sign from a seeded stream. */
function signs(w: number, seed: number): (name: string, i: number) => number {
  const u = mulberry32(seed);
  return () => (u() < 0.5 ? -w : w);
}

// log P(s | a) for a logistic unit, in f64, in the stable form: -softplus(a (1 - 2 s)).
const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const logBern = (s: number, a: number) => -softplus(s ? -a : a);
const sigma = (a: number) => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)));

/** log P(x) by enumerating every hidden configuration, in f64, from the machine's parameters. */
function referenceExact(m: HelmholtzMachine, x: ArrayLike<number>): number {
  const n = m.layers, L = n.length - 1;
  const p = m.parameters();
  const t = (name: string) => p.get(name)!.data;
  const H = n.slice(1).reduce((a, b) => a + b, 0);
  let max = -Infinity;
  const logs: number[] = [];
  for (let c = 0; c < 2 ** H; c++) {
    // states[l] for l = 0..L: the data, then the bits of c.
    const states: number[][] = [Array.from(x)];
    let bit = 0;
    for (let l = 1; l <= L; l++) states.push(Array.from({ length: n[l] }, () => (c >> bit++) & 1));
    let lp = 0;
    const top = t("gen.top.bias");
    states[L].forEach((s, k) => (lp += logBern(s, top[k])));
    for (let l = L - 1; l >= 0; l--) {
      const W = t(`gen.${l}.weight`), b = t(`gen.${l}.bias`);
      for (let j = 0; j < n[l]; j++) {
        let a = b[j];
        for (let k = 0; k < n[l + 1]; k++) if (states[l + 1][k]) a += W[k * n[l] + j];
        lp += logBern(states[l][j], a);
      }
    }
    logs.push(lp);
    max = Math.max(max, lp);
  }
  return max + Math.log(logs.reduce((s, v) => s + Math.exp(v - max), 0));
}

const rowsOf = (data: Uint8Array, width: number) => Array.from({ length: data.length / width }, (_, r) => data.subarray(r * width, (r + 1) * width));
const allFinite = (m: HelmholtzMachine) => [...m.parameters().values()].every((t) => t.data.every(Number.isFinite));

// The fit outcomes the issue allows: it resolves with finite parameters, or it stops with the
// divergence error and the parameters of before the failing chunk (here: of before the call).
async function fitStaysFiniteOrDiverges(m: HelmholtzMachine, data: Uint8Array, opts: object): Promise<"finite" | "diverged"> {
  const before = m.parameters();
  try {
    await m.fit(data, { epochs: 2, ...opts });
  } catch (e) {
    expect((e as Error).message).toMatch(/^fit\(\) diverged in epoch 1 between rows 0 and \d+: the parameters became non-finite .* rolled back/);
    for (const [name, t] of m.parameters()) expect(t.data, name).toEqual(before.get(name)!.data);
    return "diverged";
  }
  expect(allFinite(m)).toBe(true);
  return "finite";
}
const FIT_OPTIONS = [{}, { batchSize: 4 }, { optimizer: "momentum", batchSize: 3 }, { optimizer: "adam" }, { algorithm: "rws", samples: 4 }, { learningRate: 1e30 }];

describe("the logistic and its logarithms over activations from 0 to the largest f32", () => {
  // [37, 1] with Gw = Rw = 0 and gTop = rb = 0: every visible unit's activation is its bias,
  // whatever h is, so P(x) = prod_j P(x_j | gb_j) exactly, Q(h|x) = P(h), and both the
  // importance-sampled log-likelihood and the description length equal log P(x) exactly.
  // 37 units: nine SIMD iterations and a tail of one.
  const sweep = [0, 1e-30, 1e-7, 0.5, 1, 5, 15, 16.6, 30, 87, 88.7, 89, 100, 103.9, 104, 200, 1e4, 1e6, 1e20, 3e38, F32_MAX];
  const biases = Float32Array.from([...sweep, ...sweep.slice(1).map((a) => -a)].slice(0, 37));
  const make = () => machineFrom([37, 1], (name, i) => (name === "gen.0.bias" ? biases[i] : 0));
  const data = new Uint8Array([...randomBinary(6, 37, 1, 0.5), ...new Uint8Array(37), ...new Uint8Array(37).fill(1)]);

  it("reconstruct gives sigma(a) within 1.2e-7 (the kernel's stated bound) for every a", async () => {
    const m = await make();
    for (const x of rowsOf(data, 37)) {
      const r = m.reconstruct(x);
      r.forEach((v, j) => expect(Math.abs(v - sigma(biases[j])), `a = ${biases[j]}`).toBeLessThanOrEqual(1.2e-7));
    }
  });

  it("exact and sampled log-likelihood and description length are finite and equal log P(x)", async () => {
    const m = await make();
    const exact = m.logLikelihood(data, { exact: true });
    const sampled = m.logLikelihood(data, { samples: 20 });
    const bits = m.descriptionLength(data, { samples: 5 });
    rowsOf(data, 37).forEach((x, r) => {
      const terms = Array.from(x, (s, j) => logBern(s, biases[j]));
      const want = terms.reduce((a, b) => a + b, 0);
      // Per term: the kernel's 2.5e-7 absolute bound, plus one f32 rounding (2^-24 relative) of
      // a term as large as 3.4e38.
      const tol = terms.reduce((s, v) => s + 2.5e-7 + 2 ** -24 * Math.abs(v), 0);
      expect(Number.isFinite(exact[r])).toBe(true);
      expect(Math.abs(exact[r] - want), `row ${r}`).toBeLessThanOrEqual(tol);
      expect(Math.abs(sampled[r] - want), `row ${r}`).toBeLessThanOrEqual(tol);
      expect(Math.abs(-bits[r] * LN2 - want), `row ${r}`).toBeLessThanOrEqual(tol);
    });
    // The all-zero row costs every positive bias: about 3.4e38 + 3e38 + 1e20 + ... nats, finite.
    expect(exact[6]).toBeLessThan(-6e38);
  });

  it("dream fires each unit at rate sigma(a), within a 5-sigma binomial bound", async () => {
    const m = await make();
    const n = 4000;
    const d = m.dream(n);
    for (let j = 0; j < 37; j++) {
      let count = 0;
      for (let r = 0; r < n; r++) count += d[r * 37 + j];
      const p = sigma(biases[j]);
      expect(Math.abs(count - n * p), `unit ${j}, a = ${biases[j]}`).toBeLessThanOrEqual(5 * Math.sqrt(n * p * (1 - p)) + 1);
    }
  });
});

describe("saturated machines: every weight and bias ±1e4", () => {
  // Activations are sums of ±1e4, exact in f32: 0 (sigma = 0.5) or at least 1e4 in size (sigma
  // within 2e-38 of 0 or 1). Layer sizes cover SIMD tails (3, 5, 7), one and several iterations.
  for (const layers of [[9, 5, 3], [13, 7]]) {
    const H = layers.slice(1).reduce((a, b) => a + b, 0);
    const data = randomBinary(12, layers[0], 2, 0.5);

    it(`${JSON.stringify(layers)}: exact log-likelihood matches an f64 enumeration`, async () => {
      const m = await machineFrom(layers, signs(1e4, 3));
      const exact = m.logLikelihood(data, { exact: true });
      rowsOf(data, layers[0]).forEach((x, r) => {
        const want = referenceExact(m, x);
        expect(Number.isFinite(exact[r])).toBe(true);
        expect(Math.abs(exact[r] - want), `row ${r}`).toBeLessThanOrEqual(1e-6 * Math.abs(want) + 1e-4);
      });
    });

    it(`${JSON.stringify(layers)}: sampled scores are finite and bounded by log P(x)`, async () => {
      const m = await machineFrom(layers, signs(1e4, 3));
      const exact = m.logLikelihood(data, { exact: true });
      const sampled = m.logLikelihood(data, { samples: 100 });
      const bits = m.descriptionLength(data, { samples: 10 });
      // Q is saturated too: each unit's probability is 0.5 or within 2e-38 of 0 or 1, so a draw
      // has Q(h|x) >= 2^-H, and each importance weight P(x, h) / Q(h|x) <= 2^H P(x). Hence the
      // estimate <= log P(x) + H ln 2, and F(x) >= -log2 P(x) - H bits.
      for (let r = 0; r < exact.length; r++) {
        const slack = 1e-6 * Math.abs(exact[r]);
        expect(Number.isFinite(sampled[r]) && Number.isFinite(bits[r])).toBe(true);
        expect(sampled[r]).toBeLessThanOrEqual(exact[r] + H * LN2 + slack);
        expect(bits[r] * LN2).toBeGreaterThanOrEqual(-exact[r] - H * LN2 - slack);
      }
      // Probability rows (sampled once into binary rows) go through the same estimators.
      const probs = Float32Array.from(data, (v) => (v ? 0.9 : 0.1));
      expect(m.logLikelihood(probs, { samples: 10 }).every(Number.isFinite)).toBe(true);
      expect(m.descriptionLength(probs, { samples: 3 }).every(Number.isFinite)).toBe(true);
    });

    it(`${JSON.stringify(layers)}: reconstruct is 0, 1/2 or 1; dreams are likely under the model`, async () => {
      const m = await machineFrom(layers, signs(1e4, 3));
      for (const x of rowsOf(data, layers[0])) {
        for (const v of m.reconstruct(x)) expect(Math.min(Math.abs(v), Math.abs(v - 0.5), Math.abs(v - 1))).toBeLessThanOrEqual(1e-7);
      }
      // A dream follows one path h of the model: each unit's value had probability ~1 (saturated)
      // or 1/2 (activation 0), so log P(x) >= log P(x, h) >= -(all units) ln 2.
      const dreams = m.dream(50);
      expect(dreams.every((v) => v === 0 || v === 1)).toBe(true);
      const units = layers.reduce((a, b) => a + b, 0);
      for (const ll of m.logLikelihood(dreams, { exact: true })) expect(ll).toBeGreaterThanOrEqual(-units * LN2 - 1e-6);
    });

    it(`${JSON.stringify(layers)}: fit stays finite or stops with the divergence error`, async () => {
      for (const opts of FIT_OPTIONS) {
        const m = await machineFrom(layers, signs(1e4, 3));
        await fitStaysFiniteOrDiverges(m, data, opts);
      }
    });
  }
});

describe("machines at the edge of f32: every weight and bias ±3e38", () => {
  // Sums of two such terms overflow f32 to ±Infinity (never NaN: a running sum that reached
  // +Infinity cannot meet -Infinity among finite terms).
  const layers = [9, 5, 3];
  const data = randomBinary(12, 9, 2, 0.5);
  const make = () => machineFrom(layers, signs(3e38, 3));

  it("exact log-likelihood is finite (the all-zero hidden configuration always is)", async () => {
    // With h = 0 every activation is a single bias, finite, so at least one term of the
    // log-sum-exp is finite; each term is at most 3.4e38 per unit in size, summed in f64.
    const m = await make();
    const exact = m.logLikelihood(data, { exact: true });
    expect(exact.every(Number.isFinite)).toBe(true);
    expect(m.logLikelihood(allBinaryVectors(9), { exact: true }).every(Number.isFinite)).toBe(true);
  });

  it("reconstruct is 0, 1/2 or 1 and dreams are binary rows of finite log-likelihood", async () => {
    const m = await make();
    for (const x of rowsOf(data, 9)) {
      for (const v of m.reconstruct(x)) expect(Math.min(Math.abs(v), Math.abs(v - 0.5), Math.abs(v - 1))).toBeLessThanOrEqual(1e-7);
    }
    const dreams = m.dream(50);
    expect(dreams.every((v) => v === 0 || v === 1)).toBe(true);
    expect(m.logLikelihood(dreams, { exact: true }).every(Number.isFinite)).toBe(true);
  });

  it("fit stays finite or stops with the divergence error", async () => {
    const outcomes = [];
    for (const opts of FIT_OPTIONS) outcomes.push(await fitStaysFiniteOrDiverges(await make(), data, opts));
    // Measured: the online, minibatch, momentum and Adam updates stay finite; reweighted
    // wake-sleep diverges (its importance weights are NaN, see the next test).
    expect(outcomes).toContain("finite");
  });

  // Activations are f32 sums (assembly/pass.ts bias_plus_rows); two same-sign ±3e38 terms exceed
  // the f32 range. The pass clamps them to ±F32_MAX, so every log-probability term stays finite
  // and the estimators' logsumexp never meets exp(-Infinity - -Infinity).
  it("sampled log-likelihood and description length are finite", async () => {
    const m = await make();
    expect(m.logLikelihood(data, { samples: 50 }).every(Number.isFinite)).toBe(true);
    expect(m.descriptionLength(data, { samples: 5 }).every(Number.isFinite)).toBe(true);
  });
});
