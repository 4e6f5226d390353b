// A check that the TF.js peer computes the same algorithm as the library (not part of the
// timed run): both train [784, 200, 50] from N(0, 0.01²) weights on the same 1,000 digits,
// online and in batches of 100, and their description lengths F (bits, one-sample estimate over
// 500 test digits) should come out close. Run: node bench/peers/check.js (about 15 s).
// On 2026-11-23: peer 785 -> 456 (online) and 311 (batches); library 789 -> 448 and 310.
import * as tf from "@tensorflow/tfjs-core";
import { TfHelmholtz, useBackend } from "./tfjs.js";
import { loadDigits } from "../workloads.js";
import { HelmholtzMachine } from "../../dist/index.js";

const N = 1000, EVAL = 500;
const digits = loadDigits();
await useBackend("wasm");
const train = tf.tensor2d(Float32Array.from(digits.train.subarray(0, N * 784)), [N, 784]);
const test = tf.transpose(tf.tensor2d(Float32Array.from(digits.test.subarray(0, EVAL * 784)), [EVAL, 784]));

// Per column (one row of data), log P(s | sigma(a)) summed over units, in the stable form
// -(max(x, 0) + log1p(e^-|a|)), x = a (1 - 2s).
const logBernoulli = (a, s) =>
  tf.sum(tf.neg(tf.add(tf.relu(tf.mul(a, tf.sub(1, tf.mul(2, s)))), tf.log1p(tf.exp(tf.neg(tf.abs(a)))))), 0);

// Mean over the columns of x (n[0] x rows, the peer's layout) of log2 Q(h|x) - log2 P(h, x),
// h ~ Q(.|x): the one-sample estimate of F.
function descriptionLength(m, x) {
  return tf.tidy(() => {
    const s = [x];
    let logQ = tf.zeros([x.shape[1]]);
    for (let l = 0; l < m.L; l++) {
      const a = tf.add(tf.matMul(m.RwT[l], s[l]), m.rb[l]);
      const h = tf.cast(tf.less(tf.randomUniform(a.shape), tf.sigmoid(a)), "float32");
      logQ = tf.add(logQ, logBernoulli(a, h));
      s.push(h);
    }
    let logP = logBernoulli(tf.broadcastTo(m.gTop, s[m.L].shape), s[m.L]);
    for (let l = 0; l < m.L; l++) logP = tf.add(logP, logBernoulli(tf.add(tf.matMul(m.GwT[l], s[l + 1]), m.gb[l]), s[l]));
    return tf.mean(tf.sub(logQ, logP)).dataSync()[0] / Math.LN2;
  });
}
const oursF = (m) => m.descriptionLength(digits.test.subarray(0, EVAL * 784)).reduce((a, b) => a + b, 0) / EVAL;
const rows = digits.train.subarray(0, N * 784);

const online = new TfHelmholtz();
const before = descriptionLength(online, test);
for (let i = 0; i < N; i++) tf.tidy(() => online.step(tf.slice(train, [i, 0], [1, 784])));
const afterOnline = descriptionLength(online, test);

const batched = new TfHelmholtz();
for (let epoch = 0; epoch < 10; epoch++) {
  for (let i = 0; i < N; i += 100) tf.tidy(() => batched.step(tf.slice(train, [i, 0], [100, 784])));
}
const afterBatches = descriptionLength(batched, test);

const ours = await HelmholtzMachine.create({ layers: [784, 200, 50], seed: 1 });
const oursBefore = oursF(ours);
await ours.fit(rows, { shuffle: false });
const oursOnline = oursF(ours);
const oursB = await HelmholtzMachine.create({ layers: [784, 200, 50], seed: 1 });
await oursB.fit(rows, { shuffle: false, batchSize: 100, epochs: 10 });
const oursBatches = oursF(oursB);

console.log(`F (bits)          before   1,000 online   10 x 10 batches of 100`);
console.log(`TF.js peer        ${before.toFixed(1).padStart(6)}   ${afterOnline.toFixed(1).padStart(12)}   ${afterBatches.toFixed(1).padStart(14)}`);
console.log(`wake-sleep        ${oursBefore.toFixed(1).padStart(6)}   ${oursOnline.toFixed(1).padStart(12)}   ${oursBatches.toFixed(1).padStart(14)}`);
