// Grouped generative passes ("four Russians"): while the parameters stay fixed for many passes
// (a minibatch phase, the estimators), the units of layer l+1 are taken four at a time and each
// group's subset sums of its Gw[l] rows are tabled (subsets.ts). A pass then adds one tabled row
// per group with an active unit, instead of one row per active unit: at activity p, 1 - (1-p)^4
// rows per group instead of 4p (at p = 0.5, 0.94 against 2: 53% fewer adds). A group's mask is
// read off four states at once (a lane bitmask), with no branch per unit. Building the tables
// costs eleven row sums per group, so it pays from a few dozen passes on.
//
// Sums come out in a different order than bias_plus_rows's, so values differ from it by f32
// rounding; they are the same on every run and runtime.
//
// Record at `rec` (i32 words), per layer l < L: [3l] the subset table (16 i32 per group: the byte
// address of the tabled row for each 4-bit mask, single rows pointing into Gw[l] itself), [3l+1]
// the sums (11 rows of stride[l] f32 per group), [3l+2] a list of addresses that a pass fills
// (one i32 per group). The tables are in use while the descriptor's word 6 points to the record
// (groups_build sets it, groups_release clears it).
import { depth, field, ptr, N, STRIDE, GW, GBIAS, ACT, STATE } from "./layout";
import { sumRows } from "./simd/rows";
import { nonzeroMask4 } from "./simd/tail";
import { subset_table_build, subsetGroups, SUBSET_SUMS } from "./subsets";

const ACTIVE_WORD = 6;
@inline function align16(x: f64): f64 { return Math.ceil(x / 16) * 16; }
@inline function part(rec: usize, l: i32, what: i32): usize { return <usize>load<i32>(rec + (<usize>(3 * l + what) << 2)); }

// Lays out (write) or measures a record at `at`; returns its end.
function place(desc: usize, at: f64, write: bool): f64 {
  const L = depth(desc), rec = <usize>at;
  let p = align16(at + 12 * <f64>L);
  for (let l = 0; l < L; l++) {
    const groups = <f64>subsetGroups(field(desc, l + 1, N));
    if (write) store<i32>(rec + (<usize>(3 * l) << 2), <i32><usize>p);
    p += 64 * groups;
    if (write) store<i32>(rec + (<usize>(3 * l + 1) << 2), <i32><usize>p);
    p += 4 * groups * SUBSET_SUMS * <f64>field(desc, l, STRIDE);
    if (write) store<i32>(rec + (<usize>(3 * l + 2) << 2), <i32><usize>p);
    p += align16(4 * groups);
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
  for (let l = 0; l < depth(desc); l++) groups_build_rows(desc, rec, l, 0, field(desc, l + 1, N));
  store<i32>(desc, <i32>rec, ACTIVE_WORD << 2);
}

// The part of groups_build for rows [k0, k1) of Gw[l], k0 a multiple of 4 and k1 one too or
// n[l+1]: threads table the rows each of them just stepped (shards.ts).
export function groups_build_rows(desc: usize, rec: usize, l: i32, k0: i32, k1: i32): void {
  const rowBytes = <usize>field(desc, l, STRIDE) << 2, g0 = <usize>(k0 >> 2);
  subset_table_build(ptr(desc, l, GW) + <usize>k0 * rowBytes, rowBytes, k1 - k0, part(rec, l, 0) + (g0 << 6), part(rec, l, 1) + g0 * SUBSET_SUMS * rowBytes);
}

// A view: a record with the tables of another record `shared` but address lists of its own, so
// that shards of desc run grouped passes on one set of tables at once. Lays one out at `at`
// (write) or measures it; returns its end.
function placeView(desc: usize, at: f64, shared: usize, write: bool): f64 {
  const L = depth(desc), rec = <usize>at;
  let p = align16(at + 12 * <f64>L);
  for (let l = 0; l < L; l++) {
    if (write) {
      store<i32>(rec + (<usize>(3 * l) << 2), <i32>part(shared, l, 0));
      store<i32>(rec + (<usize>(3 * l + 1) << 2), <i32>part(shared, l, 1));
      store<i32>(rec + (<usize>(3 * l + 2) << 2), <i32><usize>p);
    }
    p += align16(4 * <f64>subsetGroups(field(desc, l + 1, N)));
  }
  return p;
}

export function groups_view_bytes(desc: usize): f64 { return placeView(desc, 0, 0, false); }
export function groups_view_layout(desc: usize, at: usize, shared: usize): void { placeView(desc, <f64>at, shared, true); }

// Puts `view` (of the record in use on desc) in use on `shard`, a shard of desc (the same
// parameters), if desc has tables in use; else none.
export function groups_share(desc: usize, shard: usize, view: usize): void {
  store<i32>(shard, groupsActive(desc) != 0 ? <i32>view : 0, ACTIVE_WORD << 2);
}

export function groups_release(desc: usize): void { store<i32>(desc, 0, ACTIVE_WORD << 2); }

// Passes a phase must have for building the tables to pay (a build of the [784, 200, 50] tables
// costs about as much as 10-20 direct passes over Gw[0], and saves about half of each pass).
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

// out[j] = bias[j] + sum over active units k of W[k, j], j < n, clamped to the finite f32 range:
// as bias_plus_rows, from a table of subset_table_build over the rows of W, one tabled row per
// group of four units with an active one. states: f32 0/1 of the `units` units (16-byte aligned,
// readable up to a multiple of 4); addresses: i32 scratch of one per group.
export function grouped_bias_plus_rows(out: usize, bias: usize, table: usize, states: usize, units: i32, n: i32, addresses: usize): void {
  let m = 0;
  for (let g = 0, groups = subsetGroups(units); g < groups; g++) {
    const mask = nonzeroMask4(states + (<usize>g << 4), units - 4 * g);
    store<i32>(addresses + (<usize>m << 2), load<i32>(table + (<usize>g << 6) + (<usize>mask << 2)));
    m += mask != 0 ? 1 : 0;
  }
  // The list holds byte addresses: rows at 0 + address * 1.
  sumRows(out, bias, 0, 1, addresses, m, n, true);
}

// act[l] = gb[l] + the sum of Gw[l] rows of the active units of layer l+1, from record `rec`.
export function groupedPass(desc: usize, rec: usize, l: i32): void {
  grouped_bias_plus_rows(ptr(desc, l, ACT), ptr(desc, l, GBIAS), part(rec, l, 0), ptr(desc, l + 1, STATE),
    field(desc, l + 1, N), field(desc, l, N), part(rec, l, 2));
}
