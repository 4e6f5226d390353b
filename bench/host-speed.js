// How steady this machine's speed is right now: the SIMD peak kernel (bench/kernels/peak.ts:
// multiply-add chains in registers, no memory) timed in short slices, and the spread of its
// GFLOP/s. On a shared host the same code runs faster or slower for seconds at a time, which no
// steal-time counter shows; a wide spread here means that single workload runs cannot resolve a
// few percent (see bench/TRIALS.md). See --help.
import { buildPeak, measurePeak } from "./kernels.js";
import { calibrate, median, now } from "./timing.js";

const HELP = `usage: node bench/host-speed.js [--seconds S] [--slice-ms M]
  --seconds S    how long to sample (default 30)
  --slice-ms M   the length of one timed slice (default 10)
Prints the peak kernel's GFLOP/s over the slices: percentiles and a histogram by whole GFLOP/s.`;

function parseArgs(argv) {
  const o = { seconds: 30, sliceMs: 10 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") { console.log(HELP); process.exit(0); }
    else if (a === "--seconds") o.seconds = positive(a, argv[++i]);
    else if (a === "--slice-ms") o.sliceMs = positive(a, argv[++i]);
    else throw new Error(`unknown argument ${JSON.stringify(a)}\n${HELP}`);
  }
  return o;
}

function positive(flag, text) {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${flag} must be a positive number, got ${JSON.stringify(text)}`);
  return v;
}

const o = parseArgs(process.argv.slice(2));
buildPeak();
const { body, flopsPerIter, variant } = await measurePeak({ samples: 5, targetMs: 20 });

const iters = calibrate(body, o.sliceMs);
const gflops = [];
const end = now() + o.seconds * 1000;
while (now() < end) {
  const t = now();
  body(iters);
  gflops.push((flopsPerIter * iters) / ((now() - t) * 1e6));
}
gflops.sort((a, b) => a - b);
const at = (q) => gflops[Math.floor(q * (gflops.length - 1))].toFixed(1);
const mid = median(gflops);
console.log(`${variant}: ${gflops.length} slices of ${o.sliceMs} ms over ${o.seconds} s, GFLOP/s`);
console.log(`  min ${at(0)}  p10 ${at(0.1)}  p25 ${at(0.25)}  median ${mid.toFixed(1)}  p75 ${at(0.75)}  p90 ${at(0.9)}  max ${at(1)}  (max / median ×${(gflops.at(-1) / mid).toFixed(2)})`);
const bins = new Map();
for (const g of gflops) bins.set(Math.round(g), (bins.get(Math.round(g)) ?? 0) + 1);
console.log("  " + [...bins].map(([g, n]) => `${g}: ${n}`).join("  "));
