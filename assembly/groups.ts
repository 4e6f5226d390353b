// Grouped generative passes ("four Russians"): while the parameters stay fixed for many passes
// (a minibatch phase, the estimators), the units of layer l+1 are taken three at a time and each
// group's subset sums of its Gw[l] rows are tabled. A pass then adds one tabled row per group
// with an active unit, instead of one row per active unit: at activity p, 1 - (1-p)^3 rows per
// group instead of 3p (at p = 0.4, 0.78 against 1.2: 35% fewer adds). Building the tables costs
// four row adds per group, so it pays from a few dozen passes on.
//
// Sums come out in a different order than bias_plus_rows's, so values differ from it by f32
// rounding; they are the same on every run and runtime.
//
// Record at `rec` (i32 words), per layer l < L: [3l] the group table (8 i32 per group: the byte
// address of the tabled row for each 3-bit mask, single rows pointing into Gw[l] itself), [3l+1]
// the sums (rows for masks 3, 5, 6, 7 per group, stride[l] f32 each), [3l+2] a list of
// addresses that a pass fills (n[l+1] i32). The tables are in use while the descriptor's
// word 6 points to the record (groups_build sets it, groups_release clears it).
import { depth, field, ptr, N, STRIDE, GW, GBIAS, ACT, IDX, COUNT } from "./layout";
import { sumRows } from "./simd/rows";

const ACTIVE_WORD = 6;
@inline function align16(x: f64): f64 { return Math.ceil(x / 16) * 16; }
@inline function groupsOf(rows: i32): i32 { return (rows + 2) / 3; }
// k / 3 for any i32 k >= 0, by the multiply-shift of division by a constant.
@inline function third(k: i32): i32 { return <i32>((<u64><u32>k * 0xAAAAAAAB) >> 33); }
@inline function part(rec: usize, l: i32, what: i32): usize { return <usize>load<i32>(rec + (<usize>(3 * l + what) << 2)); }

// Lays out (write) or measures a record at `at`; returns its end.
function place(desc: usize, at: f64, write: bool): f64 {
  const L = depth(desc), rec = <usize>at;
  let p = align16(at + 12 * <f64>L);
  for (let l = 0; l < L; l++) {
    const groups = <f64>groupsOf(field(desc, l + 1, N));
    if (write) store<i32>(rec + (<usize>(3 * l) << 2), <i32><usize>p);
    p += 32 * groups;
    if (write) store<i32>(rec + (<usize>(3 * l + 1) << 2), <i32><usize>p);
    p += 4 * groups * 4 * <f64>field(desc, l, STRIDE);
    if (write) store<i32>(rec + (<usize>(3 * l + 2) << 2), <i32><usize>p);
    p += align16(4 * <f64>field(desc, l + 1, N));
  }
  return p;
}

// Bytes a record for desc needs from a 16-byte aligned address (for the caller's limit check).
export function groups_bytes(desc: usize): f64 { return place(desc, 0, false); }

// Writes the record's pointers at `at` (16-byte aligned, groups_bytes(desc) bytes).
export function groups_layout(desc: usize, at: usize): void { place(desc, <f64>at, true); }

// Tables the parameters in place and puts the record in use: generative passes use it until
// groups_release. The parameters must not change in between.
export function groups_build(desc: usize, rec: usize): void {
  for (let l = 0; l < depth(desc); l++) {
    group_table_build(ptr(desc, l, GW), field(desc, l, STRIDE), field(desc, l + 1, N), part(rec, l, 0), part(rec, l, 1));
  }
  store<i32>(desc, <i32>rec, ACTIVE_WORD << 2);
}

export function groups_release(desc: usize): void { store<i32>(desc, 0, ACTIVE_WORD << 2); }

// Passes a phase must have for building the tables to pay (measured: a build of the [784, 200,
// 50] tables costs about as much as 10-20 direct passes over Gw[0], and saves ~1/3 of each pass).
const MIN_PASSES = 32;

