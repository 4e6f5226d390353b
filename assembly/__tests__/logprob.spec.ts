import { log_bernoulli_sum } from "../logprob";
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
