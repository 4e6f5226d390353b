// Subset sums of held contributions ("four Russians" over a minibatch's delta rows). A gathered
// gradient row is the sum of the deltas of the contributions its unit was active in. With the
// contributions taken four at a time and every subset sum of each four tabled, a row adds one
// tabled sum per group it meets instead of one delta per contribution: at activity p,
// 1 - (1-p)^4 adds per group instead of 4p (at p = 0.5, 0.94 against 2). The table costs eleven
// row sums per group, so it pays when there are many rows per contribution (accumulate.ts
// decides). Sums come out in a different order than add_row_sums's, so gradients differ from it
// by f32 rounding only.
import { sumRows } from "./simd/rows";

export const SUBSET_GROUP = 4;
// Tabled sums per group: the masks of two or more of the four contributions.
export const SUBSET_SUMS = 11;

export function subsetGroups(held: i32): i32 { return (held + SUBSET_GROUP - 1) / SUBSET_GROUP; }

// Sums subset_table_build writes for `held` contributions: 2^c - 1 - c for a group of c.
export function subset_sums_built(held: i32): i32 {
  if (held == 0) return 0;
  const groups = subsetGroups(held), last = held - SUBSET_GROUP * (groups - 1);
  return (groups - 1) * SUBSET_SUMS + (1 << last) - 1 - last;
}

// Slot of mask m (two or more bits, m < 16) among a group's sums: 3 -> 0, 5 -> 1, .., 15 -> 10.
@inline function slot(m: i32): i32 { return m - 33 + clz<i32>(m); }

// The subset table of `held` contributions' delta rows at `deltas` (rows of rowBytes, a multiple
// of 16; rows 16-byte aligned): per group g of contributions 4g .. 4g+3, 16 i32 at table + 64g,
// the byte address of the sum of the contributions in mask m (0 for m = 0 and for masks beyond
// the contributions held; the delta row itself for one bit; a row at sums + (11g + slot(m)) x
// rowBytes otherwise, written here as sum(m without its highest bit) + delta(highest bit)).
export function subset_table_build(deltas: usize, rowBytes: usize, held: i32, table: usize, sums: usize): void {
  for (let g = 0; g < subsetGroups(held); g++) {
    const count = min(SUBSET_GROUP, held - SUBSET_GROUP * g), t = table + (<usize>g << 6);
    for (let m = 0; m < 16; m++) {
      const at: usize = m == 0 || m >= 1 << count ? 0
        : popcnt<i32>(m) == 1 ? deltas + <usize>(SUBSET_GROUP * g + ctz<i32>(m)) * rowBytes
        : sums + <usize>(SUBSET_SUMS * g + slot(m)) * rowBytes;
      store<i32>(t + (<usize>m << 2), <i32>at);
    }
    if (count == SUBSET_GROUP) {
      fullGroupSums(deltas + <usize>(SUBSET_GROUP * g) * rowBytes, rowBytes, sums + <usize>(SUBSET_SUMS * g) * rowBytes);
      continue;
    }
    for (let m = 3; m < 1 << count; m++) {
      if (popcnt<i32>(m) == 1) continue;
      const high = 1 << (31 - clz<i32>(m));
      const dst = <usize>load<i32>(t + (<usize>m << 2));
      const a = <usize>load<i32>(t + (<usize>(m ^ high) << 2)), b = <usize>load<i32>(t + (<usize>high << 2));
      for (let j: usize = 0; j < rowBytes; j += 16) v128.store(dst + j, f32x4.add(v128.load(a + j), v128.load(b + j)));
    }
  }
}

// The eleven sums of a group of four delta rows at d (rows of rowBytes), in slot order at s, each
// as subset_table_build defines it; the four deltas of a column slice are read once and the sums
// built from each other in registers (measured 2x faster than a pass per sum).
@inline function fullGroupSums(d: usize, rowBytes: usize, s: usize): void {
  for (let j: usize = 0; j < rowBytes; j += 16) {
    const d0 = v128.load(d + j), d1 = v128.load(d + rowBytes + j), d2 = v128.load(d + 2 * rowBytes + j), d3 = v128.load(d + 3 * rowBytes + j);
    const s3 = f32x4.add(d0, d1), s5 = f32x4.add(d0, d2), s6 = f32x4.add(d1, d2), s7 = f32x4.add(s3, d2);
    let q = s + j;
    v128.store(q, s3); q += rowBytes;
    v128.store(q, s5); q += rowBytes;
    v128.store(q, s6); q += rowBytes;
    v128.store(q, s7); q += rowBytes;
    v128.store(q, f32x4.add(d0, d3)); q += rowBytes;
    v128.store(q, f32x4.add(d1, d3)); q += rowBytes;
    v128.store(q, f32x4.add(s3, d3)); q += rowBytes;
    v128.store(q, f32x4.add(d2, d3)); q += rowBytes;
    v128.store(q, f32x4.add(s5, d3)); q += rowBytes;
    v128.store(q, f32x4.add(s6, d3)); q += rowBytes;
    v128.store(q, f32x4.add(s7, d3));
  }
}

// out[j] += sum over c in list of delta row c, j < n, from a table of subset_table_build over at
// most 64 contributions: one tabled sum per group met, added in sumRows's order. list: i32
// contribution numbers (count, each below 64); addresses: i32 scratch of `groups` (the table's).
// The list becomes a 64-bit set, whose nibbles are the groups' masks: no branch per entry.
export function add_subset_sums(out: usize, table: usize, groups: i32, list: usize, count: i32, n: i32, addresses: usize): void {
  let set: u64 = 0;
  for (let i = 0; i < count; i++) set |= (<u64>1) << <u64>load<i32>(list + (<usize>i << 2));
  let m = 0;
  for (let g = 0; g < groups; g++) {
    const mask = <i32>(set >> (<u64>g << 2)) & 15;
    store<i32>(addresses + (<usize>m << 2), load<i32>(table + (<usize>g << 6) + (<usize>mask << 2)));
    m += mask != 0 ? 1 : 0;
  }
  // The list holds byte addresses: rows at 0 + address * 1.
  sumRows(out, out, 0, 1, addresses, m, n, false);
}
