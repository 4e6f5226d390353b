import { logistic_delta, delta_rule, add_to_rows, add_row_sums, add_vector } from "../update";
import {
  SIZES, LOGISTIC_MAX_ABS_ERR, LOGPROB_MAX_ABS_ERR_PER_TERM, Inputs, alloc, roundUp4, writtenWords,
  differentWords, getF32, setF32, sigma64, logBernoulli64,
} from "./reference";

const ROWS = 9;
const IDX_SETS: StaticArray<StaticArray<i32>> = [[], [8], [0, 2, 3, 5, 8]];

describe("logistic_delta", () => {
  test("delta = eps (s - sigma(a)) and the returned log-probability match f64; nothing past n", () => {
    const inputs = new Inputs(9);
    const eps: f32 = 0.05;
    // delta = fl(eps fl(s - sigma_f32)), |s - sigma| <= 1: the logistic bound, plus 2^-25 = 3.0e-8
    // for the subtraction and 2^-24 = 6.0e-8 relative for the product, all times eps (9e-8 < 1.2e-7).
    const tol = <f64>eps * (LOGISTIC_MAX_ABS_ERR + 1.2e-7);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], words = roundUp4(n) + 4;
      const a = alloc(words << 2), s = alloc(words << 2), delta = alloc(words << 2);
      let want = 0.0;
      for (let i = 0; i < n; i++) {
        const ai = <f32>inputs.between(-12.0, 12.0), si: f32 = inputs.uniform() < 0.5 ? 1.0 : 0.0;
        setF32(a, i, ai);
        setF32(s, i, si);
        want += logBernoulli64(<f64>ai, <f64>si);
      }
      for (let i = n; i < words; i++) { setF32(a, i, 1e4); setF32(s, i, 0.0); } // -1e4 per term if summed
      const lp = logistic_delta(a, s, eps, delta, n);
      let worst = 0.0;
      for (let i = 0; i < n; i++) {
        const d = <f64>eps * (<f64>getF32(s, i) - sigma64(<f64>getF32(a, i)));
        worst = Math.max(worst, Math.abs(<f64>getF32(delta, i) - d));
      }
      const at = "n=" + n.toString();
      expect(worst).toBeLessThanOrEqual(tol, "delta, " + at);
      expect(Math.abs(lp - want)).toBeLessThanOrEqual(<f64>n * LOGPROB_MAX_ABS_ERR_PER_TERM, "log-prob, " + at);
      expect(writtenWords(delta, n, words)).toBe(0, "past n, " + at);
    }
  });
});

describe("delta_rule", () => {
  test("writes logistic_delta's delta vector bit for bit, and nothing past n", () => {
    const inputs = new Inputs(10);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], words = roundUp4(n) + 4;
      const a = alloc(words << 2), s = alloc(words << 2), want = alloc(words << 2), got = alloc(words << 2);
      for (let i = 0; i < n; i++) {
        setF32(a, i, <f32>inputs.between(-90.0, 90.0));
        setF32(s, i, inputs.uniform() < 0.5 ? 1.0 : 0.0);
      }
      logistic_delta(a, s, 0.05, want, n);
      delta_rule(a, s, 0.05, got, n);
      const at = "n=" + n.toString();
      expect(differentWords(got, want, n)).toBe(0, "delta, " + at);
      expect(writtenWords(got, n, words)).toBe(0, "past n, " + at);
    }
  });
});

// Values are multiples of 1/64 in [-8, 8), so every sum is exact in f32 and the checks are exact.
function checkAddToRows(n: i32, stride: i32, inputs: Inputs): void {
  const at = "n=" + n.toString() + " stride=" + stride.toString();
  const cells = ROWS * stride + 4; // and four guard words past the last row
  const delta = alloc((roundUp4(n) + 4) << 2);
  for (let j = 0; j < n; j++) setF32(delta, j, inputs.sixtyFourths());
  for (let t = 0; t < IDX_SETS.length; t++) {
    const set = IDX_SETS[t], count = set.length, idx = alloc(count << 2);
    for (let c = 0; c < count; c++) store<i32>(idx + (<usize>c << 2), set[c]);
    // Pad columns j >= n keep the guard pattern; they must come out unchanged.
    const W = alloc(cells << 2), want = alloc(cells << 2);
    for (let r = 0; r < ROWS; r++) for (let j = 0; j < n; j++) setF32(W, r * stride + j, inputs.sixtyFourths());
    memory.copy(want, W, <usize>cells << 2);
    for (let c = 0; c < count; c++) {
      for (let j = 0; j < n; j++) {
        const cell = set[c] * stride + j;
        setF32(want, cell, <f32>(<f64>getF32(want, cell) + <f64>getF32(delta, j)));
      }
    }
    add_to_rows(W, stride, idx, count, delta, n);
    expect(differentWords(W, want, cells)).toBe(0, at + " count=" + count.toString());
  }
}

describe("add_to_rows", () => {
  test("W[k, :n] += delta for the active rows only; pad columns and other rows untouched", () => {
    const inputs = new Inputs(10);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k];
      checkAddToRows(n, roundUp4(n), inputs);
      checkAddToRows(n, roundUp4(n) + 12, inputs);
    }
  });
});

describe("add_vector", () => {
  test("dst[:n] += delta exactly; nothing past n", () => {
    const inputs = new Inputs(11);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], words = roundUp4(n) + 4;
      const dst = alloc(words << 2), delta = alloc(words << 2), want = alloc(n << 2);
      for (let j = 0; j < n; j++) {
        setF32(dst, j, inputs.sixtyFourths());
        setF32(delta, j, inputs.sixtyFourths());
        setF32(want, j, <f32>(<f64>getF32(dst, j) + <f64>getF32(delta, j)));
      }
      add_vector(dst, delta, n);
      const at = "n=" + n.toString();
      expect(differentWords(dst, want, n)).toBe(0, at);
      expect(writtenWords(dst, n, words)).toBe(0, "past n, " + at);
    }
  });
});

// out[:n] += the listed D rows, in list order; values are multiples of 1/64 as above, so exact.
function checkAddRowSums(n: i32, stride: i32, inputs: Inputs): void {
  const at = "n=" + n.toString() + " stride=" + stride.toString();
  const words = roundUp4(n) + 4, D = alloc((ROWS * stride) << 2);
  for (let r = 0; r < ROWS; r++) for (let j = 0; j < stride; j++) setF32(D, r * stride + j, j < n ? inputs.sixtyFourths() : 1e4);
  for (let t = 0; t < IDX_SETS.length; t++) {
    const set = IDX_SETS[t], count = set.length, idx = alloc(count << 2);
    for (let c = 0; c < count; c++) store<i32>(idx + (<usize>c << 2), set[c]);
    const out = alloc(words << 2), want = alloc(n << 2);
    for (let j = 0; j < n; j++) {
      setF32(out, j, inputs.sixtyFourths());
      let sum = <f64>getF32(out, j);
      for (let c = 0; c < count; c++) sum += <f64>getF32(D, set[c] * stride + j);
      setF32(want, j, <f32>sum);
    }
    add_row_sums(out, D, stride, idx, count, n);
    expect(differentWords(out, want, n)).toBe(0, at + " count=" + count.toString());
    expect(writtenWords(out, n, words)).toBe(0, "past n, " + at);
  }
}

describe("add_row_sums", () => {
  test("out[:n] += the sum of the listed rows of D; nothing past n", () => {
    const inputs = new Inputs(12);
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k];
      checkAddRowSums(n, roundUp4(n), inputs);
      checkAddRowSums(n, roundUp4(n) + 12, inputs);
    }
  });
});
