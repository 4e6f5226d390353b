// Bars search, part 2: wake-sleep (fit()) from chosen *generic* initial parameters and with a schedule
// of phases (each phase = fit() options for some epochs of the same 10^5 rows of bars.sample(rows, seed)).
// The initial parameters never encode the bars: they are random numbers with chosen means, scales and
// sparsity (e.g. negative pixel biases with positive random generative weights, an "OR of causes" start).
//   node bench/quality/bars-init.js '{"init":{...},"phases":[{"epochs":20,"fit":{...}}],"rows":100000}' [seeds] [--quiet]
// init: b0, b1, top (generative biases: pixels, middle units, top unit), G0 {mean, scale, density}
// (generative weights middle->pixels: each nonzero w.p. density, N(mean, scale^2)), G1 (top->middle
// scale), R0 {mean, scale, density} (recognition pixels->middle), r1 (recognition middle biases),
// R1 (middle->top scale), transpose (R0 = transpose*G0 instead of random).
// Appends one line per run to results/bars-init.jsonl.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { HelmholtzMachine, bars } from "../../dist/index.js";
import { decodeSafetensors, encodeSafetensors } from "../../dist/safetensors.js";
import { trainSeeds } from "./bars-explore.js";
import { makeRng } from "./bars-reference.js";
import { RESULTS } from "./mnist-common.js";
import { median } from "../timing.js";

const num = (x, d) => (x === undefined ? d : x);

/** A 16-8-1 machine with the random state of `seed` and initial parameters drawn per `init`. */
export async function initMachine(seed, init = {}, learningRate = 0.1) {
  const m0 = await HelmholtzMachine.create({ layers: [16, 8, 1], seed, learningRate, initScale: 0.01 });
  if (!init || Object.keys(init).length === 0) return m0;
  const { metadata, tensors } = decodeSafetensors(m0.save());
  m0.dispose();
  const rand = makeRng(seed + 99);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
  const draw = (spec, fallbackScale) => {
    const s = typeof spec === "number" ? { scale: spec } : spec ?? {};
    const dens = num(s.density, 1);
    return rand() < dens ? num(s.mean, 0) + num(s.scale, fallbackScale) * (s.uniform ? rand() : gauss()) : 0;
  };
  const T = (name) => tensors.get(name).data;
  T("gen.top.bias")[0] = num(init.top, 0);
  T("gen.0.bias").fill(num(init.b0, 0));
  T("gen.1.bias").fill(num(init.b1, 0));
  T("rec.0.bias").fill(num(init.r1, num(init.b1, 0)));
  T("rec.1.bias")[0] = 0;
  for (let j = 0; j < 8; j++) { T("gen.1.weight")[j] = draw(init.G1, 0.01); T("rec.1.weight")[j] = draw(init.R1, 0.01); }
  for (let j = 0; j < 8; j++) for (let i = 0; i < 16; i++) T("gen.0.weight")[j * 16 + i] = draw(init.G0, 0.01);
  for (let j = 0; j < 8; j++) for (let i = 0; i < 16; i++)
    T("rec.0.weight")[i * 8 + j] = init.transpose !== undefined ? init.transpose * T("gen.0.weight")[j * 16 + i] : draw(init.R0, 0.01);
  return HelmholtzMachine.load(encodeSafetensors(tensors, metadata));
}

/** Every rate of a learningRates object times `factor`. */
export const scaleRates = (rates, factor) => Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, v * factor]));

export async function runOne(cfg, seed, onEpoch) {
  const rows = cfg.rows ?? 100_000;
  const m = await initMachine(seed, cfg.init, cfg.learningRate ?? 0.1);
  const data = bars.sample(rows, seed);
  const curve = [];
  for (const ph of cfg.phases) {
    for (let e = 0; e < ph.epochs; e++) {
      const f = ph.fit ?? {};
      const decay = (f.learningRateDecay ?? 1) ** e;
      const lr = f.learningRates ? { learningRates: scaleRates(f.learningRates, decay) } : {};
      await m.fit(data, { ...f, ...lr, learningRateDecay: 1, epochs: 1, ...(f.learningRate !== undefined ? { learningRate: f.learningRate * decay } : {}) });
      const kl = bars.klDivergence(m);
      curve.push(kl);
      onEpoch?.(curve.length, kl, m);
    }
  }
  return { m, kl: curve.at(-1), curve };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = JSON.parse(process.argv[2]);
  const seeds = (process.argv[3] && !process.argv[3].startsWith("--") ? process.argv[3] : "1,2,3,4,5").split(",").map(Number);
  const quiet = process.argv.includes("--quiet");
  const { kls, diags, curves, secs } = await trainSeeds((seed) => runOne(cfg, seed), seeds, quiet);
  console.log(`median ${median(kls).toFixed(3)}  KLs ${kls.map((k) => k.toFixed(3)).join(" ")}  ${secs.toFixed(0)} s  ${JSON.stringify(cfg)}`);
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, "bars-init.jsonl"), JSON.stringify({ cfg, seeds, kls: kls.map((k) => +k.toFixed(4)), median: +median(kls).toFixed(4), bars: diags.map((d) => d.distinctBars), curves: curves.map((c) => c.map((k) => +k.toFixed(4))), wallSeconds: +secs.toFixed(1) }) + "\n");
}
