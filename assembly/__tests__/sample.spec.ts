import { rng_seed, rng_fill_uniform } from "../rng";
import { logistic_f32 } from "../logistic";
import { sample_bernoulli, sample_logistic, sample_logistic_logprob, binary_to_states } from "../sample";
import {
  SIZES, RNG_BYTES, LOGISTIC_MAX_ABS_ERR, LOGPROB_MAX_ABS_ERR_PER_TERM, Inputs, alloc, roundUp4,
  writtenWords, differentWords, getF32, setF32, getI32, refSample, sigma64, logBernoulli64,
} from "./reference";

// One sampling call at size n: the kernel's buffers (guard words past n), the reference's, and
// two copies of one seeded generator.
class Run {
  words: i32;
  rng: usize; ref: usize;
  s: usize; idx: usize;
  sWant: usize; idxWant: usize;
  constructor(public n: i32, seed: u32) {
    this.words = roundUp4(n) + 4;
    this.rng = alloc(RNG_BYTES);
    this.ref = alloc(RNG_BYTES);
    rng_seed(this.rng, seed, 0);
    memory.copy(this.ref, this.rng, RNG_BYTES);
    this.s = alloc(this.words << 2);
    this.idx = alloc((n + 4) << 2);
    this.sWant = alloc(n << 2);
    this.idxWant = alloc(n << 2);
  }

  // Kernel output `count` vs. refSample over probabilities p: same states, same index list
  // (refSample's is increasing), same count and generator state; nothing written past the room.
  check(count: i32, p: usize): void {
    const n = this.n, want = refSample(p, n, this.ref, this.sWant, this.idxWant);
    const at = "n=" + n.toString();
    expect(count).toBe(want, "count, " + at);
    expect(differentWords(this.s, this.sWant, n)).toBe(0, "states, " + at);
    expect(differentWords(this.idx, this.idxWant, want)).toBe(0, "indices, " + at);
    expect(differentWords(this.rng, this.ref, 16)).toBe(0, "generator state, " + at);
    expect(writtenWords(this.s, n, this.words)).toBe(0, "states past n, " + at);
    // The indices are stored four lanes at a time: words past the count may change, but none
    // past the room of n rounded up to a multiple of 4.
    expect(writtenWords(this.idx, roundUp4(n), n + 4)).toBe(0, "indices past roundUp4(n), " + at);
  }
}

// Activations in [-6, 6) for i < n; past n, 1e4 (sigma = 1: those lanes would fire if kept).
function activations(n: i32, words: i32, inputs: Inputs): usize {
  const a = alloc(words << 2);
  for (let i = 0; i < words; i++) setF32(a, i, i < n ? <f32>inputs.between(-6.0, 6.0) : 1e4);
  return a;
}

// Firing-rate bound for N Bernoulli(p) trials: the count is Binomial(N, p) with standard
// deviation sqrt(N p (1 - p)); with a fixed seed the test is deterministic, and 5 sigma
// (two-sided tail 5.7e-7 under the normal approximation) leaves room for any sound generator.
function fiveSigma(trials: f64, p: f64): f64 { return 5.0 * Math.sqrt(trials * p * (1.0 - p)); }

describe("sample_bernoulli", () => {
  test("reproduces the stream: s = 1 where u < p, one block of four uniforms per four units", () => {
    const inputs = new Inputs(3);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], run = new Run(n, 11 + k);
      const p = alloc(run.words << 2);
      for (let i = 0; i < run.words; i++) {
        // Some exact 0s and 1s; past n, 1.0 (would fire if kept).
        setF32(p, i, i >= n || i % 11 == 5 ? 1.0 : i % 7 == 3 ? 0.0 : <f32>inputs.uniform());
      }
      run.check(sample_bernoulli(p, n, run.rng, run.s, run.idx), p);
    }
  });

  test("p = 0 never fires, p = 1 always fires", () => {
    const n = 784, run = new Run(n, 5);
    const p = alloc(n << 2);
    for (let i = 0; i < n; i++) setF32(p, i, 0.0);
    expect(sample_bernoulli(p, n, run.rng, run.s, run.idx)).toBe(0);
    expect(writtenWords(run.idx, roundUp4(n), n + 4)).toBe(0);
    for (let i = 0; i < n; i++) setF32(p, i, 1.0); // u <= 1 - 2^-24 < 1
    expect(sample_bernoulli(p, n, run.rng, run.s, run.idx)).toBe(n);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (getI32(run.idx, i) != i || getF32(run.s, i) != 1.0) wrong++;
    expect(wrong).toBe(0);
  });

  test("fires at rate 1/4 for p = 0.25, within 5 binomial sigma", () => {
    // u = k 2^-24 < 0.25 exactly for k < 2^22, so each trial fires with probability exactly 1/4.
    // N = 64 x 784 = 50176 trials: mean 12544, sigma = sqrt(N/4 * 3/4) = 97.0, bound 485.
    const n = 784, calls = 64, run = new Run(n, 2024);
    const p = alloc(n << 2);
    for (let i = 0; i < n; i++) setF32(p, i, 0.25);
    let fired = 0;
    for (let c = 0; c < calls; c++) fired += sample_bernoulli(p, n, run.rng, run.s, run.idx);
    const trials = <f64>(n * calls);
    expect(Math.abs(<f64>fired - 0.25 * trials)).toBeLessThanOrEqual(fiveSigma(trials, 0.25));
  });
});

