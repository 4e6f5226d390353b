// The paper's bars number (issue "Beyond the 1995 paper", point 5): a 16-8-1 Helmholtz machine trained
// with BARS_RECIPE (or --classic: BARS_CLASSIC) on 2x10^6 examples, for seeds 1..5 (machine seed = data
// seed, data from bars.sample(examples / epochs, seed), shown once per epoch); prints the exact
// KL(true || model) in bits for each seed, the median and the time.
//   node bench/quality/bars.js [--seeds 1,2,3,4,5] [--classic] [--recipe '{"learningRate":...}']
// Writes bench/quality/results/bars.json.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HelmholtzMachine, bars } from "../../dist/index.js";
import { BARS_CLASSIC, BARS_RECIPE } from "./bars-recipe.js";
import { RESULTS } from "./mnist-common.js";
import { machineInfo } from "../machine.js";
import { median } from "../timing.js";

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const seeds = (flag("--seeds") ?? "1,2,3,4,5").split(",").map(Number);
const base = args.includes("--classic") ? BARS_CLASSIC : BARS_RECIPE;
const recipe = flag("--recipe") ? { ...base, ...JSON.parse(flag("--recipe")) } : base;

/** Trains one machine with the recipe on bars data of this seed; resolves to the machine. */
export async function trainBars(r, seed) {
  const epochs = r.fit.epochs ?? 1;
  const perEpoch = r.examples / epochs;
  if (!Number.isInteger(perEpoch)) throw new Error(`examples ${r.examples} must be a multiple of fit.epochs ${epochs}`);
  const m = await HelmholtzMachine.create({ layers: r.layers, seed, learningRate: r.learningRate, initScale: r.initScale });
  for (const [name, value] of Object.entries(r.init ?? {})) {
    const n = m.parameters().get(name).data.length;
    m.setParameters({ [name]: { shape: [n], data: new Float32Array(n).fill(value) } });
  }
  await m.fit(bars.sample(perEpoch, seed), r.fit);
  return m;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`recipe ${JSON.stringify(recipe)}`);
  const t0 = performance.now(), cpu0 = process.cpuUsage();
  const kls = [], seconds = [];
  for (const seed of seeds) {
    const t = performance.now();
    const m = await trainBars(recipe, seed);
    kls.push(bars.klDivergence(m));
    seconds.push((performance.now() - t) / 1000);
    m.dispose();
    console.log(`seed ${seed}: KL(true || model) = ${kls.at(-1).toFixed(4)} bits (${seconds.at(-1).toFixed(1)} s)`);
  }
  const wall = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
  const med = median(kls);
  console.log(`median ${med.toFixed(4)} bits over seeds ${seeds.join(",")}; ${wall.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s cpu` +
    ` (${(wall / seeds.length).toFixed(1)} s per machine); target <= 0.10: ${med <= 0.1 ? "reached" : "NOT reached"}`);
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, base === BARS_CLASSIC ? "bars-classic.json" : "bars.json");
  writeFileSync(path + ".tmp", JSON.stringify({ recipe, seeds, kls: kls.map((k) => +k.toFixed(4)), median: +med.toFixed(4), secondsPerSeed: seconds.map((s) => +s.toFixed(1)), wallSeconds: +wall.toFixed(1), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), machine: machineInfo(), finished: new Date().toISOString() }, null, 1) + "\n");
  renameSync(path + ".tmp", path);
}
