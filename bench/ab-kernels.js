// Paired A/B rounds of the per-unit kernels (the samplers, the delta rules, the log-probability sum)
// between another built checkout and this one, as bench/ab.js does for whole workloads: each round
// times both builds on the same inputs, in an order that flips every round. See --help.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { median } from "./timing.js";

const HELP = `usage: node bench/ab-kernels.js --base DIR [--rounds N] [--n N]
  --base DIR   A: the kernels of build/wake-sleep.wasm in another checkout DIR (npm run build there
               first); B: this checkout's
  --rounds N   rounds (default 15)
  --n N        units per call (default 784)
Prints, per kernel, both medians in ns per unit and the median of the per-round ratios A / B
(above 1: this checkout is faster).`;

function parseArgs(argv) {
  const o = { base: undefined, rounds: 15, n: 784 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") { console.log(HELP); process.exit(0); }
    else if (a === "--base") o.base = argv[++i];
    else if (a === "--rounds") o.rounds = Number(argv[++i]);
    else if (a === "--n") o.n = Number(argv[++i]);
    else throw new Error(`unknown argument ${JSON.stringify(a)}\n${HELP}`);
  }
  if (o.base === undefined) throw new Error(`--base DIR is needed\n${HELP}`);
  for (const key of ["rounds", "n"]) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new Error(`--${key} must be a positive integer, got ${o[key]}`);
  }
  return o;
}

async function load(dir) {
  const { instantiate } = await import(pathToFileURL(resolve(dir, "build/wake-sleep.js")).href);
  return instantiate(await WebAssembly.compile(readFileSync(resolve(dir, "build/wake-sleep.wasm"))), {});
}

// The kernels on the same seeded inputs in one build's memory: activations in [-4, 4], half the
// states on.
function kernelsOf(k, n) {
  let at = Math.ceil(k.heap_base() / 64) * 64;
  const alloc = (bytes) => { const p = at; at = Math.ceil((at + bytes) / 64) * 64; return p; };
  const a = alloc(4 * n), s = alloc(4 * n), out = alloc(4 * n + 16), idx = alloc(4 * n + 16), rng = alloc(64), count = alloc(16);
  if (at > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((at - k.memory.buffer.byteLength) / 65536));
  const f32 = new Float32Array(k.memory.buffer);
  let x = 12345;
  const u = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) { f32[a / 4 + i] = 8 * (u() - 0.5); f32[s / 4 + i] = u() < 0.5 ? 1 : 0; }
  k.rng_seed(rng, 7, 0);
  return {
    sample_logistic: () => k.sample_logistic(a, n, rng, out, idx),
    sample_logistic_logprob: () => k.sample_logistic_logprob(a, n, rng, out, idx, count),
    delta_rule: () => k.delta_rule(a, s, 0.01, out, n),
    logistic_delta: () => k.logistic_delta(a, s, 0.01, out, n),
    log_bernoulli_sum: () => k.log_bernoulli_sum(a, s, n, out),
  };
}

// ns per unit of `calls` calls.
function time(kernel, calls, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) kernel();
  return Number(process.hrtime.bigint() - t0) / calls / n;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const pair = [kernelsOf(await load(o.base), o.n), kernelsOf(await load(new URL("..", import.meta.url).pathname), o.n)];
  const calls = Math.max(1, Math.round(2e6 / o.n));
  for (const name of Object.keys(pair[0])) {
    for (const ks of pair) time(ks[name], calls, o.n); // warm-up
    const ns = [[], []], ratios = [];
    for (let round = 0; round < o.rounds; round++) {
      const t = [];
      for (const b of round % 2 ? [1, 0] : [0, 1]) t[b] = time(pair[b][name], calls, o.n);
      ns[0].push(t[0]);
      ns[1].push(t[1]);
      ratios.push(t[0] / t[1]);
    }
    console.log(`${name.padEnd(24)} base ${median(ns[0]).toFixed(3)}, this ${median(ns[1]).toFixed(3)} ns/unit; median ratio base/this ${median(ratios).toFixed(2)}`);
  }
}

main().catch((e) => {
  console.error(`ab-kernels: ${e.message}`);
  process.exit(2);
});
