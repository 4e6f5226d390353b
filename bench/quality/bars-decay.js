// Prototype of an engine feature for the bars search (NOT an engine change): weight decay (L2) on the
// generative and/or recognition weights during wake-sleep, applied from outside every `chunk` rows by
// shrinking the weights in wasm memory (through the machine's private writeTensor; a bench hack, the
// real feature would be a fit() option applied inside the kernels at every update).
//   node bench/quality/bars-decay.js '{"init":{...},"phases":[{"epochs":20,"fit":{...},"decayP":1e-4,"decayQ":0}]}' [seeds]
// decayP / decayQ: per-row weight decay coefficient lambda; every chunk rows the weights are
// multiplied by (1 - rate * lambda * chunk) where rate is that phase's p (or sleepQ) rate at that epoch.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { bars } from "../../dist/index.js";
import { parameterShapes } from "../../dist/model-file.js";
import { diagnose } from "./bars-explore.js";
import { initMachine, scaleRates } from "./bars-init.js";
import { RESULTS } from "./mnist-common.js";
import { median } from "../timing.js";

function shrink(m, names, factor) {
  const shapes = parameterShapes(m.layers);
  const params = m.parameters();
  for (const s of shapes) {
    if (!names.includes(s.name)) continue;
    const t = params.get(s.name);
    for (let i = 0; i < t.data.length; i++) t.data[i] *= factor;
    m["writeTensor"](s, 0, t);
  }
}

export async function runDecay(cfg, seed) {
  const rows = cfg.rows ?? 100_000, chunk = cfg.chunk ?? 500;
  const m = await initMachine(seed, cfg.init, 0.1);
  const data = bars.sample(rows, seed);
  const curve = [];
  for (const ph of cfg.phases) {
    for (let e = 0; e < ph.epochs; e++) {
      const f = ph.fit ?? {};
      const decay = (f.learningRateDecay ?? 1) ** e;
      const rates = f.learningRates ?? { p: f.learningRate, sleepQ: f.learningRate };
      const lr = { learningRates: scaleRates(rates, decay) };
      for (let r = 0; r < rows; r += chunk) {
        await m.fit(data.subarray(r * 16, Math.min(rows, r + chunk) * 16), { ...f, ...lr, learningRate: undefined, learningRateDecay: 1, epochs: 1, shuffle: false });
        if (ph.decayP) shrink(m, ["gen.0.weight", "gen.1.weight"], 1 - lr.learningRates.p * ph.decayP * chunk);
        if (ph.decayQ) shrink(m, ["rec.0.weight", "rec.1.weight"], 1 - lr.learningRates.sleepQ * ph.decayQ * chunk);
      }
      curve.push(bars.klDivergence(m));
    }
  }
  return { m, kl: curve.at(-1), curve };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfgs = process.argv[2].split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  const seeds = (process.argv[3] ?? "1,2,3,4,5").split(",").map(Number);
  for (const cfg of cfgs) {
    const t0 = performance.now(); const kls = [], nb = [];
    for (const seed of seeds) { const { m, kl } = await runDecay(cfg, seed); kls.push(kl); nb.push(diagnose(m).distinctBars); m.dispose(); }
    const secs = (performance.now() - t0) / 1000;
    console.log(`median ${median(kls).toFixed(3)}  KLs ${kls.map((k) => k.toFixed(3)).join(" ")}  bars ${nb.join(",")}  ${secs.toFixed(0)} s  ${JSON.stringify(cfg)}`);
    appendFileSync(join(RESULTS, "bars-decay.jsonl"), JSON.stringify({ cfg, seeds, kls: kls.map((k) => +k.toFixed(4)), median: +median(kls).toFixed(4), bars: nb, wallSeconds: +secs.toFixed(1) }) + "\n");
  }
}
