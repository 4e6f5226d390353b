// What all the cores deliver together: the SIMD peak kernel (bench/kernels/peak.ts) run on one
// worker thread and on one per logical CPU at once, in alternating rounds. On a virtual machine
// the host may give less than one physical core per vCPU when all of them are busy (it shows as
// steal time); the ratio is then the most any multi-threaded workload here can gain.
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { summarize } from "./timing.js";
import { round, cpuJiffies } from "./machine.js";

const PEAK_WASM = fileURLToPath(new URL("../build/bench-peak.wasm", import.meta.url));

// A worker: instantiates the peak kernel, then on each message runs `iters`-round calls of
// `variant` until `ms` have passed and replies with the flops done and the seconds taken.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const instance = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes), {});
const f = instance.exports[workerData.variant];
parentPort.on("message", ({ ms, iters, flopsPerIter }) => {
  let sink = 0, calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) { sink += f(iters, 0.999, 0.001); calls++; }
  const seconds = (performance.now() - t0) / 1000;
  parentPort.postMessage({ flops: calls * iters * flopsPerIter, seconds, finite: Number.isFinite(sink) });
});
parentPort.postMessage("ready");
`;

async function start(n, variant) {
  const bytes = readFileSync(PEAK_WASM);
  return Promise.all(Array.from({ length: n }, async () => {
    const w = new Worker(WORKER, { eval: true, workerData: { bytes, variant } });
    await nextMessage(w);
    return w;
  }));
}

/** The worker's next message (or its error, rejected), with no listener left behind either way. */
export const nextMessage = (w) => new Promise((resolve, reject) => {
  const onMessage = (m) => (w.off("error", onError), resolve(m));
  const onError = (e) => (w.off("message", onMessage), reject(e));
  w.once("message", onMessage);
  w.once("error", onError);
});

/** Posts `job` to the worker and resolves with its reply. */
export const ask = (w, job) => {
  const reply = nextMessage(w);
  w.postMessage(job);
  return reply;
};

/**
 * Peak GFLOP/s on 1 thread and on `cores` threads at once, `rounds` alternating rounds of `ms`
 * each; `peak` is measurePeak()'s result (its better variant is run). Returns the medians, their
 * ratio, and the steal time's share of the CPU time during the all-cores rounds (Linux).
 */
export async function measureCores(peak, cores, { rounds = 5, ms = 1000 } = {}) {
  const workers = await start(cores, peak.variant);
  const job = { ms, iters: 1 << 16, flopsPerIter: peak.flopsPerIter };
  const one = [], all = [];
  let steal = 0, total = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      const single = await ask(workers[0], job);
      one.push(single.flops / single.seconds / 1e9);
      const before = cpuJiffies();
      const replies = await Promise.all(workers.map((w) => ask(w, job)));
      const after = cpuJiffies();
      if (replies.some((x) => !x.finite) || !single.finite) throw new Error("the peak kernel returned a non-finite value");
      all.push(replies.reduce((s, x) => s + x.flops / x.seconds, 0) / 1e9);
      if (before && after) {
        steal += after.steal - before.steal;
        total += after.total - before.total;
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const a = summarize(one), b = summarize(all);
  return {
    threads: cores, rounds, ms,
    oneCoreGflops: round(a.median, 2), allCoresGflops: round(b.median, 2),
    ratio: round(b.median / a.median, 2),
    ...(total > 0 ? { stealShare: round(steal / total, 3) } : {}),
  };
}
