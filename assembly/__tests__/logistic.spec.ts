import { logistic_f32, exp_neg_abs } from "../logistic";
import {
  SIZES, EXTREMES, LOGISTIC_MAX_ABS_ERR, Inputs, alloc, roundUp4, writtenWords, differentWords,
  getF32, setF32, sigma64,
} from "./reference";

// Worst |logistic_f32(a) - sigma(a)| over a[0..n), and how many outputs were not finite or left [0, 1].
let maxErr = 0.0;
let badOutputs = 0;

function sweep(a: usize, n: i32): void {
  const out = alloc(n << 2);
  logistic_f32(a, out, n);
  for (let i = 0; i < n; i++) {
    const y = <f64>getF32(out, i);
    if (!isFinite(y) || y < 0.0 || y > 1.0) badOutputs++;
    const err = Math.abs(y - sigma64(<f64>getF32(a, i)));
    if (!(err <= maxErr)) maxErr = err; // a NaN error also lands here and fails the bound
  }
  heap.free(out);
}

describe("logistic_f32", () => {
  test("matches f64 sigma within the documented bound at every size; writes nothing past n", () => {
    const inputs = new Inputs(1);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], words = roundUp4(n) + 4;
      const a = alloc(n << 2), out = alloc(words << 2);
      for (let i = 0; i < n; i++) setF32(a, i, <f32>inputs.between(-12.0, 12.0));
      logistic_f32(a, out, n);
      let worst = 0.0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(<f64>getF32(out, i) - sigma64(<f64>getF32(a, i))));
      const at = "n=" + n.toString();
      expect(worst).toBeLessThanOrEqual(LOGISTIC_MAX_ABS_ERR, at);
      expect(writtenWords(out, n, words)).toBe(0, "past n, " + at);
      // In place (out == a) gives the same bits.
      logistic_f32(a, a, n);
      expect(differentWords(a, out, n)).toBe(0, "in place, " + at);
    }
  });

  test("max abs error over a dense sweep and extremes is within the documented bound; finite and in [0, 1]", () => {
    maxErr = 0.0;
    badOutputs = 0;
    // Every 1e-3 over [-20, 20].
    const dense = 40001;
    const a = alloc(dense << 2);
    for (let k = 0; k < dense; k++) setF32(a, k, <f32>(-20.0 + 1e-3 * <f64>k));
    sweep(a, dense);
    heap.free(a);
    // Extremes: e^x overflow limits, +-1e4, +-3.4e38, the largest f32, tiny and subnormal values.
    const e = alloc(EXTREMES.length << 2);
    for (let k = 0; k < EXTREMES.length; k++) setF32(e, k, EXTREMES[k]);
    sweep(e, EXTREMES.length);
    // Every 4099th finite f32 bit pattern of each sign (all exponents, varied mantissas).
    const chunk = 4096, b = alloc(chunk << 2);
    for (let sign: u32 = 0; sign < 2; sign++) {
      let fill = 0;
      for (let bits: u32 = 0; bits < 0x7F800000; bits += 4099) {
        store<u32>(b + (<usize>fill << 2), bits | (sign << 31));
        if (++fill == chunk) { sweep(b, fill); fill = 0; }
      }
      if (fill > 0) sweep(b, fill);
    }
    log<f64>(maxErr);
    expect(maxErr).toBeLessThanOrEqual(LOGISTIC_MAX_ABS_ERR);
    expect(badOutputs).toBe(0);
  });
});

describe("exp_neg_abs", () => {
  test("matches f64 e^-|a| within Cephes' 1.1e-7 relative plus f32 rounding at every size; writes nothing past n", () => {
    const inputs = new Inputs(9);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], words = roundUp4(n) + 4;
      const a = alloc(n << 2), out = alloc(words << 2);
      for (let i = 0; i < n; i++) setF32(a, i, <f32>inputs.between(-90.0, 90.0));
      exp_neg_abs(a, out, n);
      let worst = 0.0;
      for (let i = 0; i < n; i++) {
        const x = Math.abs(<f64>getF32(a, i)), want = Math.exp(-Math.min(x, 87.0)); // clamped at -87 (exp.ts)
        worst = Math.max(worst, Math.abs(<f64>getF32(out, i) - want) / want);
      }
      const at = "n=" + n.toString();
      // 1.1e-7 from the polynomial, one f32 rounding of the result (6e-8) on top.
      expect(worst).toBeLessThanOrEqual(1.7e-7, at);
      expect(writtenWords(out, n, words)).toBe(0, "past n, " + at);
      exp_neg_abs(a, a, n);
      expect(differentWords(a, out, n)).toBe(0, "in place, " + at);
    }
  });
});
