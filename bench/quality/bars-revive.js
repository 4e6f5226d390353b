// Bars, third search: plain-JS (float64) classic online wake-sleep for the 16-8-1 bars machine (the
// loop of bars-reference.js, same random stream) with training controls that keep every middle unit
// alive and distinct in the early phase. Exact KL(true || model) by enumeration. One line per
// configuration is appended to results/bars-revive.jsonl.
//   node bench/quality/bars-revive.js '<config JSON>' [seeds: 1,2,3 or 1..20] [--trace] [--quiet]
// The recipe that reaches the paper's 0.10 bits (median 0.048 over seeds 1..20 and 21..40, all 40 with 8 clean bars):
//   node bench/quality/bars-revive.js '{"revive":{"until":1000000,"mode":"residual","start":true,"gainP":8,"gainQ":2,"grace":5000,"lo":0,"hi":1,"maxResidualRate":0.03}}' 1..20
// Config (every field optional):
//   rows 100000, epochs 20         the data: bars.sample(rows, seed) shown `epochs` times (in order, or
//   shuffle true                   shuffled every epoch with its own random stream, as fit() does)
//   init {b0 -4, b1 -3, r1 (=b1), G0 1, R0 1, G1 0.01, R1 0.01}   biases / N(0, s^2) weight scales
//   rate {p 0.02, q (=p), top (=p), topQ (=q), hold 10, decay 0.7}  rate x decay^max(0, epoch - hold)
//   target {until, rho 0.1, eta 0.001, tau 2000}   homeostatic activity target on the middle units:
//       b1_j += eta (rho - mean_j) and r1_j += eta (rho - mean_j) after every wake step.
//   revive {until, tau 2000, mode "random"|"residual", grace 0, ...}   active while step < until.
//     mean_j = exponential average (time constant tau examples) of Q(h_j = 1 | data) in the wake phase.
//     Triggers (a unit younger than `grace` examples since its last re-initialisation is exempt):
//       lo 0.01, hi 0.99   mean_j leaves [lo, hi];
//       minInfo            Var(q_j) over data < minInfo * mean_j (1 - mean_j) (Q's output ignores the data);
//       maxOverlap         EMA of q_i q_j > maxOverlap * min(mean_i, mean_j): the more active one goes;
//       maxResidualRate    ("residual" mode) the EMA of [a wake example has >= minResidual pixels that are on
//                          in the data but predicted with P < 0.5 given the wake sample h] exceeds it and no
//                          unit is waiting: the least active unit (smallest mean_j) is re-initialised, at most
//                          once per `grace` examples; the EMA restarts at 0.
//     Re-initialisation:
//       "random":   G0[j,:], R0[:,j] ~ N(0, scale^2), b1_j = r1_j = bias (=init.b1), G1_j = R1_j = 0;
//       "residual": the unit waits for the next wake example with >= minResidual (3) "unexplained" pixels
//                   (on in the data, P(on | h) < 0.5); then G0[j,k] = gainP on those pixels, 0 elsewhere;
//                   R0[k,j] = gainQ on them, -gainQ elsewhere; r1_j = -gainQ (n - 1/2) (Q fires when the
//                   whole pattern is there); b1_j = bias; G1_j = R1_j = 0.
//       start true ("residual"): every middle unit starts silent (b1 = r1 = -8, zero weights) and waiting,
//                   so the 8 units are initialised one after another on the residuals of the first examples.
import { appendFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { bars } from "../../dist/index.js";
import { makeRng } from "./bars-reference.js";
import { median } from "../timing.js";

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), "results");
const sig = (x) => 1 / (1 + Math.exp(-x));
const lsig = (x) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
const H = 8, V = 16;
const DIST = bars.distribution();

