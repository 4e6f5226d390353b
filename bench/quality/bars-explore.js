// Exploration harness for the bars recipe (issue "Beyond the 1995 paper", point 5): trains a 16-8-1
// machine with classic wake-sleep on bars.sample(examples, seed) for the given seeds and prints the
// exact KL(true || model) after every epoch, the final KLs and median, and diagnostics of what the
// machine learned (which bar each middle unit draws, whether the top unit splits the orientations).
//   node bench/quality/bars-explore.js '{"learningRate":0.1,"initScale":0.01,"fit":{"epochs":20},"examples":2000000}' [seeds 1,2,3,4,5] [--quiet]
// Appends one line of JSON per run to results/bars-explore.jsonl.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { HelmholtzMachine, bars } from "../../dist/index.js";
import { RESULTS } from "./mnist-common.js";
import { median } from "../timing.js";

/** What each middle unit draws: a unit is a clean bar when its generative weights to that bar's 4
 *  pixels all share one sign and are at least 3x larger than every other weight of the unit
 *  (a unit may code a bar's absence: flipping a binary unit is an exact symmetry of the model). */
export function diagnose(m) {
  const p = m.parameters();
  const G0 = p.get("gen.0.weight").data; // 8 x 16
  const G1 = p.get("gen.1.weight")?.data ?? new Float32Array(8); // 1 x 8 (none for a 16-8 machine)
  const b1 = (p.get("gen.1.bias") ?? p.get("gen.top.bias")).data;
  const sig = (x) => 1 / (1 + Math.exp(-x));
  const units = [];
  for (let j = 0; j < 8; j++) {
    const w = G0.subarray(j * 16, j * 16 + 16);
    let found = null;
    for (const [kind, pix] of [["v", (b, i) => i * 4 + b], ["h", (b, i) => b * 4 + i]]) {
      for (let b = 0; b < 4; b++) {
        const on = [0, 1, 2, 3].map((i) => pix(b, i));
        const vals = on.map((k) => w[k]);
        const sign = Math.sign(vals[0]);
        const minAbs = Math.min(...vals.map((v) => v * sign));
        const otherMax = Math.max(...[...w].filter((_, k) => !on.includes(k)).map(Math.abs));
        if (minAbs > 0 && minAbs > 3 * otherMax) found = `${kind}${b}${sign < 0 ? "~" : ""}`;
      }
    }
    units.push({ bar: found, pOn: [+sig(b1[j]).toFixed(2), +sig(b1[j] + G1[j]).toFixed(2)] });
  }
  const distinctBars = new Set(units.filter((u) => u.bar).map((u) => u.bar.slice(0, 2))).size;
  // The top unit splits the orientations when every vertical unit is more active in one top state
  // and every horizontal unit in the other.
  const dir = (u) => Math.sign(u.pOn[1] - u.pOn[0]) * (u.bar.endsWith("~") ? -1 : 1);
  const v = units.filter((u) => u.bar?.[0] === "v").map(dir), h = units.filter((u) => u.bar?.[0] === "h").map(dir);
  const topSplits = distinctBars === 8 && v.every((s) => s === v[0]) && h.every((s) => s === -v[0]);
  return { distinctBars, topSplits, units };
}

/**
 * Runs train(seed) for each seed, printing per seed the final KL, the bars found and a sampled KL
 * curve (with each unit's bar unless quiet). Returns the KLs, diagnoses, curves and wall seconds.
 */
export async function trainSeeds(train, seeds, quiet) {
  const t0 = performance.now();
  const kls = [], diags = [], curves = [];
  for (const seed of seeds) {
    const { m, kl, curve } = await train(seed);
    const d = diagnose(m);
    kls.push(kl); diags.push(d); curves.push(curve);
    const every = Math.max(1, Math.floor(curve.length / 10));
    console.log(`seed ${seed}: KL ${kl.toFixed(3)}  bars ${d.distinctBars}/8 topSplit ${d.topSplits}  curve ${curve.filter((_, i) => (i + 1) % every === 0 || i === curve.length - 1).map((x) => x.toFixed(3)).join(" ")}`);
    if (!quiet) console.log("   " + d.units.map((u) => `${u.bar ?? "mix"} ${u.pOn.join("/")}`).join("  "));
    m.dispose();
  }
  return { kls, diags, curves, secs: (performance.now() - t0) / 1000 };
}

export async function trainOne(recipe, seed, onEpoch) {
  const { layers = [16, 8, 1], learningRate, initScale, fit, examples } = recipe;
  const epochs = fit.epochs ?? 1;
  const perEpoch = Math.round(examples / epochs);
  if (perEpoch * epochs !== examples) throw new Error(`examples ${examples} is not a multiple of epochs ${epochs}`);
  const m = await HelmholtzMachine.create({ layers, seed, learningRate, initScale });
  const data = bars.sample(perEpoch, seed);
  const curve = [];
  for (let e = 0; e < epochs; e++) {
    await m.fit(data, { ...fit, epochs: 1 });
    const kl = bars.klDivergence(m);
    curve.push(kl);
    onEpoch?.(e + 1, kl);
  }
  return { m, kl: curve[curve.length - 1], curve };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const recipe = JSON.parse(process.argv[2]);
  const seeds = (process.argv[3] && !process.argv[3].startsWith("--") ? process.argv[3] : "1,2,3,4,5").split(",").map(Number);
  const quiet = process.argv.includes("--quiet");
  const { kls, diags, curves, secs } = await trainSeeds((seed) => trainOne(recipe, seed), seeds, quiet);
  console.log(`median ${median(kls).toFixed(3)}  KLs ${kls.map((k) => k.toFixed(3)).join(" ")}  ${secs.toFixed(0)} s wall  recipe ${JSON.stringify(recipe)}`);
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, "bars-explore.jsonl"), JSON.stringify({ recipe, seeds, kls: kls.map((k) => +k.toFixed(4)), median: +median(kls).toFixed(4), curves: curves.map((c) => c.map((k) => +k.toFixed(4))), bars: diags.map((d) => d.distinctBars), topSplit: diags.map((d) => d.topSplits), wallSeconds: +secs.toFixed(1) }) + "\n");
}
