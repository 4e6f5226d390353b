// The end-to-end workloads W1-W4 on our library, each as contenders (W1, W2: one run of once()
// is one timed repeat, so that run.js can interleave them with the peers) or as plain runs (W3, W4).
import { Session } from "node:inspector/promises";
import { HelmholtzMachine, bars, initWasm } from "../dist/index.js";
import { loadMnist, binarize } from "../cli/dist/data/mnist.js";
import { now, cpuSeconds, summarize } from "./timing.js";
import { exportNames } from "./kernels.js";
import { round } from "./machine.js";

export const LAYERS = [784, 200, 50];
export const SEED = 1;

/** The fixed 8,000 / 2,000 split, binarized at 0.5 (u8 rows of 784). */
export function loadDigits() {
  const { train, test } = loadMnist();
  return { train: binarize(train.images), trainRows: train.rows, test: binarize(test.images), testRows: test.rows };
}

/** Machines created after this run on the plain (default) or the relaxed-SIMD build. */
export const useBuild = (simd) => initWasm({ simd });

/**
 * W1: online wake-sleep, one wake and one sleep step per row, one epoch over the training digits
 * from a fresh machine, on the plain or the relaxed-SIMD build. With `trainedEpochs`, that many
 * untimed epochs come first: the binary kernels' work follows the units' activity, which falls
 * from about half of every layer at the start to the learned sparse codes. With `dl` false, fit()
 * does not estimate the description length (the peers compute none).
 */
export function w1Ours(digits, simd = "plain", trainedEpochs = 0, dl = true) {
  return {
    id: `${simd === "plain" ? "ours" : `ours-${simd}`}${trainedEpochs ? "-trained" : ""}${dl ? "" : "-nodl"}`,
    async once() {
      await useBuild(simd);
      const m = await HelmholtzMachine.create({ layers: LAYERS, seed: SEED });
      if (trainedEpochs) await m.fit(digits.train, { epochs: trainedEpochs });
      const t0 = now(), c0 = cpuSeconds();
      const [stats] = await m.fit(digits.train, { epochs: 1, descriptionLength: dl });
      const seconds = (now() - t0) / 1000, cpu = cpuSeconds() - c0;
      m.dispose();
      return { value: digits.trainRows / seconds, seconds, cpuSeconds: cpu, descriptionLength: stats.descriptionLength };
    },
    show: (r) => `${Math.round(r.value)} steps/s`,
  };
}

/**
 * W2: minibatch wake-sleep, B = 100 (averaged updates), one epoch, on `threads` threads, timed
 * after an untimed fit of the first 200 rows on the same machine (which starts its threads, so that
 * the timed epoch measures training, not starting workers); on the plain or the relaxed-SIMD build;
 * `dl` as for W1.
 */
export function w2Ours(digits, threads, simd = "plain", dl = true) {
  return {
    id: `ours-${simd === "plain" ? "" : `${simd}-`}${dl ? "" : "nodl-"}${threads}t`,
    threads,
    async once() {
      await useBuild(simd);
      const m = await HelmholtzMachine.create({ layers: LAYERS, seed: SEED });
      try {
        const opts = { epochs: 1, batchSize: 100, threads, descriptionLength: dl };
        await m.fit(digits.train.subarray(0, 200 * LAYERS[0]), opts);
        const t0 = now(), c0 = cpuSeconds();
        const [stats] = await m.fit(digits.train, opts);
        const seconds = (now() - t0) / 1000, cpu = cpuSeconds() - c0;
        return { value: digits.trainRows / seconds, seconds, cpuSeconds: cpu, descriptionLength: stats.descriptionLength, threadsUsed: stats.threads };
      } finally {
        m.dispose();
      }
    },
    show: (r) => `${Math.round(r.value)} vectors/s`,
  };
}

/** A machine trained as in W1 (one online epoch): the model W3 evaluates. */
export async function trainedMachine(digits) {
  const m = await HelmholtzMachine.create({ layers: LAYERS, seed: SEED });
  await m.fit(digits.train, { epochs: 1 });
  return m;
}

/**
 * W3: importance-sampled log-likelihood, K samples, on the first `rows` test digits, with
 * logLikelihoodAsync on each thread count of `threads` (runs alternate between them); repeats
 * until `repeats` rounds or `budgetSeconds` spent (at least one round).
 */
