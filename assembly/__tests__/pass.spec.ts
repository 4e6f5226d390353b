import { bias_plus_rows } from "../pass";
import {
  SIZES, Inputs, alloc, roundUp4, writtenWords, differentWords, getF32, setF32,
} from "./reference";

// Besides SIZES: 12 and 15 = 4-column steps only (and a 3-wide tail); 44 = two 16-column passes
// and three 4-column steps; 47 = the same and a 3-wide tail.
const MORE_SIZES: StaticArray<i32> = [12, 15, 44, 47];
const ROWS = 9;

// Active-row lists: none, the last row alone, and an increasing subset with the first and last.
const IDX_SETS: StaticArray<StaticArray<i32>> = [[], [8], [0, 2, 3, 5, 8]];

// Values are multiples of 1/64 in [-8, 8), so every sum is exact in f32 and the check is exact.
function checkSize(n: i32, stride: i32, inputs: Inputs): void {
  const words = roundUp4(n) + 4, at = "n=" + n.toString() + " stride=" + stride.toString();
  const W = alloc((ROWS * stride) << 2), Wcopy = alloc((ROWS * stride) << 2);
  for (let r = 0; r < ROWS; r++) for (let j = 0; j < n; j++) setF32(W, r * stride + j, inputs.sixtyFourths());
  memory.copy(Wcopy, W, <usize>(ROWS * stride) << 2);
  const bias = alloc(words << 2);
  for (let j = 0; j < n; j++) setF32(bias, j, inputs.sixtyFourths());
  for (let t = 0; t < IDX_SETS.length; t++) {
    const set = IDX_SETS[t], count = set.length, idx = alloc(count << 2);
    for (let c = 0; c < count; c++) store<i32>(idx + (<usize>c << 2), set[c]);
    const out = alloc(words << 2);
    bias_plus_rows(out, bias, W, stride, idx, count, n);
    let wrong = 0;
    for (let j = 0; j < n; j++) {
      let want = <f64>getF32(bias, j);
      for (let c = 0; c < count; c++) want += <f64>getF32(W, set[c] * stride + j);
      if (<f64>getF32(out, j) != want) wrong++;
    }
    const where = at + " count=" + count.toString();
    expect(wrong).toBe(0, where);
    expect(writtenWords(out, n, words)).toBe(0, "out past n, " + where);
    expect(differentWords(W, Wcopy, ROWS * stride)).toBe(0, "W changed, " + where);
    // In place: out == bias.
    const inPlace = alloc(words << 2);
    memory.copy(inPlace, bias, <usize>words << 2);
    bias_plus_rows(inPlace, inPlace, W, stride, idx, count, n);
    expect(differentWords(inPlace, out, words)).toBe(0, "in place, " + where);
  }
}

describe("bias_plus_rows", () => {
  test("out = bias + the active rows of W, exactly; stride n rounded up to 4 and larger", () => {
    const inputs = new Inputs(8);
    for (let k = 0; k < SIZES.length + MORE_SIZES.length; k++) {
      const n = k < SIZES.length ? SIZES[k] : MORE_SIZES[k - SIZES.length];
      checkSize(n, roundUp4(n), inputs);
      checkSize(n, roundUp4(n) + 12, inputs);
    }
  });
});

describe("bias_plus_rows at the edge of the f32 range", () => {
  test("sums past ±F32_MAX clamp to ±F32_MAX, and +Inf + -Inf gives 0, at every size", () => {
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], stride = roundUp4(n);
      const bias = alloc(stride << 2), W = alloc((3 * stride) << 2), idx = alloc(12), out = alloc(stride << 2);
      // Rows 0 and 1 are +3e38 in even columns and -3e38 in odd ones, so their sum overflows;
      // row 2 holds the opposite infinity, so adding it too makes +Inf + -Inf.
      for (let j = 0; j < n; j++) {
        const sign: f32 = (j & 1) == 0 ? 1 : -1;
        setF32(bias, j, 0);
        setF32(W, j, sign * 3e38);
        setF32(W, stride + j, sign * 3e38);
        setF32(W, 2 * stride + j, -sign * <f32>Infinity);
      }
      store<i32>(idx, 0); store<i32>(idx, 1, 4);
      bias_plus_rows(out, bias, W, stride, idx, 2, n);
      let wrong = 0;
      for (let j = 0; j < n; j++) if (getF32(out, j) != ((j & 1) == 0 ? F32.MAX_VALUE : -F32.MAX_VALUE)) wrong++;
      expect(wrong).toBe(0, "overflow, n=" + n.toString());
      store<i32>(idx, 2, 8);
      bias_plus_rows(out, bias, W, stride, idx, 3, n);
      wrong = 0;
      for (let j = 0; j < n; j++) if (getF32(out, j) != 0) wrong++;
      expect(wrong).toBe(0, "Inf - Inf, n=" + n.toString());
    }
  });
});