describe("sample_logistic", () => {
  test("reproduces the stream with p = logistic_f32(a) (the same lane maths)", () => {
    const inputs = new Inputs(4);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], run = new Run(n, 21 + k);
      const a = activations(n, run.words, inputs), p = alloc(n << 2);
      logistic_f32(a, p, n);
      run.check(sample_logistic(a, n, run.rng, run.s, run.idx), p);
    }
  });

  test("agrees with u < sigma(a) in f64 wherever u is farther than the logistic bound from sigma", () => {
    const inputs = new Inputs(5);
    const n = 784, calls = 16, run = new Run(n, 99);
    const a = activations(n, run.words, inputs), u = alloc(n << 2);
    let disagree = 0;
    for (let c = 0; c < calls; c++) {
      rng_fill_uniform(run.ref, u, n); // the uniforms this call will draw
      sample_logistic(a, n, run.rng, run.s, run.idx);
      for (let i = 0; i < n; i++) {
        const ui = <f64>getF32(u, i), p = sigma64(<f64>getF32(a, i));
        if (Math.abs(ui - p) > LOGISTIC_MAX_ABS_ERR && (getF32(run.s, i) == 1.0) != (ui < p)) disagree++;
      }
    }
    expect(disagree).toBe(0);
  });

  test("fires at rate 1/2 for a = 0, within 5 binomial sigma", () => {
    // sigma(0) = 1/(1 + 1) = 0.5 exactly in f32, and u < 0.5 for exactly half the 2^-24 grid.
    // N = 50176 trials: mean 25088, sigma = sqrt(N/4) = 112.0, bound 560.
    const n = 784, calls = 64, run = new Run(n, 7);
    const a = alloc(n << 2);
    for (let i = 0; i < n; i++) setF32(a, i, 0.0);
    let fired = 0;
    for (let c = 0; c < calls; c++) fired += sample_logistic(a, n, run.rng, run.s, run.idx);
    const trials = <f64>(n * calls);
    expect(Math.abs(<f64>fired - 0.5 * trials)).toBeLessThanOrEqual(fiveSigma(trials, 0.5));
  });
});

describe("sample_logistic_logprob", () => {
  test("samples as sample_logistic and returns the f64 log-probability of the sample", () => {
    const inputs = new Inputs(6);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], run = new Run(n, 31 + k);
      const a = activations(n, run.words, inputs), p = alloc(n << 2), countOut = alloc(8);
      logistic_f32(a, p, n);
      const lp = sample_logistic_logprob(a, n, run.rng, run.s, run.idx, countOut);
      const count = load<i32>(countOut);
      run.check(count, p);
      expect(writtenWords(countOut, 1, 2)).toBe(0, "past the count");
      let want = 0.0;
      for (let i = 0; i < n; i++) want += logBernoulli64(<f64>getF32(a, i), <f64>getF32(run.sWant, i));
      expect(Math.abs(lp - want)).toBeLessThanOrEqual(<f64>n * LOGPROB_MAX_ABS_ERR_PER_TERM, "log-prob, n=" + n.toString());
    }
  });
});

describe("binary_to_states", () => {
  test("copies 0/1 bytes to f32 states and lists the ones in increasing order", () => {
    const inputs = new Inputs(7);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], words = roundUp4(n) + 4;
      const src = alloc(words), s = alloc(words << 2), idx = alloc((n + 4) << 2);
      for (let i = 0; i < words; i++) store<u8>(src + <usize>i, i >= n || inputs.uniform() < 0.4 ? 1 : 0);
      const count = binary_to_states(src, n, s, idx);
      let want = 0, wrong = 0;
      for (let i = 0; i < n; i++) {
        const on = load<u8>(src + <usize>i) != 0;
        if (getF32(s, i) != (on ? <f32>1.0 : <f32>0.0)) wrong++;
        if (on) { if (want >= count || getI32(idx, want) != i) wrong++; want++; }
      }
      const at = "n=" + n.toString();
      expect(count).toBe(want, "count, " + at);
      expect(wrong).toBe(0, at);
      expect(writtenWords(s, n, words)).toBe(0, "states past n, " + at);
      expect(writtenWords(idx, roundUp4(n), n + 4)).toBe(0, "indices past roundUp4(n), " + at);
    }
  });
});