export function train(cfg, seed, onEpoch) {
  const rows = cfg.rows ?? 100_000, epochs = cfg.epochs ?? 20;
  const ini = { b0: -4, b1: -3, G0: 1, R0: 1, G1: 0.01, R1: 0.01, ...(cfg.init ?? {}) };
  if (ini.r1 === undefined) ini.r1 = ini.b1;
  const rt = { p: 0.02, hold: 10, decay: 0.7, ...(cfg.rate ?? {}) };
  rt.q ??= rt.p; rt.top ??= rt.p; rt.topQ ??= rt.q;
  const rv = cfg.revive ? { lo: 0.01, hi: 0.99, tau: 2000, mode: "random", scale: 1, bias: ini.b1, gain: 4, minResidual: 3, grace: 0, minInfo: 0, ...cfg.revive } : null;
  const tg = cfg.target ? { rho: 0.1, eta: 0.001, tau: 2000, ...cfg.target } : null;
  const rand = makeRng(seed + 1000);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
  const M = { gt: 0, G1: Float64Array.from({ length: H }, () => ini.G1 * gauss()), b1: new Float64Array(H).fill(ini.b1),
    G0: Float64Array.from({ length: H * V }, () => ini.G0 * gauss()), b0: new Float64Array(V).fill(ini.b0),
    R0: Float64Array.from({ length: V * H }, () => ini.R0 * gauss()), r1: new Float64Array(H).fill(ini.r1),
    R1: Float64Array.from({ length: H }, () => ini.R1 * gauss()), r2: 0 };
  const raw = bars.sample(rows, seed), data = raw.slice(), order = Int32Array.from({ length: rows }, (_, i) => i), shuf = makeRng(seed + 7777);
  const h = new Float64Array(H), p0 = new Float64Array(V), q1 = new Float64Array(H), act = new Int32Array(V), hon = new Int32Array(H);
  const tau = rv?.tau ?? tg?.tau ?? 2000;
  const mean = new Float64Array(H).fill(sig(ini.r1));
  const co = new Float64Array(H * (H - 1) / 2), pending = new Int8Array(H), born = new Float64Array(H).fill(-1e9), mean2 = new Float64Array(H).fill(sig(ini.r1) ** 2); // units waiting for a residual to be re-initialised on
  const revivals = []; M.co = co; M.mean2 = mean2; let resRate = 0, lastRecruit = -1e9; const resRateOut = () => resRate; M.resRate = resRateOut;
  if (rv && rv.start) for (let j = 0; j < H; j++) { pending[j] = 1; M.b1[j] = -8; M.r1[j] = -8; for (let k = 0; k < V; k++) { M.G0[j * V + k] = 0; M.R0[k * H + j] = 0; } }
  const curve = [];
  let step = 0;
  const reinitRandom = (j) => {
    for (let k = 0; k < V; k++) { M.G0[j * V + k] = rv.scale * gauss(); M.R0[k * H + j] = rv.scale * gauss(); }
    M.b1[j] = rv.bias; M.r1[j] = rv.bias; M.G1[j] = 0; M.R1[j] = 0; mean[j] = sig(rv.bias); mean2[j] = mean[j] ** 2; born[j] = step;
  };
  for (let e = 0; e < epochs; e++) {
    const f = rt.decay ** Math.max(0, e - rt.hold);
    const eP = rt.p * f, eQ = rt.q * f, eT = rt.top * f, eQT = rt.topQ * f;
    const { G0, R0, G1, R1, b0, b1, r1 } = M;
    if (cfg.shuffle) { // a fresh order of the rows every epoch (the engine's fit() default), own random stream
      for (let i = rows - 1; i > 0; i--) { const r = Math.floor(shuf() * (i + 1)); const tmp = order[i]; order[i] = order[r]; order[r] = tmp; }
      for (let i = 0; i < rows; i++) data.set(raw.subarray(order[i] * V, order[i] * V + V), i * V);
    }
    for (let n = 0; n < rows; n++, step++) {
      // wake: active pixels of the data example, h ~ Q(h | d), t ~ Q(t | h), delta rule on P
      let na = 0; for (let k = 0; k < V; k++) if (data[n * V + k]) act[na++] = k;
      for (let j = 0; j < H; j++) { let u = r1[j]; for (let a = 0; a < na; a++) u += R0[act[a] * H + j]; q1[j] = sig(u); h[j] = rand() < q1[j] ? 1 : 0; }
      let nh = 0; for (let j = 0; j < H; j++) if (h[j]) hon[nh++] = j;
      let u2 = M.r2; for (let a = 0; a < nh; a++) u2 += R1[hon[a]]; const t = rand() < sig(u2) ? 1 : 0;
      M.gt += eT * (t - sig(M.gt));
      for (let j = 0; j < H; j++) { const err = h[j] - sig(b1[j] + t * G1[j]); b1[j] += eT * err; if (t) G1[j] += eT * err; }
      for (let k = 0; k < V; k++) { let u = b0[k]; for (let a = 0; a < nh; a++) u += G0[hon[a] * V + k]; p0[k] = sig(u); }
      for (let k = 0; k < V; k++) { const err = data[n * V + k] - p0[k]; b0[k] += eP * err; const g = eP * err; for (let a = 0; a < nh; a++) G0[hon[a] * V + k] += g; }
      // training controls on the middle units (they read Q's probabilities on this data example)
      for (let j = 0; j < H; j++) { mean[j] += (q1[j] - mean[j]) / tau; mean2[j] += (q1[j] * q1[j] - mean2[j]) / tau; }
      if (rv && rv.maxOverlap && step < rv.until) for (let i = 0, c = 0; i < H; i++) for (let j = i + 1; j < H; j++, c++) co[c] += (q1[i] * q1[j] - co[c]) / tau;
      if (tg && step < tg.until) for (let j = 0; j < H; j++) { const a = tg.eta * (tg.rho - mean[j]); b1[j] += a; r1[j] += a; }
      if (rv && step < rv.until) {
        for (let j = 0; j < H; j++) if (!pending[j] && step - born[j] >= rv.grace && (mean[j] < rv.lo || mean[j] > rv.hi ||
            (rv.minInfo > 0 && (mean2[j] - mean[j] * mean[j]) < rv.minInfo * mean[j] * (1 - mean[j])))) {
          revivals.push([step, j, +mean[j].toFixed(4)]);
          if (rv.mode === "random") reinitRandom(j); else pending[j] = 1;
        }
        // redundancy: two units that are on together most of the time the less active one is on
        if (rv.maxOverlap) for (let i = 0, c = 0; i < H; i++) for (let j = i + 1; j < H; j++, c++) {
          if (pending[i] || pending[j] || step - born[i] < rv.grace || step - born[j] < rv.grace) continue;
          if (co[c] > rv.maxOverlap * Math.min(mean[i], mean[j])) {
            const x = mean[i] > mean[j] ? i : j; // the broader unit goes
            revivals.push([step, x, +mean[x].toFixed(4), "overlap"]);
            if (rv.mode === "random") reinitRandom(x); else pending[x] = 1;
            for (let a = 0, c2 = 0; a < H; a++) for (let b = a + 1; b < H; b++, c2++) if (a === x || b === x) co[c2] = 0;
          }
        }
        if (rv.mode === "residual") {
          let j = -1; for (let i = 0; i < H; i++) if (pending[i]) { j = i; break; }
          // recruitment: data often left unexplained (>= minResidual pixels on in the data but predicted off)
          // while no unit is waiting -> the least active unit (mean Q firing) is re-initialised on a residual
          if (rv.maxResidualRate) {
            let nres = 0; for (let k = 0; k < V; k++) if (data[n * V + k] && p0[k] < 0.5) nres++;
            resRate += ((nres >= rv.minResidual ? 1 : 0) - resRate) / tau;
            if (j < 0 && resRate > rv.maxResidualRate && step - lastRecruit >= rv.grace) {
              let x = -1; for (let i = 0; i < H; i++) if (step - born[i] >= rv.grace && (x < 0 || mean[i] < mean[x])) x = i;
              if (x >= 0) { revivals.push([step, x, +mean[x].toFixed(4), "residual", +resRate.toFixed(3)]); pending[x] = 1; j = x; lastRecruit = step; resRate = 0; }
            }
          }
          if (j >= 0) {
            let nres = 0; for (let k = 0; k < V; k++) if (data[n * V + k] && p0[k] < 0.5) nres++;
            if (nres >= rv.minResidual) {
              const gP = rv.gainP ?? rv.gain, gQ = rv.gainQ ?? rv.gain;
              for (let k = 0; k < V; k++) {
                const on = data[n * V + k] && p0[k] < 0.5;
                G0[j * V + k] = on ? gP : -gP * (rv.offScale ?? 0);
                R0[k * H + j] = on ? gQ : -gQ;
              }
              // Q fires when the whole pattern is present
              r1[j] = -gQ * (nres - 0.5); b1[j] = rv.bias; G1[j] = 0; R1[j] = 0;
              mean[j] = rv.resetMean ?? 0.1; mean2[j] = mean[j]; pending[j] = 0; born[j] = step;
            }
          }
        }
      }
      if (cfg.traceEvery && (step + 1) % cfg.traceEvery === 0) onEpoch?.(`@${step + 1}`, kl(M), M, mean);
      // sleep: t, h, d ~ P; delta rule on Q
      const tt = rand() < sig(M.gt) ? 1 : 0;
      nh = 0; for (let j = 0; j < H; j++) { h[j] = rand() < sig(b1[j] + tt * G1[j]) ? 1 : 0; if (h[j]) hon[nh++] = j; }
      na = 0; for (let k = 0; k < V; k++) { let u = b0[k]; for (let a = 0; a < nh; a++) u += G0[hon[a] * V + k]; if (rand() < sig(u)) act[na++] = k; }
      for (let j = 0; j < H; j++) { let u = r1[j]; for (let a = 0; a < na; a++) u += R0[act[a] * H + j]; const g = eQ * (h[j] - sig(u)); r1[j] += g; for (let a = 0; a < na; a++) R0[act[a] * H + j] += g; }
      let v = M.r2; for (let a = 0; a < nh; a++) v += R1[hon[a]]; const g2 = eQT * (tt - sig(v)); M.r2 += g2; for (let a = 0; a < nh; a++) R1[hon[a]] += g2;
    }
    const k = kl(M); curve.push(k); onEpoch?.(e + 1, k, M, mean);
  }
  return { M, kl: curve.at(-1), curve, revivals };
}

