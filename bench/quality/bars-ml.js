// Diagnostic for the bars search: is the 16-8-1 likelihood landscape itself full of local optima, or is
// it wake-sleep's dynamics? Exact maximum likelihood on the true bars distribution (the 30 images with
// their probabilities; the posterior over the 512 latent states enumerated), full-batch gradient ascent
// with Adam, from random initial weights of scale initScale. Prints the exact KL(true || model) in bits.
//   node bench/quality/bars-ml.js '{"steps":3000,"lr":0.05,"initScale":0.1}' [seeds]
import { bars } from "../../dist/index.js";
import { makeRng } from "./bars-reference.js";

const lsig = (x) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
const sig = (x) => 1 / (1 + Math.exp(-x));

export function fitML({ seed, steps = 3000, lr = 0.05, initScale = 0.1, hiddenBias = 0 }) {
  const rand = makeRng(seed + 7);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
  // params: gt, G1[8], b1[8], G0[8*16], b0[16]
  const n = 1 + 8 + 8 + 128 + 16;
  const th = new Float64Array(n);
  for (let i = 1; i < 9; i++) th[i] = initScale * gauss();
  for (let i = 9; i < 17; i++) th[i] = hiddenBias;
  for (let i = 17; i < 17 + 128; i++) th[i] = initScale * gauss();
  const { images, probabilities } = bars.distribution();
  const N = probabilities.length;
  const m = new Float64Array(n), v = new Float64Array(n), g = new Float64Array(n);
  const lj = new Float64Array(512);
  const curve = [];
  let kl = 0;
  for (let s = 0; s <= steps; s++) {
    g.fill(0); kl = 0;
    const gt = th[0], G1 = th.subarray(1, 9), b1 = th.subarray(9, 17), G0 = th.subarray(17, 145), b0 = th.subarray(145, 161);
    for (let k = 0; k < N; k++) {
      const d = images.subarray(k * 16, k * 16 + 16), q = probabilities[k];
      let mx = -Infinity;
      for (let c = 0; c < 512; c++) {
        const t = c >> 8, hh = c & 255; let val = t ? lsig(gt) : lsig(-gt);
        for (let j = 0; j < 8; j++) { const u = b1[j] + t * G1[j]; val += (hh >> j & 1) ? lsig(u) : lsig(-u); }
        for (let i = 0; i < 16; i++) { let u = b0[i]; for (let j = 0; j < 8; j++) if (hh >> j & 1) u += G0[j * 16 + i]; val += d[i] ? lsig(u) : lsig(-u); }
        lj[c] = val; if (val > mx) mx = val;
      }
      let z = 0; for (let c = 0; c < 512; c++) z += Math.exp(lj[c] - mx);
      const logp = mx + Math.log(z);
      kl += q * (Math.log(q) - logp) / Math.LN2;
      for (let c = 0; c < 512; c++) {
        const w = q * Math.exp(lj[c] - logp); if (w < 1e-12) continue;
        const t = c >> 8, hh = c & 255;
        g[0] += w * (t - sig(gt));
        for (let j = 0; j < 8; j++) { const e = ((hh >> j) & 1) - sig(b1[j] + t * G1[j]); g[9 + j] += w * e; if (t) g[1 + j] += w * e; }
        for (let i = 0; i < 16; i++) { let u = b0[i]; for (let j = 0; j < 8; j++) if (hh >> j & 1) u += G0[j * 16 + i]; const e = d[i] - sig(u); g[145 + i] += w * e; for (let j = 0; j < 8; j++) if (hh >> j & 1) g[17 + j * 16 + i] += w * e; }
      }
    }
    if (s % Math.max(1, steps / 10) === 0) curve.push(+kl.toFixed(3));
    if (s === steps) break;
    for (let i = 0; i < n; i++) { m[i] = 0.9 * m[i] + 0.1 * g[i]; v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]; th[i] += lr * (m[i] / (1 - 0.9 ** (s + 1))) / (Math.sqrt(v[i] / (1 - 0.999 ** (s + 1))) + 1e-8); }
  }
  return { kl, curve };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = JSON.parse(process.argv[2] ?? "{}");
  const seeds = (process.argv[3] ?? "1,2,3,4,5").split(",").map(Number);
  const kls = [];
  for (const seed of seeds) { const r = fitML({ ...cfg, seed }); kls.push(r.kl); console.log(`seed ${seed}: KL ${r.kl.toFixed(3)}  curve ${r.curve.join(" ")}`); }
  const s = [...kls].sort((a, b) => a - b);
  console.log(`exact ML ${JSON.stringify(cfg)}: median ${s[(s.length - 1) >> 1].toFixed(3)}`);
}
