import { log_bernoulli_sum, log1p_sum } from "../logprob";
import {
  SIZES, EXTREMES, LOGPROB_MAX_ABS_ERR_PER_TERM, Inputs, alloc, roundUp4, setF32, logBernoulli64,
} from "./reference";

// Worst per-term |log_bernoulli_sum - f64 reference| (one term per call), and non-finite results.
let maxErr = 0.0;
let badTerms = 0;

function term(a: f32, s: f32, buf: usize): void {
  setF32(buf, 0, a);
  setF32(buf, 1, s);
  const lp = log_bernoulli_sum(buf, buf + 4, 1, buf + 8);
  if (!isFinite(lp)) badTerms++;
  const err = Math.abs(lp - logBernoulli64(<f64>a, <f64>s));
  if (!(err <= maxErr)) maxErr = err; // a NaN error also lands here and fails the bound
}

function bothStates(a: f32, buf: usize): void {
  term(a, 0.0, buf);
  term(a, 1.0, buf);
}

describe("log_bernoulli_sum", () => {
  test("matches the f64 sum within n times the per-term bound; lanes past n add nothing", () => {
    const inputs = new Inputs(2);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], words = roundUp4(n) + 4;
      const a = alloc(words << 2), s = alloc(words << 2), scratch = alloc(words << 2);
      let want = 0.0;
      for (let i = 0; i < n; i++) {
        const ai = <f32>inputs.between(-12.0, 12.0), si: f32 = inputs.uniform() < 0.5 ? 1.0 : 0.0;
        setF32(a, i, ai);
        setF32(s, i, si);
        want += logBernoulli64(<f64>ai, <f64>si);
      }
      // Past n: terms of -1e4 each if they were summed.
      for (let i = n; i < words; i++) { setF32(a, i, 1e4); setF32(s, i, 0.0); }
      const got = log_bernoulli_sum(a, s, n, scratch);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(<f64>n * LOGPROB_MAX_ABS_ERR_PER_TERM, "n=" + n.toString());
    }
  });

  test("per-term abs error over a dense sweep and extremes is within the documented bound; always finite", () => {
    maxErr = 0.0;
    badTerms = 0;
    const buf = alloc(16);
    for (let k = 0; k <= 40000; k++) bothStates(<f32>(-20.0 + 1e-3 * <f64>k), buf); // every 1e-3 over [-20, 20]
    for (let k = 0; k < EXTREMES.length; k++) bothStates(EXTREMES[k], buf);
    // Every 4099th finite f32 bit pattern of each sign.
    for (let bits: u32 = 0; bits < 0x7F800000; bits += 4099) {
      bothStates(reinterpret<f32>(bits), buf);
      bothStates(reinterpret<f32>(bits | 0x80000000), buf);
    }
    log<f64>(maxErr);
    expect(maxErr).toBeLessThanOrEqual(LOGPROB_MAX_ABS_ERR_PER_TERM);
    expect(badTerms).toBe(0);
  });
});

describe("log1p_sum", () => {
  // Per term: the rounding of 1 + e and of one product (2^-24 relative each, 1.2e-7 in the log),
  // plus one log1p per lane and block (7.4e-8, at most once per term).
  const PER_TERM: f64 = 2.0 * 5.960464477539063e-8 + 7.4e-8;

  test("matches the f64 sum within n times the per-term bound, over several blocks; lanes past n add nothing", () => {
    const inputs = new Inputs(3);
    const sizes: StaticArray<i32> = [0, 1, 3, 4, 5, 17, 784, 1024, 1027, 2500];
    for (let k = 0; k < sizes.length; k++) {
      const n = sizes[k], words = roundUp4(n) + 4;
      const e = alloc(words << 2);
      let want = 0.0;
      for (let i = 0; i < n; i++) {
        const ei = <f32>inputs.uniform();
        setF32(e, i, ei);
        want += Math.log1p(<f64>ei);
      }
      for (let i = n; i < words; i++) setF32(e, i, 1.0); // log 2 each if they were summed
      const got = log1p_sum(e, n);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(<f64>n * PER_TERM, "n=" + n.toString());
    }
  });

  test("every factor at 1 (e = 1, the largest product) and at 0 (e = 0): n ln 2 and 0", () => {
    const n = 2500, e = alloc(roundUp4(n) << 2);
    for (let i = 0; i < n; i++) setF32(e, i, 1.0);
    expect(Math.abs(log1p_sum(e, n) - <f64>n * Math.LN2)).toBeLessThanOrEqual(<f64>n * PER_TERM);
    for (let i = 0; i < n; i++) setF32(e, i, 0.0);
    expect(log1p_sum(e, n)).toBe(0.0);
  });
});
