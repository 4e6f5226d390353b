// `npm start` until the command line lands: the bars problem of Hinton et al. (1995), 16-8-1,
// 2x10^6 online wake-sleep steps, then the exact KL(true || model) in bits.
import { HelmholtzMachine, bars } from "../dist/index.js";

const m = await HelmholtzMachine.create({ layers: [16, 8, 1], seed: 1, learningRate: 0.1 });
console.log(`untrained: KL(true || model) = ${bars.klDivergence(m).toFixed(3)} bits`);
const started = performance.now();
await m.fit(bars.sample(2_000_000, 1), {
  onProgress: (p) => process.stdout.write(`\r${p.rowsDone} / ${p.rows} examples, description length ${p.descriptionLength.toFixed(3)} bits`),
});
const seconds = (performance.now() - started) / 1000;
console.log(`\ntrained on 2x10^6 examples in ${seconds.toFixed(1)} s: KL(true || model) = ${bars.klDivergence(m).toFixed(3)} bits (the paper reports 0.10)`);
const dreams = m.dream(6);
for (let r = 0; r < 4; r++) {
  console.log(Array.from({ length: 6 }, (_, i) => Array.from(dreams.subarray(i * 16 + r * 4, i * 16 + r * 4 + 4), (v) => (v ? "█" : "·")).join("")).join("   "));
}