export function kl(M) {
  const { images, probabilities } = DIST;
  let out = 0;
  const lj = new Float64Array(512);
  probabilities.forEach((q, n) => {
    const d = images.subarray(n * V, n * V + V); let mx = -Infinity;
    for (let c = 0; c < 512; c++) { const t = c >> 8, hh = c & 255; let v = t ? lsig(M.gt) : lsig(-M.gt);
      for (let j = 0; j < H; j++) { const u = M.b1[j] + t * M.G1[j]; v += (hh >> j & 1) ? lsig(u) : lsig(-u); }
      for (let k = 0; k < V; k++) { let u = M.b0[k]; for (let j = 0; j < H; j++) if (hh >> j & 1) u += M.G0[j * V + k]; v += d[k] ? lsig(u) : lsig(-u); }
      lj[c] = v; if (v > mx) mx = v; }
    let s = 0; for (let c = 0; c < 512; c++) s += Math.exp(lj[c] - mx);
    out += q * (Math.log(q) - (mx + Math.log(s))) / Math.LN2;
  });
  return out;
}

/** Same rule as bars-explore.js diagnose(): a clean bar = 4 same-sign weights >= 3x every other. */
export function diagnose(M, mean) {
  const units = [];
  for (let j = 0; j < H; j++) {
    const w = M.G0.subarray(j * V, j * V + V);
    let found = null;
    for (const [kind, pix] of [["v", (b, i) => i * 4 + b], ["h", (b, i) => b * 4 + i]]) for (let b = 0; b < 4; b++) {
      const on = [0, 1, 2, 3].map((i) => pix(b, i)); const vals = on.map((k) => w[k]); const sign = Math.sign(vals[0]);
      const minAbs = Math.min(...vals.map((x) => x * sign));
      const otherMax = Math.max(...[...w].filter((_, k) => !on.includes(k)).map(Math.abs));
      if (minAbs > 0 && minAbs > 3 * otherMax) found = `${kind}${b}${sign < 0 ? "~" : ""}`;
    }
    // otherwise: the pixels with weight > half the unit's largest weight, as a 4x4 mask (row-major hex)
    let mask = "";
    if (!found) { const mx = Math.max(...w); let bits = 0; for (let k = 0; k < V; k++) if (w[k] > mx / 2 && mx > 1) bits |= 1 << k; mask = bits.toString(16).padStart(4, "0"); }
    units.push({ bar: found ?? `mix:${mask}`, p: [+sig(M.b1[j]).toFixed(3), +sig(M.b1[j] + M.G1[j]).toFixed(3)], q: mean ? +mean[j].toFixed(3) : undefined });
  }
  const distinctBars = new Set(units.filter((u) => !u.bar.startsWith("mix")).map((u) => u.bar.slice(0, 2))).size;
  const dead = units.filter((u) => Math.max(...u.p) < 0.01).length;
  return { distinctBars, dead, units };
}