export async function w3Ours(digits, { rows = digits.testRows, samples = 1000, threads = [1], repeats = 3, budgetSeconds = 120, log = () => {} }) {
  const m = await trainedMachine(digits);
  const data = digits.test.subarray(0, rows * LAYERS[0]);
  const runs = threads.map((t) => ({ threads: t, seconds: [], cpu: [], nll: 0, threadsUsed: t }));
  const started = now();
  for (let round = 0; round < repeats && (round === 0 || (now() - started) / 1000 < budgetSeconds); round++) {
    for (const r of runs) {
      const t0 = now(), c0 = cpuSeconds();
      const ll = await m.logLikelihoodAsync(data, { samples, threads: r.threads });
      r.seconds.push((now() - t0) / 1000);
      r.cpu.push(cpuSeconds() - c0);
      r.nll = -ll.reduce((a, b) => a + b, 0) / rows;
      log(`ours W3 ${r.threads} thread(s) run ${r.seconds.length}: ${r.seconds.at(-1).toFixed(1)} s, -log p = ${r.nll.toFixed(2)} nats`);
    }
  }
  m.dispose();
  return {
    rows, samples, model: "[784, 200, 50] after one online epoch (W1's setup)",
    byThreads: runs.map((r) => ({
      threads: r.threads,
      seconds: summarize(r.seconds.map((s) => round(s, 3))),
      cpuSeconds: summarize(r.cpu.map((s) => round(s, 3))),
      meanNegLogLikelihoodNats: round(r.nll, 3),
      samplesPerSecond: Math.round((rows * samples) / summarize(r.seconds).median),
    })),
  };
}

/** W4: the bars problem, 16-8-1, `examples` online steps from a fresh machine, then the exact KL. */
export async function w4Ours({ examples = 2e6, repeats = 3, log = () => {} }) {
  const data = bars.sample(examples, SEED);
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    const m = await HelmholtzMachine.create({ layers: [16, 8, 1], seed: SEED });
    const t0 = now(), c0 = cpuSeconds();
    await m.fit(data, { epochs: 1 });
    const seconds = (now() - t0) / 1000, cpu = cpuSeconds() - c0;
    const kl = bars.klDivergence(m);
    m.dispose();
    runs.push({ seconds, cpu, kl });
    log(`ours W4 run ${r + 1}/${repeats}: ${seconds.toFixed(2)} s, KL ${kl.toFixed(3)} bits`);
  }
  return {
    examples, layers: [16, 8, 1], learningRate: 0.01,
    seconds: summarize(runs.map((r) => round(r.seconds, 3))),
    cpuSeconds: summarize(runs.map((r) => round(r.cpu, 3))),
    klBits: summarize(runs.map((r) => round(r.kl, 4))),
    stepsPerSecond: Math.round(examples / summarize(runs.map((r) => r.seconds)).median),
  };
}

/** The fit() options of the profiled workloads: W1 online, W2 with B = 100 on one thread. */
export const PROFILED = { W1: { epochs: 1 }, W2: { epochs: 1, batchSize: 100 } };

/**
 * Where a workload's time goes: a V8 sampling profile of one epoch of fit(digits, options) from a
 * fresh machine, self time per function. The engine's wasm has no name section, so frames are
 * named from its export section; inlined helpers count toward their caller.
 */
export async function profileFit(digits, options, { intervalMicros = 100 } = {}) {
  const { names, imported } = exportNames();
  const m = await HelmholtzMachine.create({ layers: LAYERS, seed: SEED });
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: intervalMicros });
  await session.post("Profiler.start");
  const t0 = now();
  await m.fit(digits.train, options);
  const seconds = (now() - t0) / 1000;
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  m.dispose();

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0, excluded = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id).callFrame;
    let name;
    const wasm = /^wasm-function\[(\d+)\]$/.exec(frame.functionName);
    if (wasm) {
      const index = Number(wasm[1]);
      name = `wasm ${names.get(index) ?? `internal function #${index - imported}`}`;
    } else if (frame.functionName.startsWith("(")) name = frame.functionName; // (garbage collector), (idle), (program)
    else if (frame.url === "") name = null; // the in-process inspector answering the profiler (its "dispatch"), not fit()
    else name = "JavaScript (fit loop, checks, copies)";
    if (name === null) {
      excluded += dt;
      return;
    }
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  const rows = [...self].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, pct: round((100 * us) / total, 1) }));
  return {
    seconds: round(seconds, 3), samplingIntervalMicros: intervalMicros, functions: rows.filter((r) => r.pct >= 0.1),
    profilerOverheadPct: round((100 * excluded) / (total + excluded), 1),
  };
}
