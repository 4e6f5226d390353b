import { subset_table_build, add_subset_sums, subset_sums_built, subsetGroups } from "../subsets";
import { add_row_sums } from "../update";
import { SIZES, Inputs, alloc, roundUp4, writtenWords, differentWords, getF32, setF32 } from "./reference";

// Contributions held: one partial group of each size (1, 2, 3), a full one, one past it, 17, and
// the accumulator's most (64).
const HELD: StaticArray<i32> = [1, 2, 3, 4, 5, 17, 64];

// Lists (increasing): every contribution, the last only, every third, and a random half.
function lists(held: i32, inputs: Inputs): Array<Array<i32>> {
  const all = new Array<i32>(), thirds = new Array<i32>(), half = new Array<i32>();
  for (let c = 0; c < held; c++) {
    all.push(c);
    if (c % 3 == 0) thirds.push(c);
    if (inputs.uniform() < 0.5) half.push(c);
  }
  return [all, [held - 1], thirds, half];
}

// Values are multiples of 1/64 in [-8, 8), and at most 64 of them are summed, so every sum is exact
// in f32 whatever its order: the subset gather must equal add_row_sums bit for bit.
function checkShape(n: i32, held: i32, inputs: Inputs): void {
  const stride = roundUp4(n), rowBytes = stride << 2, groups = subsetGroups(held);
  const at = "n=" + n.toString() + " held=" + held.toString();
  const deltas = alloc(held * rowBytes), copy = alloc(held * rowBytes);
  for (let c = 0; c < held; c++) for (let j = 0; j < stride; j++) setF32(deltas, c * stride + j, j < n ? inputs.sixtyFourths() : 0);
  memory.copy(copy, deltas, <usize>(held * rowBytes));
  const table = alloc(groups << 6), sums = alloc((11 * groups * stride + 4) << 2);
  subset_table_build(deltas, rowBytes, held, table, sums);
  expect(writtenWords(sums, 11 * groups * stride, 11 * groups * stride + 4)).toBe(0, "sums past the end, " + at);
  expect(differentWords(deltas, copy, held * stride)).toBe(0, "deltas changed, " + at);
  const sets = lists(held, inputs);
  for (let t = 0; t < sets.length; t++) {
    const set = sets[t], count = set.length, list = alloc((count + 1) << 2), addresses = alloc((groups + 1) << 2);
    for (let i = 0; i < count; i++) store<i32>(list + (<usize>i << 2), set[i]);
    const want = alloc((stride + 4) << 2), got = alloc((stride + 4) << 2);
    for (let j = 0; j < stride; j++) { const v = inputs.sixtyFourths(); setF32(want, j, v); setF32(got, j, v); }
    add_row_sums(want, deltas, stride, list, count, n);
    add_subset_sums(got, table, groups, list, count, n, addresses);
    const where = at + " list=" + t.toString() + " count=" + count.toString();
    expect(differentWords(got, want, n)).toBe(0, where);
    expect(writtenWords(got, stride, stride + 4)).toBe(0, "out past the row, " + where);
    expect(writtenWords(addresses, groups, groups + 1)).toBe(0, "addresses past the groups, " + where);
  }
}

describe("add_subset_sums", () => {
  test("equals add_row_sums for every group size and list, at every size", () => {
    const inputs = new Inputs(23);
    for (let k = 0; k < SIZES.length; k++) {
      for (let h = 0; h < HELD.length; h++) checkShape(SIZES[k], HELD[h], inputs);
    }
  });

  test("an empty list leaves the row as it was", () => {
    const deltas = alloc(4 << 2), table = alloc(64), sums = alloc(11 << 4), out = alloc(4 << 2), addresses = alloc(4);
    for (let j = 0; j < 4; j++) { setF32(deltas, j, 1); setF32(out, j, <f32>j); }
    subset_table_build(deltas, 16, 1, table, sums);
    add_subset_sums(out, table, 1, 0, 0, 4, addresses);
    for (let j = 0; j < 4; j++) expect(getF32(out, j)).toBe(<f32>j);
  });
});

describe("subset_table_build", () => {
  test("each mask addresses the sum of its contributions; singles are the delta rows; masks past those held are 0", () => {
    const stride = 8, rowBytes = stride << 2;
    for (let held = 1; held <= 6; held++) {
      const groups = subsetGroups(held), deltas = alloc(held * rowBytes), table = alloc(groups << 6), sums = alloc(11 * groups * rowBytes);
      for (let c = 0; c < held; c++) for (let j = 0; j < stride; j++) setF32(deltas, c * stride + j, <f32>((c + 1) * 100 + j));
      subset_table_build(deltas, rowBytes, held, table, sums);
      for (let g = 0; g < groups; g++) {
        const inGroup = min(4, held - 4 * g);
        for (let mask = 0; mask < 16; mask++) {
          const row = <usize>load<i32>(table + (<usize>g << 6) + (<usize>mask << 2));
          const where = "held " + held.toString() + " group " + g.toString() + " mask " + mask.toString();
          if (mask == 0 || mask >= 1 << inGroup) { expect(row).toBe(0, where); continue; }
          if (popcnt<i32>(mask) == 1) expect(row).toBe(deltas + <usize>(4 * g + ctz<i32>(mask)) * rowBytes, where);
          for (let j = 0; j < stride; j++) {
            let want: f32 = 0;
            for (let b = 0; b < 4; b++) if ((mask >> b) & 1) want += getF32(deltas, (4 * g + b) * stride + j);
            expect(load<f32>(row + (<usize>j << 2))).toBe(want, where);
          }
        }
      }
    }
  });

  test("subset_sums_built counts the sums of two or more contributions: 2^c - 1 - c per group of c", () => {
    const want: StaticArray<i32> = [0, 0, 1, 4, 11, 11, 12, 15, 22];
    for (let held = 0; held < want.length; held++) expect(subset_sums_built(held)).toBe(want[held], "held " + held.toString());
    expect(subset_sums_built(64)).toBe(16 * 11);
  });
});
