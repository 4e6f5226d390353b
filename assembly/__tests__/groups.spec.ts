import { group_table_build, grouped_bias_plus_rows } from "../groups";
import { bias_plus_rows } from "../pass";
import { SIZES, Inputs, alloc, roundUp4, writtenWords, differentWords, getF32, setF32 } from "./reference";

// Row counts: one group of 1, 2 and 3 rows, a full group and a partial one (4, 5), and 3 x 3.
const ROW_COUNTS: StaticArray<i32> = [1, 2, 3, 4, 5, 9];

// Active lists: none, the last row, every row, every row backwards, and an unordered subset
// (of 2, 6, 0, 4, 1, 8: below `rows`) that meets group 0 twice with disjoint masks.
const MIXED: StaticArray<i32> = [2, 6, 0, 4, 1, 8];
function activeSets(rows: i32): Array<Array<i32>> {
  const all = new Array<i32>(), backwards = new Array<i32>(), mixed = new Array<i32>();
  for (let k = 0; k < rows; k++) { all.push(k); backwards.unshift(k); }
  for (let i = 0; i < MIXED.length; i++) if (MIXED[i] < rows) mixed.push(MIXED[i]);
  return [[], [rows - 1], all, backwards, mixed];
}

// Values are multiples of 1/64 in [-8, 8), so every sum is exact in f32 whatever its order: the
// grouped pass must equal bias_plus_rows bit for bit.
function checkShape(n: i32, rows: i32, inputs: Inputs): void {
  const stride = roundUp4(n), words = stride + 4, groups = (rows + 2) / 3;
  const at = "n=" + n.toString() + " rows=" + rows.toString();
  const W = alloc((rows * stride) << 2), Wcopy = alloc((rows * stride) << 2);
  for (let r = 0; r < rows; r++) for (let j = 0; j < stride; j++) setF32(W, r * stride + j, j < n ? inputs.sixtyFourths() : 0);
  memory.copy(Wcopy, W, <usize>(rows * stride) << 2);
  const bias = alloc(words << 2);
  for (let j = 0; j < n; j++) setF32(bias, j, inputs.sixtyFourths());
  const table = alloc(groups << 5), sums = alloc((4 * groups * stride + 4) << 2);
  group_table_build(W, stride, rows, table, sums);
  expect(writtenWords(sums, 4 * groups * stride, 4 * groups * stride + 4)).toBe(0, "sums past the end, " + at);
  expect(differentWords(W, Wcopy, rows * stride)).toBe(0, "W changed, " + at);
  const sets = activeSets(rows);
  for (let t = 0; t < sets.length; t++) {
    const set = sets[t], count = set.length, idx = alloc((count + 1) << 2), list = alloc((count + 1) << 2);
    for (let c = 0; c < count; c++) store<i32>(idx + (<usize>c << 2), set[c]);
    const want = alloc(words << 2), got = alloc(words << 2);
    bias_plus_rows(want, bias, W, stride, idx, count, n);
    grouped_bias_plus_rows(got, bias, table, idx, count, n, list);
    const where = at + " set=" + t.toString() + " count=" + count.toString();
    expect(differentWords(got, want, n)).toBe(0, where);
    expect(writtenWords(got, n, words)).toBe(0, "out past n, " + where);
    expect(writtenWords(list, count, count + 1)).toBe(0, "list past count, " + where);
  }
}

describe("grouped_bias_plus_rows", () => {
  test("equals bias_plus_rows for every row count, active set and order, at every size", () => {
    const inputs = new Inputs(11);
    for (let k = 0; k < SIZES.length; k++) {
      for (let r = 0; r < ROW_COUNTS.length; r++) checkShape(SIZES[k], ROW_COUNTS[r], inputs);
    }
  });

  test("each group's sums are its rows' sums, and its table addresses them by mask", () => {
    const stride = 8, rows = 3, W = alloc((rows * stride) << 2), table = alloc(32), sums = alloc((4 * stride) << 2);
    for (let r = 0; r < rows; r++) for (let j = 0; j < stride; j++) setF32(W, r * stride + j, <f32>((r + 1) * 100 + j));
    group_table_build(W, stride, rows, table, sums);
    // mask -> the rows it holds: 1 {0}, 2 {1}, 3 {0,1}, 4 {2}, 5 {0,2}, 6 {1,2}, 7 {0,1,2}.
    for (let mask = 1; mask < 8; mask++) {
      const row = <usize>load<i32>(table + (<usize>mask << 2));
      for (let j = 0; j < stride; j++) {
        let want: f32 = 0;
        for (let r = 0; r < rows; r++) if ((mask >> r) & 1) want += getF32(W, r * stride + j);
        expect(load<f32>(row + (<usize>j << 2))).toBe(want, "mask " + mask.toString());
      }
    }
  });
});
