import { grouped_bias_plus_rows } from "../groups";
import { subset_table_build, subsetGroups } from "../subsets";
import { bias_plus_rows } from "../pass";
import { SIZES, Inputs, alloc, roundUp4, writtenWords, differentWords, setF32, getI32 } from "./reference";

// Row counts: one group of 1, 2 and 3 rows, a full group, one past it, and 2 and 4 full groups plus one row.
const ROW_COUNTS: StaticArray<i32> = [1, 2, 3, 4, 5, 9, 17];

// Active sets: none, the last row, every row, every other row, and a fixed mixed subset
// (of 2, 6, 0, 4, 1, 8, 16: below `rows`), which meets group 0 with three units and group 1 with one.
const MIXED: StaticArray<i32> = [2, 6, 0, 4, 1, 8, 16];
function activeSets(rows: i32): Array<Array<i32>> {
  const all = new Array<i32>(), other = new Array<i32>(), mixed = new Array<i32>();
  for (let k = 0; k < rows; k++) { all.push(k); if (k % 2 == 1) other.push(k); }
  for (let k = 0; k < rows; k++) for (let i = 0; i < MIXED.length; i++) if (MIXED[i] == k) mixed.push(k);
  return [[], [rows - 1], all, other, mixed];
}

// Values are multiples of 1/64 in [-8, 8), so every sum is exact in f32 whatever its order: the
// grouped pass must equal bias_plus_rows bit for bit. The states past `rows` (up to a multiple of
// 4) are set to 1, which the pass must ignore.
function checkShape(n: i32, rows: i32, inputs: Inputs): void {
  const stride = roundUp4(n), words = stride + 4, groups = subsetGroups(rows), units = roundUp4(rows);
  const at = "n=" + n.toString() + " rows=" + rows.toString();
  const W = alloc((rows * stride) << 2), Wcopy = alloc((rows * stride) << 2);
  for (let r = 0; r < rows; r++) for (let j = 0; j < stride; j++) setF32(W, r * stride + j, j < n ? inputs.sixtyFourths() : 0);
  memory.copy(Wcopy, W, <usize>(rows * stride) << 2);
  const bias = alloc(words << 2);
  for (let j = 0; j < n; j++) setF32(bias, j, inputs.sixtyFourths());
  const table = alloc(groups << 6), sums = alloc((11 * groups * stride) << 2);
  subset_table_build(W, <usize>stride << 2, rows, table, sums);
  expect(differentWords(W, Wcopy, rows * stride)).toBe(0, "W changed, " + at);
  const sets = activeSets(rows);
  for (let t = 0; t < sets.length; t++) {
    const set = sets[t], count = set.length, idx = alloc((count + 1) << 2), states = alloc(units << 2), addresses = alloc((groups + 1) << 2);
    for (let k = 0; k < units; k++) setF32(states, k, k < rows ? 0 : 1);
    for (let c = 0; c < count; c++) { store<i32>(idx + (<usize>c << 2), set[c]); setF32(states, set[c], 1); }
    const want = alloc(words << 2), got = alloc(words << 2);
    bias_plus_rows(want, bias, W, stride, idx, count, n);
    grouped_bias_plus_rows(got, bias, table, states, rows, n, addresses);
    const where = at + " set=" + t.toString() + " count=" + count.toString();
    expect(differentWords(got, want, n)).toBe(0, where);
    expect(writtenWords(got, n, words)).toBe(0, "out past n, " + where);
    expect(writtenWords(addresses, groups, groups + 1)).toBe(0, "addresses past the groups, " + where);
  }
}

describe("grouped_bias_plus_rows", () => {
  test("equals bias_plus_rows for every row count and active set, at every size", () => {
    const inputs = new Inputs(11);
    for (let k = 0; k < SIZES.length; k++) {
      for (let r = 0; r < ROW_COUNTS.length; r++) checkShape(SIZES[k], ROW_COUNTS[r], inputs);
    }
  });
});

// Threads table the rows each of them stepped (groups_build_rows, shards.ts): a table built in
// ranges of whole groups, each from its own first row, table slot and sums, must be the table
// built at once: the same sums, and the same addresses (single rows point into W itself).
function checkRanges(n: i32, rows: i32, inputs: Inputs): void {
  const stride = roundUp4(n), rowBytes = <usize>stride << 2, groups = subsetGroups(rows);
  const W = alloc((rows * stride) << 2);
  for (let i = 0; i < rows * stride; i++) setF32(W, i, inputs.sixtyFourths());
  const whole = alloc(groups << 6), wholeSums = alloc((11 * groups * stride) << 2);
  subset_table_build(W, rowBytes, rows, whole, wholeSums);
  // Ranges [0, 4 split) and [4 split, rows), for every split at a group boundary.
  for (let split = 0; split <= groups; split++) {
    const table = alloc(groups << 6), sums = alloc((11 * groups * stride) << 2), k = min(rows, 4 * split);
    subset_table_build(W, rowBytes, k, table, sums);
    subset_table_build(W + <usize>k * rowBytes, rowBytes, rows - k, table + (<usize>split << 6), sums + <usize>(11 * split) * rowBytes);
    const at = "n=" + n.toString() + " rows=" + rows.toString() + " split=" + split.toString();
    // Sums' addresses are compared as offsets into their own buffer.
    let differ = 0;
    for (let i = 0; i < groups * 16; i++) {
      const got = <usize>getI32(table, i), want = <usize>getI32(whole, i);
      const inSums = got >= sums && got < sums + <usize>(11 * groups) * rowBytes;
      differ += (inSums ? got - sums + wholeSums : got) != want ? 1 : 0;
    }
    expect(differ).toBe(0, "table, " + at);
    expect(differentWords(sums, wholeSums, 11 * groups * stride)).toBe(0, "sums, " + at);
  }
}

describe("subset tables built in ranges of groups", () => {
  test("equal the table built at once, at every size and row count", () => {
    const inputs = new Inputs(13);
    for (let k = 0; k < SIZES.length; k++) {
      for (let r = 0; r < ROW_COUNTS.length; r++) checkRanges(SIZES[k], ROW_COUNTS[r], inputs);
    }
  });
});