export function run(cfg, seeds, { trace = false, quiet = false } = {}) {
  const t0 = performance.now();
  const kls = [], nb = [], dead = [], curves = [], nrev = [];
  for (const seed of seeds) {
    const ts = performance.now();
    const { M, kl: k, curve, revivals } = train(cfg, seed, trace ? (e, k2, M2, mean) => {
      const dg = diagnose(M2, mean);
      console.log(`  seed ${seed} ep ${e} KL ${k2.toFixed(3)} bars ${dg.distinctBars} ` + dg.units.map((u) => `${u.bar} ${u.p.join("/")} q${u.q}`).join(" | "));
    } : undefined);
    const dg = diagnose(M);
    kls.push(k); nb.push(dg.distinctBars); dead.push(dg.dead); curves.push(curve); nrev.push(revivals.length);
    if (!quiet) console.log(`seed ${seed}: KL ${k.toFixed(3)} bars ${dg.distinctBars} dead ${dg.dead} revivals ${revivals.length} ${((performance.now() - ts) / 1000).toFixed(1)} s  ` +
      dg.units.map((u) => `${u.bar} ${u.p.join("/")}`).join(" | "));
  }
  const secs = (performance.now() - t0) / 1000;
  const rec = { cfg, seeds, kls: kls.map((x) => +x.toFixed(4)), median: +median(kls).toFixed(4), bars: nb, dead, revivals: nrev,
    curves: curves.map((c) => c.map((x) => +x.toFixed(4))), secondsPerMachine: +(secs / seeds.length).toFixed(2) };
  console.log(`median ${rec.median.toFixed(3)}  KLs ${kls.map((x) => x.toFixed(3)).join(" ")}  bars ${nb.join(",")}  ${secs.toFixed(0)} s  ${JSON.stringify(cfg)}`);
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, "bars-revive.jsonl"), JSON.stringify(rec) + "\n");
  return rec;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = JSON.parse(process.argv[2]);
  const arg = process.argv[3];
  const seeds = arg && !arg.startsWith("--") ? (arg.includes("..") ? (([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i))(arg.split("..").map(Number)) : arg.split(",").map(Number)) : [1, 2, 3, 4, 5];
  run(cfg, seeds, { trace: process.argv.includes("--trace"), quiet: process.argv.includes("--quiet") });
}
