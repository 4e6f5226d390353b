// Kernel micro-benchmarks: the SIMD peak (a tiny kernel of our own, bench/kernels/peak.ts) and
// the engine's hot kernels called on pointers in build/wake-sleep.wasm, in ns per element and
// as a share of that peak.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { instantiate } from "../build/wake-sleep.js";
import { timeLoop } from "./timing.js";
import { round } from "./machine.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const PEAK_SOURCE = "bench/kernels/peak.ts";
const PEAK_WASM = "build/bench-peak.wasm";
const ENGINE_WASM = "build/wake-sleep.wasm";
const RELAXED_WASM = "build/wake-sleep.relaxed.wasm";

// The peak kernel's own config keeps asc from reading the project's asconfig.json (whose
// entries would otherwise be compiled into the same module).
const PEAK_ARGS = ["asc", PEAK_SOURCE, "--config", "bench/kernels/asconfig.json", "--enable", "simd", "-O3", "--runtime", "stub", "-o", PEAK_WASM];

/** Compiles the peak kernel unless build/bench-peak.wasm is newer than its source (or `force`). */
export function buildPeak({ force = false } = {}) {
  const mtime = (p) => { try { return statSync(root + p).mtimeMs; } catch { return -1; } };
  const fresh = mtime(PEAK_WASM) > Math.max(mtime(PEAK_SOURCE), mtime("bench/kernels/asconfig.json"));
  const command = `npx ${PEAK_ARGS.join(" ")}`;
  if (fresh && !force) return { command, compiled: false };
  execFileSync("npx", PEAK_ARGS, { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return { command, compiled: true };
}

const PEAK_VARIANTS = [["peak_mul_add_8", 8], ["peak_mul_add_12", 12]];

/**
 * The peak in GFLOP/s: f32x4 mul + add chains on 8 and on 12 independent accumulators (8 flops
 * per accumulator and round), the better of the two. Also returns `body`, a timing body of
 * the better variant whose ns per iteration converts to GFLOP/s by `flopsPerIter`, so that
 * kernel samples can alternate with peak samples.
 */
export async function measurePeak({ samples = 11, targetMs = 30 } = {}) {
  const { instance } = await WebAssembly.instantiate(readFileSync(root + PEAK_WASM), {});
  const variants = {};
  let best;
  for (const [name, accumulators] of PEAK_VARIANTS) {
    const f = instance.exports[name];
    let sink = 0;
    const body = (iters) => { sink += f(iters, 0.999, 0.001); };
    const t = timeLoop(body, { samples, targetMs });
    if (!Number.isFinite(sink)) throw new Error(`${name} returned ${sink}`);
    // t.median is ns per round; a round is accumulators x 4 lanes x (mul + add).
    const flopsPerIter = accumulators * 8;
    variants[name] = round(flopsPerIter / t.median, 2);
    if (!best || variants[name] > best.gflops) best = { name, gflops: variants[name], body, flopsPerIter };
  }
  return { gflops: best.gflops, variant: best.name, variants, body: best.body, flopsPerIter: best.flopsPerIter };
}

// Nominal f32 arithmetic per element (add, sub, mul, div, min/max, abs, neg, nearest counted as
// one flop per lane; compares, selects, integer, conversion and f64 lanes not counted), from
// assembly/simd/exp.ts, logistic.ts and logprob.ts: e^-|a| 24, sigma from it 3, log P(s | a) 3 (max(x, 0),
// and 1 + e multiplied into a product; the one log per lane of a product, for up to 67 units, not counted).
const FLOPS = {
  add: 1,
  logistic: 24 + 3, // logistic_f32
  sample: 24 + 3 + 1, // sample_logistic: the logistic, and one mul to scale the uniform
  delta: 24 + 3 + 2 + 3, // logistic_delta: logistic, eps (s - p), log P(s | a)
  deltaOnly: 24 + 3 + 2, // delta_rule: logistic, eps (s - p)
};

// A small seeded generator for the test data (mulberry32).
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// `count` distinct sorted indices in [0, n), as the samplers emit them.
function activeSet(u, n, count) {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count).sort((a, b) => a - b);
}

/**
 * The hot kernels of one [784, 200, 50] wake-sleep step on the shapes they see in it: layer 0
 * about 13% active (binarized MNIST), layer 1 about half active (a fresh machine). Each
 * index-driven kernel cycles through SETS different random active sets, so successive calls
 * touch different rows as in training. Each kernel's samples alternate with samples of the
 * peak kernel (`peak` from measurePeak), and its % of peak is against the peak measured
 * alongside it, so that load from other processes falls on both alike.
 */
export async function kernelMicro({ peak, samples = 11, targetMs = 20, build = "plain", only } = {}) {
  const k = await instantiate(await WebAssembly.compile(readFileSync(root + (build === "plain" ? ENGINE_WASM : RELAXED_WASM))), {});
  const u = random(12345);
  const SETS = 16;
  let at = Math.ceil(k.heap_base() / 64) * 64;
  const alloc = (bytes) => { const p = at; at = Math.ceil((at + bytes) / 64) * 64; return p; };
  const n0 = 784, n1 = 200;
  const active0 = 104; // 13% of 784
  const active1 = 100; // 50% of 200
  const held = 64, listed = 26; // a minibatch accumulator: 64 contributions held, a unit active in 40%

  const Wrec = alloc(4 * n0 * n1); // Rw[0]: a row of 200 per visible unit
  const Wgen = alloc(4 * n1 * n0); // Gw[0]: a row of 784 per hidden unit
  const bias = alloc(4 * n0), out = alloc(4 * n0), a = alloc(4 * n0), s = alloc(4 * n0);
  const delta = alloc(4 * n0), idxOut = alloc(4 * n0), rng = alloc(64);
  const sets0 = alloc(4 * SETS * active0), sets1 = alloc(4 * SETS * active1), sets2 = alloc(4 * SETS * listed);
  // Subset tables (assembly/subsets.ts): of the held deltas (rows of Wgen stand in for them), and
  // of Wgen's rows for the grouped pass, whose active sets are also given as 0/1 states.
  const groupsOf = (rows) => Math.ceil(rows / 4);
  const heldTable = alloc(64 * groupsOf(held)), heldSums = alloc(4 * 11 * groupsOf(held) * n0);
  const genTable = alloc(64 * groupsOf(n1)), genSums = alloc(4 * 11 * groupsOf(n1) * n0);
  const addresses = alloc(4 * groupsOf(n1)), states1 = alloc(4 * SETS * n1);
  const need = at - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));

  // Views made after the grow (a grow detaches the old buffer).
  const f32 = new Float32Array(k.memory.buffer), i32 = new Int32Array(k.memory.buffer);
  const fill = (p, n, f) => { for (let i = 0; i < n; i++) f32[p / 4 + i] = f(i); };
  fill(Wrec, n0 * n1, () => 0.02 * (u() - 0.5));
  fill(Wgen, n1 * n0, () => 0.02 * (u() - 0.5));
  fill(bias, n0, () => u() - 0.5);
  fill(a, n0, () => 8 * (u() - 0.5)); // activations in [-4, 4]
  fill(s, n0, () => (u() < 0.5 ? 1 : 0));
  fill(delta, n0, () => 1e-7 * (u() - 0.5)); // small, so repeated updates stay tame
  for (let t = 0; t < SETS; t++) {
    i32.set(activeSet(u, n0, active0), sets0 / 4 + t * active0);
    i32.set(activeSet(u, n1, active1), sets1 / 4 + t * active1);
    i32.set(activeSet(u, held, listed), sets2 / 4 + t * listed);
    for (const j of i32.subarray(sets1 / 4 + t * active1, sets1 / 4 + (t + 1) * active1)) f32[states1 / 4 + t * n1 + j] = 1;
  }
  k.subset_table_build(Wgen, 4 * n0, held, heldTable, heldSums);
  k.subset_table_build(Wgen, 4 * n0, n1, genTable, genSums);
  k.rng_seed(rng, 7, 0);
  const set0 = (i) => sets0 + 4 * active0 * (i & (SETS - 1));
  const set1 = (i) => sets1 + 4 * active1 * (i & (SETS - 1));
  const set2 = (i) => sets2 + 4 * listed * (i & (SETS - 1));
  const states = (i) => states1 + 4 * n1 * (i & (SETS - 1));

  const cases = [
    {
      kernel: "bias_plus_rows", role: "probability pass", shape: `recognition ${n0}→${n1}: ${active0} of ${n0} rows active (13%)`,
      elements: active0 * n1, flops: FLOPS.add, bytes: 4,
      body: (it) => { for (let i = 0; i < it; i++) k.bias_plus_rows(out, bias, Wrec, n1, set0(i), active0, n1); },
    },
    {
      kernel: "bias_plus_rows", role: "probability pass", shape: `generative ${n1}→${n0}: ${active1} of ${n1} rows active (50%)`,
      elements: active1 * n0, flops: FLOPS.add, bytes: 4,
      body: (it) => { for (let i = 0; i < it; i++) k.bias_plus_rows(out, bias, Wgen, n0, set1(i), active1, n0); },
    },
    {
      kernel: "grouped_bias_plus_rows", role: "probability pass, tabled", shape: `generative ${n1}→${n0}: ${active1} of ${n1} rows active (50%), from subset sums of four rows`,
      elements: active1 * n0, flops: FLOPS.add, bytes: 4,
      body: (it) => { for (let i = 0; i < it; i++) k.grouped_bias_plus_rows(out, bias, genTable, states(i), n1, n0, addresses); },
    },
    {
      kernel: "sample_logistic", role: "sampling", shape: `n = ${n0}`, elements: n0, flops: FLOPS.sample, bytes: 8,
      body: (it) => { for (let i = 0; i < it; i++) k.sample_logistic(a, n0, rng, s, idxOut); },
    },
    {
      kernel: "sample_logistic", role: "sampling", shape: `n = ${n1}`, elements: n1, flops: FLOPS.sample, bytes: 8,
      body: (it) => { for (let i = 0; i < it; i++) k.sample_logistic(a, n1, rng, out, idxOut); },
    },
    {
      kernel: "logistic_f32", role: "sigmoid", shape: `n = ${n0}`, elements: n0, flops: FLOPS.logistic, bytes: 8,
      body: (it) => { for (let i = 0; i < it; i++) k.logistic_f32(a, out, n0); },
    },
    {
      kernel: "logistic_delta", role: "update (delta vector and log P)", shape: `n = ${n0}`, elements: n0, flops: FLOPS.delta, bytes: 12,
      body: (it) => { for (let i = 0; i < it; i++) k.logistic_delta(a, s, 0.01, out, n0); },
    },
    {
      kernel: "delta_rule", role: "update (delta vector alone)", shape: `n = ${n0}`, elements: n0, flops: FLOPS.deltaOnly, bytes: 12,
      body: (it) => { for (let i = 0; i < it; i++) k.delta_rule(a, s, 0.01, out, n0); },
    },
    {
      kernel: "add_to_rows", role: "update (rank-one, active rows)", shape: `generative Gw[0]: ${active1} rows of ${n0}`,
      elements: active1 * n0, flops: FLOPS.add, bytes: 8,
      body: (it) => { for (let i = 0; i < it; i++) k.add_to_rows(Wgen, n0, set1(i), active1, delta, n0); },
    },
    {
      kernel: "add_to_rows", role: "update (rank-one, active rows)", shape: `recognition Rw[0]: ${active0} rows of ${n1}`,
      elements: active0 * n1, flops: FLOPS.add, bytes: 8,
      body: (it) => { for (let i = 0; i < it; i++) k.add_to_rows(Wrec, n1, set0(i), active0, delta, n1); },
    },
    {
      kernel: "add_row_sums", role: "update (minibatch, gathered)", shape: `a Gw[0] gradient row: ${listed} of ${held} held deltas of ${n0}`,
      elements: listed * n0, flops: FLOPS.add, bytes: 4,
      body: (it) => { for (let i = 0; i < it; i++) k.add_row_sums(out, Wgen, n0, set2(i), listed, n0); },
    },
    {
      kernel: "add_subset_sums", role: "update (minibatch, gathered, tabled)", shape: `the same row from subset sums of four held deltas`,
      elements: listed * n0, flops: FLOPS.add, bytes: 4,
      body: (it) => { for (let i = 0; i < it; i++) k.add_subset_sums(out, heldTable, groupsOf(held), set2(i), listed, n0, addresses); },
    },
    {
      kernel: "subset_table_build", role: "update (minibatch, tables)", shape: `the subset sums of ${held} held deltas of ${n0}`,
      elements: 11 * groupsOf(held) * n0, flops: FLOPS.add, bytes: 12,
      body: (it) => { for (let i = 0; i < it; i++) k.subset_table_build(Wgen, 4 * n0, held, heldTable, heldSums); },
    },
  ];
  const peakSamples = [];
  const rows = cases.filter((c) => !only || only.includes(c.kernel)).map((c) => {
    const t = timeLoop(c.body, { samples, targetMs, companion: peak?.body });
    // The sampler wrote its states over `s`; restore 0/1 states for logistic_delta.
    if (c.kernel === "sample_logistic") fill(s, n0, () => (u() < 0.5 ? 1 : 0));
    const nsPerElement = t.median / c.elements;
    const gflops = c.flops / nsPerElement;
    const peakHere = peak ? peak.flopsPerIter / t.companion.median : undefined;
    if (peak) peakSamples.push(...t.companion.values.map((ns) => peak.flopsPerIter / ns));
    return {
      kernel: c.kernel,
      build,
      role: c.role,
      shape: c.shape,
      elements: c.elements,
      nsPerCall: round(t.median, 1),
      nsPerCallRange: [round(t.min, 1), round(t.max, 1)],
      nsPerElement: round(nsPerElement, 4),
      flopsPerElement: c.flops,
      gflops: round(gflops, 2),
      peakGflopsAlongside: peakHere === undefined ? undefined : round(peakHere, 2),
      pctOfPeak: peakHere === undefined ? undefined : round((100 * gflops) / peakHere, 1),
      // Bytes of f32 streams per element (weights, inputs, outputs), for a memory-bound reading.
      gbPerSecond: round(c.bytes / nsPerElement, 1),
      samples: t.n,
    };
  });
  return { rows, peakSamples };
}

// Function index -> export name of a wasm binary (its export section), for reading profiles
// of a module built without a name section.
export function exportNames(path = root + ENGINE_WASM) {
  const b = readFileSync(path);
  let p = 8;
  const leb = () => { let r = 0, shift = 0, x; do { x = b[p++]; r |= (x & 127) << shift; shift += 7; } while (x & 128); return r >>> 0; };
  const names = new Map();
  let imported = 0;
  while (p < b.length) {
    const id = b[p++], len = leb(), end = p + len;
    if (id === 2) {
      // Imports: functions imported come first in the function index space.
      for (let i = 0, n = leb(); i < n; i++) {
        for (let part = 0; part < 2; part++) { const l = leb(); p += l; } // module and field names
        const kind = b[p++];
        if (kind === 0) { leb(); imported++; } else if (kind === 1) { p++; const f = leb(); leb(); if (f & 1) leb(); }
        else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); } else { p += 2; }
      }
    } else if (id === 7) {
      for (let i = 0, n = leb(); i < n; i++) {
        const l = leb();
        const name = b.subarray(p, p + l).toString();
        p += l;
        const kind = b[p++], index = leb();
        if (kind === 0) names.set(index, name);
      }
    }
    p = end;
  }
  return { names, imported };
}
