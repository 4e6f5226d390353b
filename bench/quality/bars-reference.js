// Evidence for bench/QUALITY.md: an independent plain-JS (float64, scalar) online wake-sleep for the
// 16-8-1 bars machine, written from ../shared/spec/algorithm.md without the engine's code, to check that
// the engine's bars KLs (local optima at 0.2-1 bits) are the algorithm's and not an engine bug. It uses
// only bars.sample / bars.distribution from the library; its own random stream, its own exact KL.
//   node bench/quality/bars-reference.js '{"lr":0.1,"epochs":1}'            plain online, lr 0.1, 2x10^6 fresh examples
//   node bench/quality/bars-reference.js '{"lr":0.2,"epochs":20,"decay":0.8,"seeds":[1,2,3,4,5]}'
// Options: lr, epochs, decay (per epoch), initScale, rateP / rateQ (generative / recognition rates),
// topRate (rate of the top layer's parameters, both directions), hiddenBias (initial middle-layer biases), examples.
import { bars } from "../../dist/index.js";
export function makeRng(seed) {
  let s = (seed * 2654435761 + 12345) >>> 0;
  return () => { s = (s + 0x6D2B79F5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const sig = (x) => 1 / (1 + Math.exp(-x));
const lsig = (x) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
export function train({ seed, lr, epochs = 20, decay = 1, initScale = 0.01, rateP, rateQ, hiddenBias = 0, examples = 2e6, topRate }) {
  const rand = makeRng(seed + 1000);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
  const M = { gt: 0, G1: Float64Array.from({ length: 8 }, () => initScale * gauss()), b1: new Float64Array(8).fill(hiddenBias),
    G0: Float64Array.from({ length: 128 }, () => initScale * gauss()), b0: new Float64Array(16),
    R0: Float64Array.from({ length: 128 }, () => initScale * gauss()), r1: new Float64Array(8).fill(hiddenBias),
    R1: Float64Array.from({ length: 8 }, () => initScale * gauss()), r2: 0 };
  const per = examples / epochs;
  const data = bars.sample(per, seed);
  const h = new Float64Array(8), p0 = new Float64Array(16), d = new Float64Array(16), q1 = new Float64Array(8);
  for (let e = 0; e < epochs; e++) {
    const f = decay ** e; const eP = (rateP ?? lr) * f, eQ = (rateQ ?? lr) * f, eT = (topRate ?? rateP ?? lr) * f, eQT = (topRate ?? rateQ ?? lr) * f;
    for (let n = 0; n < per; n++) {
      // wake
      for (let k = 0; k < 16; k++) d[k] = data[n * 16 + k];
      for (let j = 0; j < 8; j++) { let u = M.r1[j]; for (let k = 0; k < 16; k++) if (d[k]) u += M.R0[k * 8 + j]; h[j] = rand() < sig(u) ? 1 : 0; }
      let u2 = M.r2; for (let j = 0; j < 8; j++) if (h[j]) u2 += M.R1[j]; const t = rand() < sig(u2) ? 1 : 0;
      M.gt += eT * (t - sig(M.gt));
      for (let j = 0; j < 8; j++) { const err = h[j] - sig(M.b1[j] + t * M.G1[j]); M.b1[j] += eT * err; if (t) M.G1[j] += eT * err; }
      for (let k = 0; k < 16; k++) { let u = M.b0[k]; for (let j = 0; j < 8; j++) if (h[j]) u += M.G0[j * 16 + k]; p0[k] = sig(u); }
      for (let k = 0; k < 16; k++) { const err = d[k] - p0[k]; M.b0[k] += eP * err; for (let j = 0; j < 8; j++) if (h[j]) M.G0[j * 16 + k] += eP * err; }
      // sleep
      const tt = rand() < sig(M.gt) ? 1 : 0;
      for (let j = 0; j < 8; j++) h[j] = rand() < sig(M.b1[j] + tt * M.G1[j]) ? 1 : 0;
      for (let k = 0; k < 16; k++) { let u = M.b0[k]; for (let j = 0; j < 8; j++) if (h[j]) u += M.G0[j * 16 + k]; d[k] = rand() < sig(u) ? 1 : 0; }
      for (let j = 0; j < 8; j++) { let u = M.r1[j]; for (let k = 0; k < 16; k++) if (d[k]) u += M.R0[k * 8 + j]; q1[j] = sig(u); }
      for (let j = 0; j < 8; j++) { const err = h[j] - q1[j]; M.r1[j] += eQ * err; for (let k = 0; k < 16; k++) if (d[k]) M.R0[k * 8 + j] += eQ * err; }
      let v = M.r2; for (let j = 0; j < 8; j++) if (h[j]) v += M.R1[j]; const err2 = tt - sig(v); M.r2 += eQT * err2; for (let j = 0; j < 8; j++) if (h[j]) M.R1[j] += eQT * err2;
    }
  }
  return { M, kl: kl(M) };
}
export function kl(M) {
  const { images, probabilities } = bars.distribution();
  let out = 0;
  probabilities.forEach((q, n) => {
    const d = images.subarray(n * 16, n * 16 + 16); let mx = -Infinity; const lj = [];
    for (let c = 0; c < 512; c++) { const t = c >> 8, hh = c & 255; let v = t ? lsig(M.gt) : lsig(-M.gt);
      for (let j = 0; j < 8; j++) { const u = M.b1[j] + t * M.G1[j]; v += (hh >> j & 1) ? lsig(u) : lsig(-u); }
      for (let k = 0; k < 16; k++) { let u = M.b0[k]; for (let j = 0; j < 8; j++) if (hh >> j & 1) u += M.G0[j * 16 + k]; v += d[k] ? lsig(u) : lsig(-u); }
      lj.push(v); if (v > mx) mx = v; }
    const logp = mx + Math.log(lj.reduce((s, v) => s + Math.exp(v - mx), 0));
    out += q * (Math.log(q) - logp) / Math.LN2;
  });
  return out;
}
if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = JSON.parse(process.argv[2]);
  const kls = [];
  for (const seed of cfg.seeds ?? [1, 2, 3, 4, 5]) { const { kl: k } = train({ ...cfg, seed }); kls.push(k); }
  const s = [...kls].sort((a, b) => a - b);
  console.log(`JS reference ${JSON.stringify(cfg)}: KLs ${kls.map((k) => k.toFixed(3)).join(" ")} median ${s[s.length >> 1].toFixed(3)}`);
}
