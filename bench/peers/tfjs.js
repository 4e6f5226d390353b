// The peer: the same Helmholtz machine and wake-sleep algorithm written with TensorFlow.js the
// way a competent TF.js user would: batched ops (matMul, broadcasting adds, reductions), weights
// in tf.Variables updated with assign, every step inside tf.tidy. Float32, [784, 200, 50],
// ε = 0.01, weights N(0, 0.01²), biases 0. Runs on tfjs-backend-wasm and tfjs-backend-cpu.
//
// Layout, chosen by profiling (a competent user tunes the obvious hot spot): states are
// columns (n x B) and the weights are the left operand of every matMul. tfjs-backend-wasm hands
// matMul to XNNPACK, which packs the right operand into its own layout whenever that operand is
// a new tensor, and a weight variable is a new tensor after every assign: with the weights on
// the right, packing 784 x 200 weights every step cost about 10x the product itself
// (3.7 ms against 0.3 ms per 1 x 784 x 200 product on this machine, loaded). With the
// weights on the left only the states (or their batch) are packed. Products with a transposed
// operand use an explicit tf.transpose (matMul's transposeA/B flags took up to 25x as long on
// wasm), or a reshape where one side is a single column. The learning rate scales the delta
// vectors before the outer products, so no weight-sized temporary is multiplied.
//
// Online (B = 1): wake updates G, then sleep (dreaming with the updated G) updates R, per row,
// as in Hinton et al. (1995). Minibatch, as the library does it: wake on B vectors with the
// parameters held fixed, the mean of its updates applied to G; then sleep on B fantasies of the
// updated G, the mean of its updates applied to R.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfWasm from "@tensorflow/tfjs-backend-wasm";
import { now, cpuSeconds } from "../timing.js";

export const BACKENDS = ["wasm", "cpu"];

