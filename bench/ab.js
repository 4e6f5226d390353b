// Paired A/B runs: two contenders alternate in one process, round after round (the order flips
// every round), and each round gives the ratio B / A. On a shared machine whose speed drifts by
// 10% or more within minutes, the median of those ratios resolves changes of a few percent where
// separate runs cannot. See --help.
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadDigits, LAYERS, SEED } from "./workloads.js";
import { median } from "./timing.js";
import { rerunWithRelaxedSimd } from "./relaxed.js";

const HELP = `usage: node bench/ab.js WORKLOAD [--rounds N] [--base DIR | --simd | --no-dl]
  WORKLOAD     w1 (online, 4,000 digits), w2 (B = 100, 1 thread, 8,000 digits) or w2t (the same on 2 threads)
  --base DIR   A: the library built in another checkout DIR (its dist/index.js; run npm run build
               there first); B: this checkout. Build the two from different commits to compare them.
  --simd       A: this checkout's plain build; B: its relaxed-SIMD build (reruns itself with
               --experimental-wasm-relaxed-simd where Node needs it)
  --no-dl      A: this checkout; B: the same with fit(data, { descriptionLength: false })
  --rounds N   rounds (default 16)
Prints both medians, the median of the per-round ratios B / A with every ratio, and the SHA-256
prefixes of save() after each contender's runs (one hash per contender: bit-identical across
rounds; equal hashes: the two compute the same bits).`;

const WORKLOADS = {
  w1: { rows: 4000, batchSize: 1, threads: 1 },
  w2: { rows: 8000, batchSize: 100, threads: 1 },
  w2t: { rows: 8000, batchSize: 100, threads: 2 },
};

function parseArgs(argv) {
  const o = { workload: undefined, rounds: 16, base: undefined, simd: false, noDl: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") { console.log(HELP); process.exit(0); }
    else if (a === "--rounds") o.rounds = Number(argv[++i]);
    else if (a === "--base") o.base = argv[++i];
    else if (a === "--simd") o.simd = true;
    else if (a === "--no-dl") o.noDl = true;
    else if (a in WORKLOADS && o.workload === undefined) o.workload = a;
    else throw new Error(`unknown argument ${JSON.stringify(a)}\n${HELP}`);
  }
  if (!o.workload) throw new Error(`a workload is needed: ${Object.keys(WORKLOADS).join(", ")}\n${HELP}`);
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new Error(`--rounds must be a positive integer, got ${o.rounds}`);
  if ([o.base !== undefined, o.simd, o.noDl].filter(Boolean).length !== 1) throw new Error(`give exactly one of --base DIR, --simd and --no-dl\n${HELP}`);
  return o;
}

// The two contenders: a name, a function that makes a fresh machine on its build, and fit()'s
// options beyond the workload's.
async function contenders(o) {
  const here = await import("../dist/index.js");
  const fresh = (lib, before = async () => {}) => async () => (await before(), lib.HelmholtzMachine.create({ layers: LAYERS, seed: SEED }));
  if (o.noDl) return [["dl", fresh(here)], ["no-dl", fresh(here), { descriptionLength: false }]];
  if (o.simd) {
    return [
      ["plain", fresh(here, () => here.initWasm({ simd: "plain" }))],
      ["relaxed", fresh(here, () => here.initWasm({ simd: "relaxed" }))],
    ];
  }
  const base = await import(pathToFileURL(resolve(o.base, "dist/index.js")).href);
  return [["base", fresh(base)], ["this", fresh(here)]];
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.simd && rerunWithRelaxedSimd()) return;
  const w = WORKLOADS[o.workload];
  const digits = loadDigits();
  const data = digits.train.subarray(0, w.rows * LAYERS[0]);
  const pair = await contenders(o);
  const rates = new Map(pair.map(([name]) => [name, []]));
  const hashes = new Map(pair.map(([name]) => [name, new Set()]));
  const ratios = [];
  for (let round = 0; round < o.rounds; round++) {
    const rate = {};
    for (const [name, create, extra] of round % 2 ? [...pair].reverse() : pair) {
      const m = await create();
      const options = { batchSize: w.batchSize, threads: w.threads, ...extra };
      await m.fit(digits.train.subarray(0, 200 * LAYERS[0]), options); // untimed: starts the threads
      const t0 = performance.now();
      await m.fit(data, options);
      rate[name] = w.rows / ((performance.now() - t0) / 1000);
      rates.get(name).push(rate[name]);
      hashes.get(name).add(createHash("sha256").update(m.save()).digest("hex").slice(0, 12));
      m.dispose();
    }
    ratios.push(rate[pair[1][0]] / rate[pair[0][0]]);
  }
  const [a, b] = pair.map(([name]) => name);
  console.log(`${o.workload}, ${o.rounds} rounds: ${a} ${Math.round(median(rates.get(a)))}, ${b} ${Math.round(median(rates.get(b)))} ${o.workload === "w1" ? "steps" : "vectors"}/s (medians)`);
  console.log(`median ratio ${b}/${a}: ${median(ratios).toFixed(3)}   per round: ${ratios.map((r) => r.toFixed(2)).join(" ")}`);
  console.log(`save() SHA-256: ${a} ${[...hashes.get(a)].join(",")}, ${b} ${[...hashes.get(b)].join(",")}`);
}

main().catch((e) => {
  console.error(`ab: ${e.message}`);
  process.exit(2);
});
