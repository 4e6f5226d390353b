// Evidence for bench/QUALITY.md: is the bars gap the algorithm's fixed point or the structure that
// training finds? Builds the correct 16-8-1 machine by hand (middle units 0-3 = the vertical bars,
// 4-7 = the horizontal bars, the top unit = the orientation, recognition weights that invert it),
// then trains it further with classic wake-sleep under a recipe and prints the exact KL per epoch.
// If wake-sleep kept only a poor version of the right structure, the KL would climb back to ~0.3-0.5.
//   node bench/quality/bars-ideal.js [--seeds 1,2,3,4,5] [--recipe '{"fit":{...}}']
import { HelmholtzMachine, bars } from "../../dist/index.js";
import { decodeSafetensors, encodeSafetensors } from "../../dist/safetensors.js";
import { BARS_CLASSIC as BARS_RECIPE } from "./bars-recipe.js";

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const seeds = (flag("--seeds") ?? "1,2,3,4,5").split(",").map(Number);
const recipe = flag("--recipe") ? { ...BARS_RECIPE, ...JSON.parse(flag("--recipe")) } : BARS_RECIPE;

/** The correct machine: generative weights of magnitude ~A, recognition weights that invert it. */
export async function idealMachine(seed, A = 8, w = 4) {
  const m0 = await HelmholtzMachine.create({ layers: [16, 8, 1], seed, learningRate: recipe.learningRate });
  const { metadata, tensors } = decodeSafetensors(m0.save());
  m0.dispose();
  const T = (name) => tensors.get(name).data;
  const logit = (p) => Math.log(p / (1 - p));
  T("gen.top.bias")[0] = Math.log(2); // P(vertical) = 2/3
  T("rec.1.bias")[0] = Math.log(2);
  for (let j = 0; j < 8; j++) {
    const vertical = j < 4;
    T("gen.1.bias")[j] = vertical ? -A : logit(0.2); // P(bar | other orientation) ~ 0, P(bar | its orientation) = 0.2
    T("gen.1.weight")[j] = vertical ? A + logit(0.2) : -A;
    T("rec.0.bias")[j] = -3.5 * w; // on when all 4 of its pixels are on
    T("rec.1.weight")[j] = vertical ? A : -A;
    for (let i = 0; i < 16; i++) {
      const mine = vertical ? (i & 3) === j : i >> 2 === j - 4;
      T("gen.0.weight")[j * 16 + i] = mine ? 2 * A : 0;
      T("rec.0.weight")[i * 8 + j] = mine ? w : 0;
    }
  }
  T("gen.0.bias").fill(-A);
  return HelmholtzMachine.load(encodeSafetensors(tensors, metadata));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`recipe ${JSON.stringify(recipe.fit)}, learning rate ${recipe.learningRate}`);
  const epochs = recipe.fit.epochs ?? 1;
  const finals = [];
  for (const seed of seeds) {
    const m = await idealMachine(seed);
    const start = bars.klDivergence(m);
    const data = bars.sample(recipe.examples / epochs, seed);
    const curve = [];
    for (let e = 0; e < epochs; e++) {
      await m.fit(data, { ...recipe.fit, epochs: 1 });
      curve.push(bars.klDivergence(m));
    }
    finals.push(curve.at(-1));
    console.log(`seed ${seed}: hand-set correct machine KL ${start.toFixed(4)}; after each epoch of wake-sleep: ${curve.map((k) => k.toFixed(3)).join(" ")}`);
    m.dispose();
  }
  const s = [...finals].sort((a, b) => a - b);
  console.log(`median after training from the correct structure: ${s[(s.length - 1) >> 1].toFixed(4)} bits`);
}