/** Switches TF.js to `backend` ("wasm" or "cpu") and waits until it is ready. */
export async function useBackend(backend) {
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialise`);
  await tf.ready();
}

/** What the peer ran on: versions and, for wasm, SIMD and thread support. */
export async function peerInfo() {
  await useBackend("wasm");
  const info = {
    tfjsCore: tf.version_core,
    tfjsBackendWasm: tfWasm.version_wasm,
    wasmSimd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
    wasmMultithread: tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"),
    wasmThreads: tfWasm.getThreadsCount(),
  };
  return info;
}

// x^T for x (r x c): a reshape when either side is 1, else a transpose.
const T = (x) => (x.shape[0] === 1 || x.shape[1] === 1 ? tf.reshape(x, [x.shape[1], x.shape[0]]) : tf.transpose(x));

// d s^T for d (n x B), s (m x B): the outer products of the columns, summed over the batch.
// For B = 1 on wasm a broadcasting multiply (n x 1 by 1 x m) is about 15% faster per step in
// CPU time than the matMul; on cpu it is many times slower, so there the matMul stays.
const outer = (d, s) =>
  d.shape[1] === 1 && tf.getBackend() === "wasm" ? tf.mul(d, T(s)) : tf.matMul(d, T(s));

// The row sums of d (n x B) as a column; for B = 1 d itself.
const rowSum = (d) => (d.shape[1] === 1 ? d : tf.sum(d, 1, true));

const bernoulli = (p) => tf.cast(tf.less(tf.randomUniform(p.shape, 0, 1, "float32"), p), "float32");

/**
 * A Helmholtz machine in tf.Variables, column form: GwT[l] (n[l] x n[l+1]) and gb[l] (n[l] x 1)
 * give P(s_l | s_{l+1}) = sigma(GwT[l] s_{l+1} + gb[l]); gTop (n[L] x 1); RwT[l] (n[l+1] x n[l])
 * and rb[l] (n[l+1] x 1) give Q(s_{l+1} | s_l) = sigma(RwT[l] s_l + rb[l]).
 */
export class TfHelmholtz {
  constructor(layers = [784, 200, 50], { learningRate = 0.01, initScale = 0.01, seed = 1 } = {}) {
    this.layers = layers;
    this.L = layers.length - 1;
    this.lr = learningRate;
    const L = this.L;
    const normal = (shape, i) => tf.variable(tf.randomNormal(shape, 0, initScale, "float32", seed * 1000 + i));
    this.GwT = [];
    this.RwT = [];
    this.gb = [];
    this.rb = [];
    // tidy disposes the initial values; variables outlive it.
    tf.tidy(() => {
      for (let l = 0; l < L; l++) {
        this.GwT.push(normal([layers[l], layers[l + 1]], 2 * l));
        this.RwT.push(normal([layers[l + 1], layers[l]], 2 * l + 1));
        this.gb.push(tf.variable(tf.zeros([layers[l], 1])));
        this.rb.push(tf.variable(tf.zeros([layers[l + 1], 1])));
      }
      this.gTop = tf.variable(tf.zeros([layers[L], 1]));
    });
  }

  // Wake on x (n[0] x B): s ~ Q bottom-up, top-down probabilities, the delta-rule updates of G
  // (summed over the batch, times `scale`) as [variable, increment] pairs. The scale multiplies
  // the delta vectors, not the weight-sized increments.
  wakeUpdates(x, scale) {
    const { L } = this;
    const s = [x];
    for (let l = 0; l < L; l++) s.push(bernoulli(tf.sigmoid(tf.add(tf.matMul(this.RwT[l], s[l]), this.rb[l]))));
    const updates = [[this.gTop, tf.mul(scale, rowSum(tf.sub(s[L], tf.sigmoid(this.gTop))))]];
    for (let l = 0; l < L; l++) {
      const d = tf.mul(scale, tf.sub(s[l], tf.sigmoid(tf.add(tf.matMul(this.GwT[l], s[l + 1]), this.gb[l]))));
      updates.push([this.GwT[l], outer(d, s[l + 1])]);
      updates.push([this.gb[l], rowSum(d)]);
    }
    return updates;
  }

  // Sleep for B fantasies: t ~ P top-down, bottom-up probabilities, the updates of R.
  sleepUpdates(B, scale) {
    const { L } = this;
    const t = new Array(L + 1);
    t[L] = bernoulli(tf.broadcastTo(tf.sigmoid(this.gTop), [this.layers[L], B]));
    for (let l = L - 1; l >= 0; l--) t[l] = bernoulli(tf.sigmoid(tf.add(tf.matMul(this.GwT[l], t[l + 1]), this.gb[l])));
    const updates = [];
    for (let l = 0; l < L; l++) {
      const e = tf.mul(scale, tf.sub(t[l + 1], tf.sigmoid(tf.add(tf.matMul(this.RwT[l], t[l]), this.rb[l]))));
      updates.push([this.RwT[l], outer(e, t[l])]);
      updates.push([this.rb[l], rowSum(e)]);
    }
    return updates;
  }

  static apply(updates) {
    for (const [v, inc] of updates) v.assign(tf.add(v, inc));
  }

  /**
   * One step on the rows x (B x n[0]; B = 1 is the online step), as the library takes it: a wake
   * phase with the parameters fixed and the mean of its updates applied to P, then B fantasies of
   * the updated P with the parameters fixed and the mean of their updates applied to Q.
   */
  step(x) {
    const B = x.shape[0];
    tf.tidy(() => TfHelmholtz.apply(this.wakeUpdates(T(x), tf.scalar(this.lr / B))));
    tf.tidy(() => TfHelmholtz.apply(this.sleepUpdates(B, tf.scalar(this.lr / B))));
  }

  /** Blocks until every queued op has run (the wasm and cpu backends are synchronous, but be sure). */
  sync() {
    this.gTop.dataSync();
  }

  dispose() {
    for (const v of [...this.GwT, ...this.RwT, ...this.gb, ...this.rb, this.gTop]) v.dispose();
  }
}

/**
 * W1 on TF.js: `steps` online steps on consecutive training rows after `warmup` untimed ones,
 * stopping early once `maxSeconds` have passed (the rate is over the steps done); steps/s.
 */
export function w1Peer(digits, backend, { steps = 1000, warmup = 20, maxSeconds = 5 } = {}) {
  return peerRun(digits, backend, {
    count: steps, warmup, maxSeconds, size: 1, unit: "steps/s",
    step: (m, x) => m.step(x),
  });
}

/** W2 on TF.js: `batches` minibatches of `batchSize` after `warmup` untimed ones, bounded as W1; vectors/s. */
export function w2Peer(digits, backend, { batches = 20, batchSize = 100, warmup = 2, maxSeconds = 5 } = {}) {
  return peerRun(digits, backend, {
    count: batches, warmup, maxSeconds, size: batchSize, unit: "vectors/s",
    step: (m, x) => m.step(x),
  });
}

function peerRun(digits, backend, { count, warmup, maxSeconds, size, unit, step }) {
  return {
    id: `tfjs-${backend}`,
    async once() {
      await useBackend(backend);
      const rows = Math.min(digits.trainRows, (count + warmup) * size);
      const data = tf.tensor2d(Float32Array.from(digits.train.subarray(0, rows * 784)), [rows, 784]);
      const m = new TfHelmholtz();
      const slice = (i) => tf.tidy(() => tf.slice(data, [(i * size) % rows, 0], [size, 784]));
      const run = (i) => { const x = slice(i); step(m, x); x.dispose(); };
      try {
        for (let i = 0; i < warmup; i++) run(count + i);
        m.sync();
        const t0 = now(), c0 = cpuSeconds();
        let done = 0;
        while (done < count && (now() - t0) / 1000 < maxSeconds) run(done++);
        m.sync();
        const seconds = (now() - t0) / 1000, cpu = cpuSeconds() - c0;
        return { value: (done * size) / seconds, seconds, cpuSeconds: cpu, steps: done, batchSize: size };
      } finally {
        m.dispose();
        data.dispose();
      }
    },
    show: (r) => `${Math.round(r.value)} ${unit} (${r.steps} steps)`,
  };
}

/** Live tensors, to check that the peer leaks none. */
export const numTensors = () => tf.memory().numTensors;
