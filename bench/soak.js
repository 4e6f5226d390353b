// Soak test: online wake-sleep on a small model for a very long run (10^8 steps by default),
// checking in every window that the parameters stay finite, that the speed does not fall
// (steps per wall-clock second and per CPU second, first windows vs last) and that memory stays
// flat (RSS and V8 heap after a forced GC). Not part of `npm test`; results go in bench/SOAK.md.
//
//   npm run build
//   nohup node --expose-gc bench/soak.js --steps 100000000 --out build/soak.json > build/soak.log 2>&1 &
//
// One "step" is one training row of online wake-sleep: one wake step (recognise the row, delta
// rule on P) and one sleep step (dream, delta rule on Q). Each window is one fit() epoch over a
// fixed set of `--window` bars images (reshuffled every epoch by the machine's own stream).
import { writeFileSync } from "node:fs";
import os from "node:os";
import { HelmholtzMachine, bars } from "../dist/index.js";
import { median } from "./timing.js";

const args = parseArgs(process.argv.slice(2), {
  steps: 1e8, window: 1e6, layers: "16,8,1", seed: 1, rate: 0.05, out: "",
  // Pass/fail bounds. Speed: the median of the last fifth of the windows must be at least this
  // fraction of the first fifth's (CPU-time rate, which other processes on a shared machine
  // disturb less than wall-clock rate, though not by nothing: on 2 busy cores single windows
  // were seen 35% apart). Memory: RSS may grow by at most this many MiB over the second half of
  // the run (a leak of even one byte per step would be 50+ MiB there).
  minSpeedRatio: 0.8, maxRssGrowthMiB: 16,
});
const layers = String(args.layers).split(",").map(Number);
const windows = Math.ceil(args.steps / args.window);
const gc = globalThis.gc;
if (!gc) console.warn("soak: run with node --expose-gc for steadier memory figures (heap is measured without a forced GC)");

const machine = await HelmholtzMachine.create({ layers, seed: args.seed, learningRate: args.rate });
const data = bars.sample(args.window, args.seed);
const mib = (b) => b / 2 ** 20;
const rows = [];
const started = Date.now();

console.log(`soak: layers [${layers}], ${windows} windows of ${args.window} steps, learning rate ${args.rate}, node ${process.version}`);
for (let w = 1; w <= windows; w++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const [stats] = await machine.fit(data, { epochs: 1 });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  let finite = true;
  let maxAbs = 0;
  for (const t of machine.parameters().values()) {
    for (const v of t.data) {
      if (!Number.isFinite(v)) finite = false;
      else maxAbs = Math.max(maxAbs, Math.abs(v));
    }
  }
  gc?.();
  const mem = process.memoryUsage();
  const row = {
    window: w,
    steps: w * args.window,
    stepsPerSecond: Math.round(args.window / seconds),
    stepsPerCpuSecond: Math.round(args.window / cpuSeconds),
    descriptionLength: round(stats.descriptionLength, 4),
    klBits: round(bars.klDivergence(machine), 4),
    maxAbsParameter: round(maxAbs, 3),
    finite,
    rssMiB: round(mib(mem.rss), 1),
    heapUsedMiB: round(mib(mem.heapUsed), 2),
    externalMiB: round(mib(mem.external), 1),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  if (!finite) break;
}

// Verdict.
const fifth = Math.max(1, Math.floor(rows.length / 5));
const first = rows.slice(0, fifth), last = rows.slice(-fifth);
// Theil-Sen slope of the CPU-time rate against the window index (the median of all pairwise
// slopes: robust to the odd window slowed by another process), as a fraction of the median rate
// over the whole run. A steady slow-down shows here even when first and last windows are noisy.
const slopes = [];
for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) slopes.push((rows[j].stepsPerCpuSecond - rows[i].stepsPerCpuSecond) / (j - i));
const speed = (rs, key) => median(rs.map((r) => r[key]));
const half = rows[Math.floor(rows.length / 2)];
const end = rows[rows.length - 1];
const summary = {
  layers,
  steps: end.steps,
  windows: rows.length,
  minutes: round((Date.now() - started) / 60000, 1),
  allFinite: rows.every((r) => r.finite),
  maxAbsParameter: Math.max(...rows.map((r) => r.maxAbsParameter)),
  klBits: { first: rows[0].klBits, last: end.klBits, min: Math.min(...rows.map((r) => r.klBits)) },
  stepsPerSecond: { first: speed(first, "stepsPerSecond"), last: speed(last, "stepsPerSecond") },
  stepsPerCpuSecond: { first: speed(first, "stepsPerCpuSecond"), last: speed(last, "stepsPerCpuSecond") },
  cpuSpeedRatio: round(speed(last, "stepsPerCpuSecond") / speed(first, "stepsPerCpuSecond"), 3),
  cpuSpeedDriftOverRun: rows.length > 1 ? round((median(slopes) * (rows.length - 1)) / speed(rows, "stepsPerCpuSecond"), 3) : 0,
  cpuSpeedRange: [Math.min(...rows.map((r) => r.stepsPerCpuSecond)), Math.max(...rows.map((r) => r.stepsPerCpuSecond))],
  rssMiB: { first: rows[0].rssMiB, half: half.rssMiB, last: end.rssMiB, max: Math.max(...rows.map((r) => r.rssMiB)) },
  rssGrowthSecondHalfMiB: round(end.rssMiB - half.rssMiB, 1),
  heapUsedMiB: { first: rows[0].heapUsedMiB, half: half.heapUsedMiB, last: end.heapUsedMiB },
  loadAverage: os.loadavg().map((x) => round(x, 2)),
  cpu: `${os.cpus()[0]?.model?.trim()} (${os.cpus().length} logical CPUs)`,
  exposeGc: Boolean(gc),
  node: process.version,
};
// Save and load still give the same machine at the end of the run.
const saved = machine.save();
const reloaded = await HelmholtzMachine.load(saved);
summary.saveLoadRoundTrip = Buffer.compare(Buffer.from(reloaded.save()), Buffer.from(saved)) === 0;
const failures = [];
if (!summary.allFinite) failures.push("parameters became non-finite");
if (end.steps < args.steps) failures.push(`stopped after ${end.steps} of ${args.steps} steps`);
if (summary.cpuSpeedRatio < args.minSpeedRatio) failures.push(`speed fell to ${summary.cpuSpeedRatio} of the first windows'`);
if (summary.rssGrowthSecondHalfMiB > args.maxRssGrowthMiB) failures.push(`RSS grew by ${summary.rssGrowthSecondHalfMiB} MiB over the second half`);
if (!summary.saveLoadRoundTrip) failures.push("save/load round trip differs");
summary.pass = failures.length === 0;
summary.failures = failures;
console.log("summary " + JSON.stringify(summary, null, 2));
if (args.out) writeFileSync(args.out, JSON.stringify({ summary, windows: rows }, null, 1) + "\n");
process.exit(summary.pass ? 0 : 1);

function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "").replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`soak: unknown option ${argv[i]}; known: ${Object.keys(defaults).map((k) => "--" + k).join(" ")}`);
    const v = argv[++i];
    if (v === undefined) throw new Error(`soak: ${argv[i - 1]} needs a value`);
    out[key] = typeof defaults[key] === "number" ? Number(v) : v;
    if (typeof defaults[key] === "number" && !Number.isFinite(out[key])) throw new Error(`soak: ${argv[i - 1]} must be a number, got ${v}`);
  }
  return out;
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