// Builds and puts in use the record `rec` (0: none) when `passes` passes per layer with fixed
// parameters would gain from it; returns whether it did (then the caller releases it, or builds
// it again, before the next pass on changed parameters).
export function groups_begin(desc: usize, rec: usize, passes: f64): bool {
  if (rec == 0 || passes < MIN_PASSES) return false;
  groups_build(desc, rec);
  return true;
}

// The record in use, or 0.
@inline export function groupsActive(desc: usize): usize { return <usize>load<i32>(desc, ACTIVE_WORD << 2); }

// The group table for `rows` rows of stride f32 at W (rows 16-byte aligned, stride a multiple of
// 4): per group of three rows, 8 i32 byte addresses by mask, where masks 1, 2, 4 address the rows
// and masks 3, 5, 6, 7 the sums written at `sums` (4 rows of stride per group: r0 + r1, r0 + r2,
// r1 + r2, (r0 + r1) + r2). A last group of one or two rows gets only the entries it can reach.
export function group_table_build(W: usize, stride: i32, rows: i32, table: usize, sums: usize): void {
  const rowBytes = <usize>stride << 2;
  for (let g = 0; g < groupsOf(rows); g++) {
    const r0 = W + <usize>(3 * g) * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes;
    const s = sums + <usize>(4 * g) * rowBytes, t = table + (<usize>g << 5);
    const has1 = 3 * g + 1 < rows, has2 = 3 * g + 2 < rows;
    store<i32>(t, 0);
    store<i32>(t, <i32>r0, 4);
    store<i32>(t, has1 ? <i32>r1 : 0, 8);
    store<i32>(t, has1 ? <i32>s : 0, 12);
    store<i32>(t, has2 ? <i32>r2 : 0, 16);
    store<i32>(t, has2 ? <i32>(s + rowBytes) : 0, 20);
    store<i32>(t, has2 ? <i32>(s + 2 * rowBytes) : 0, 24);
    store<i32>(t, has2 ? <i32>(s + 3 * rowBytes) : 0, 28);
    if (!has1) continue;
    for (let j: usize = 0; j < rowBytes; j += 16) {
      const v0 = v128.load(r0 + j), v1 = v128.load(r1 + j);
      const v01 = f32x4.add(v0, v1);
      v128.store(s + j, v01);
      if (has2) {
        const v2 = v128.load(r2 + j);
        v128.store(s + rowBytes + j, f32x4.add(v0, v2));
        v128.store(s + 2 * rowBytes + j, f32x4.add(v1, v2));
        v128.store(s + 3 * rowBytes + j, f32x4.add(v01, v2));
      }
    }
  }
}

// out[j] = bias[j] + sum over k in idx of W[k, j], j < n, clamped to the finite f32 range: as
// bias_plus_rows, from a table of group_table_build over W, one tabled row per group met in idx
// (i32, count; any order, each unit once). list: i32 scratch of count.
export function grouped_bias_plus_rows(out: usize, bias: usize, table: usize, idx: usize, count: i32, n: i32, list: usize): void {
  let m = 0, cur = -1, mask = 0;
  for (let c = 0; c < count; c++) {
    const k = load<i32>(idx + (<usize>c << 2)), g = third(k);
    if (g != cur) {
      if (mask != 0) { store<i32>(list + (<usize>m << 2), load<i32>(table + (<usize>cur << 5) + (<usize>mask << 2))); m++; }
      cur = g;
      mask = 0;
    }
    mask |= 1 << (k - 3 * g);
  }
  if (mask != 0) { store<i32>(list + (<usize>m << 2), load<i32>(table + (<usize>cur << 5) + (<usize>mask << 2))); m++; }
  // The list holds byte addresses: rows at 0 + address * 1.
  sumRows(out, bias, 0, 1, list, m, n, true);
}

// act[l] = gb[l] + the sum of Gw[l] rows of the active units of layer l+1, from record `rec`.
export function groupedPass(desc: usize, rec: usize, l: i32): void {
  grouped_bias_plus_rows(ptr(desc, l, ACT), ptr(desc, l, GBIAS), part(rec, l, 0), ptr(desc, l + 1, IDX),
    field(desc, l + 1, COUNT), field(desc, l, N), part(rec, l, 2));
}
