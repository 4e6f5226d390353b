// The page bench/browser.js drives in headless Chromium: W1 and W2 as bench/workloads.js runs them
// in Node (the same digits, layers, seed and options), on the browser bundle served beside it.
import { HelmholtzMachine, initWasm } from "./wake-sleep.js";

const LAYERS = [784, 200, 50];
const SEED = 1;
const digits = new Uint8Array(await (await fetch("./digits.bin")).arrayBuffer());
const rows = digits.length / LAYERS[0];

// One timed fit of every row on a fresh machine, after `warmRows` untimed rows on it (W2: that
// starts its worker threads). Returns rows per second.
async function epoch(simd, options, warmRows) {
  await initWasm({ simd });
  const m = await HelmholtzMachine.create({ layers: LAYERS, seed: SEED });
  try {
    if (warmRows) await m.fit(digits.subarray(0, warmRows * LAYERS[0]), options);
    const started = performance.now();
    const [stats] = await m.fit(digits, options);
    const seconds = (performance.now() - started) / 1000;
    return { value: rows / seconds, seconds, descriptionLength: stats.descriptionLength, threadsUsed: stats.threads };
  } finally {
    m.dispose();
  }
}

async function relaxedSimd() {
  try {
    await initWasm({ simd: "relaxed" });
    return true;
  } catch {
    return false;
  } finally {
    await initWasm({ simd: "plain" });
  }
}

window.bench = {
  info: async () => ({ crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, relaxedSimd: await relaxedSimd(), rows }),
  w1: (simd, dl) => epoch(simd, { epochs: 1, descriptionLength: dl }, 0),
  w2: (simd, threads, dl) => epoch(simd, { epochs: 1, batchSize: 100, threads, descriptionLength: dl }, 200),
};
window.benchReady = true;
