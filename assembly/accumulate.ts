// Minibatch gradients in the transposed order. The delta rule adds a contribution's delta vector
// to the gradient rows of its active units; done per contribution, every active row is read and
// written back each time. Here the contributions' delta vectors are kept in a buffer with their
// active units' indices, and a flush first lists, for each unit, the contributions it was active
// in (a counting sort of the indices into one compact array), then adds to each gradient row the
// sum of its listed deltas: one pass over the row per flush, and the deltas come from a compact
// buffer that stays in cache. The gradient is the one of adding the contributions one at a time,
// up to f32 rounding: add_row_sums adds them in pairs. Where rows meet many contributions, the
// seal also tables subset sums of the deltas four at a time (subsets.ts), and each row then adds
// one tabled sum per group of four instead of one delta per contribution.
//
// Two sides: P (the wake update of the generative weights: Gw[l] rows belong to the units of layer
// l+1, deltas to layer l) and Q (the updates of the recognition weights: Rw[l] rows belong to the
// units of layer l, deltas to layer l+1). Biases are not buffered: their gradients are one vector
// add per contribution.
//
// Record at `acc` (i32 words): [0] P contributions held, [1] Q contributions held, [2] capacity C,
// [3] L, [4] P spilled, [5] Q spilled (1 if a full buffer was flushed since the side was last
// emptied by a full flush or acc_clear), [6] a scratch of G = ceil(C / 4) i32 for the flushing
// thread, then per layer l < L eight words per side, with R the units owning rows (n[l+1] for P,
// n[l] for Q) and S the delta stride (stride[l] for P, stride[l+1] for Q):
//   deltas (C rows of S f32); notes (C x R i32: the contributions' active indices, one after the
//   other); starts (C + 1 i32: contribution c's notes are [starts[c], starts[c+1])); offsets
//   (R + 2 i32: after acc_seal, row k's contributions are lists[offsets[k] .. offsets[k+1]));
//   lists (C x R i32); the subset table (G x 16 i32) and sums (G x 11 rows of S f32) of
//   subsets.ts; and a word that is 1 while the held contributions are tabled (set by acc_seal).
import { depth, field, ptr, N, STRIDE, IDX, COUNT, GW, RW } from "./layout";
import { add_row_sums } from "./update";
import { subset_table_build, add_subset_sums, subset_sums_built, subsetGroups, SUBSET_GROUP, SUBSET_SUMS } from "./subsets";

export const SIDE_P = 0;
export const SIDE_Q = 1;
const HEADER = 7;
const SPILLED = 4;
const SCRATCH = 6;
const PER_SIDE = 8;
const DELTAS = 0, NOTES = 1, STARTS = 2, OFFSETS = 3, LISTS = 4, TABLE = 5, SUMS = 6, TABLED = 7;

@inline function word(acc: usize, w: i32): i32 { return load<i32>(acc + (<usize>w << 2)); }
@inline function setWord(acc: usize, w: i32, v: i32): void { store<i32>(acc + (<usize>w << 2), v); }
// The record word of field `what` of (side, l).
@inline function wordOf(side: i32, l: i32, what: i32): i32 { return HEADER + (l * 2 + side) * PER_SIDE + what; }
@inline function part(acc: usize, side: i32, l: i32, what: i32): usize {
  return <usize>word(acc, wordOf(side, l, what));
}
@inline function capacity(acc: usize): i32 { return word(acc, 2); }
// The layer whose units own the rows (rowLayer) and the layer of the deltas, by side.
@inline function rowLayer(side: i32, l: i32): i32 { return side == SIDE_P ? l + 1 : l; }
@inline function deltaLayer(side: i32, l: i32): i32 { return side == SIDE_P ? l : l + 1; }
@inline function align16(x: f64): f64 { return Math.ceil(x / 16) * 16; }

// Lays out (write) or measures an accumulator of `cap` contributions at `at`; returns its end.
function place(desc: usize, at: f64, cap: i32, write: bool): f64 {
  const L = depth(desc), base = <usize>at;
  let p = align16(at + 4 * <f64>(HEADER + L * 2 * PER_SIDE));
  const groups = <f64>subsetGroups(cap);
  if (write) setWord(base, SCRATCH, <i32>p);
  p = align16(p + 4 * groups);
  for (let l = 0; l < L; l++) {
    for (let side = SIDE_P; side <= SIDE_Q; side++) {
      const owners = field(desc, rowLayer(side, l), N);
      const w = wordOf(side, l, 0);
      if (write) setWord(base, w + DELTAS, <i32>p);
      p += 4 * <f64>cap * <f64>field(desc, deltaLayer(side, l), STRIDE);
      if (write) setWord(base, w + NOTES, <i32>p);
      p = align16(p + 4 * <f64>owners * <f64>cap);
      if (write) setWord(base, w + STARTS, <i32>p);
      p = align16(p + 4 * <f64>(cap + 1));
      if (write) setWord(base, w + OFFSETS, <i32>p);
      p = align16(p + 4 * <f64>(owners + 2));
      if (write) setWord(base, w + LISTS, <i32>p);
      p = align16(p + 4 * <f64>owners * <f64>cap);
      if (write) setWord(base, w + TABLE, <i32>p);
      p += 64 * groups;
      if (write) setWord(base, w + SUMS, <i32>p);
      p += 4 * groups * SUBSET_SUMS * <f64>field(desc, deltaLayer(side, l), STRIDE);
      if (write) setWord(base, w + TABLED, 0);
    }
  }
  if (write) {
    setWord(base, 0, 0); setWord(base, 1, 0); setWord(base, 2, cap); setWord(base, 3, L);
    setWord(base, SPILLED + SIDE_P, 0); setWord(base, SPILLED + SIDE_Q, 0);
    for (let l = 0; l < L; l++) {
      for (let side = SIDE_P; side <= SIDE_Q; side++) {
        store<i32>(part(base, side, l, STARTS), 0);
        memory.fill(part(base, side, l, OFFSETS), 0, <usize>(field(desc, rowLayer(side, l), N) + 2) << 2);
      }
    }
  }
  return p;
}

// Bytes an accumulator of `cap` contributions needs for machine desc (at a 16-byte aligned address).
export function accumulator_bytes(desc: usize, cap: i32): f64 {
  return place(desc, 0, cap, false);
}

// Writes an empty accumulator of `cap` contributions for desc at `at` (16-byte aligned).
export function accumulator_layout(desc: usize, at: usize, cap: i32): void {
  place(desc, <f64>at, cap, true);
}

// Where the delta vector of layer deltaLayer(side, l) goes for the contribution being recorded.
// A full accumulator is flushed into the gradient at `target` bytes past the parameters first.
export function acc_delta_row(desc: usize, acc: usize, side: i32, l: i32, target: usize): usize {
  let held = word(acc, side);
  if (held == capacity(acc)) {
    acc_flush(desc, acc, side, target);
    setWord(acc, SPILLED + side, 1);
    held = 0;
  }
  return part(acc, side, l, DELTAS) + (<usize>held * <usize>field(desc, deltaLayer(side, l), STRIDE) << 2);
}

// Notes the active units of layer rowLayer(side, l) for the contribution being recorded.
export function acc_note_active(desc: usize, acc: usize, side: i32, l: i32): void {
  const owner = rowLayer(side, l), count = field(desc, owner, COUNT);
  const starts = part(acc, side, l, STARTS) + (<usize>word(acc, side) << 2), at = load<i32>(starts);
  memory.copy(part(acc, side, l, NOTES) + (<usize>at << 2), ptr(desc, owner, IDX), <usize>count << 2);
  store<i32>(starts, at + count, 4);
}

// Ends the contribution being recorded on one side.
export function acc_done(acc: usize, side: i32): void {
  setWord(acc, side, word(acc, side) + 1);
}

// Adds the held contributions of one side to the weight gradients at `target` bytes past the
// parameters, and empties that side.
export function acc_flush(desc: usize, acc: usize, side: i32, target: usize): void {
  if (word(acc, side) == 0) return;
  acc_seal(desc, acc, side);
  for (let l = 0; l < depth(desc); l++) {
    acc_flush_rows(desc, acc, side, l, 0, rowsOf(desc, side, l), weightsOf(desc, side, l) + target, acc_scratch(acc));
  }
  acc_clear(acc, side);
}

// The weights whose rows one side's lists of layer l belong to: Gw[l] for P, Rw[l] for Q.
export function weightsOf(desc: usize, side: i32, l: i32): usize {
  return side == SIDE_P ? ptr(desc, l, GW) : ptr(desc, l, RW);
}

// Owners of rows (units of rowLayer(side, l)) for one side's lists of layer l.
export function rowsOf(desc: usize, side: i32, l: i32): i32 {
  return field(desc, rowLayer(side, l), N);
}

// Bytes per row of those weights (the delta layer's stride).
export function rowBytesOf(desc: usize, side: i32, l: i32): usize {
  return <usize>field(desc, deltaLayer(side, l), STRIDE) << 2;
}

// Lists, for each row of each layer of one side, the held contributions it was active in, in
// increasing order: a counting sort of the notes into one compact array, which stays in L1 where
// a list per row with room for every contribution (C x R words) did not. Then, where it pays,
// tables the subset sums of the deltas (tabulate). Call once the side's contributions are all
// recorded, before acc_flush_rows.
export function acc_seal(desc: usize, acc: usize, side: i32): void {
  const held = word(acc, side);
  for (let l = 0; l < depth(desc); l++) {
    const notes = part(acc, side, l, NOTES), starts = part(acc, side, l, STARTS);
    const offsets = part(acc, side, l, OFFSETS), lists = part(acc, side, l, LISTS);
    const total = load<i32>(starts + (<usize>held << 2)), R = rowsOf(desc, side, l);
    // Row k's count at offsets[k + 2], summed to its start there, then moved to offsets[k + 1] as
    // it is filled: afterwards offsets[k] is the start of row k and offsets[k + 1] its end.
    memory.fill(offsets, 0, <usize>(R + 2) << 2);
    for (let i = 0; i < total; i++) {
      const at = offsets + (<usize>(load<i32>(notes + (<usize>i << 2)) + 2) << 2);
      store<i32>(at, load<i32>(at) + 1);
    }
    for (let k = 2; k < R + 2; k++) {
      const at = offsets + (<usize>k << 2);
      store<i32>(at, load<i32>(at) + load<i32>(at - 4));
    }
    for (let c = 0; c < held; c++) {
      for (let i = load<i32>(starts + (<usize>c << 2)), end = load<i32>(starts + (<usize>c << 2), 4); i < end; i++) {
        const at = offsets + (<usize>(load<i32>(notes + (<usize>i << 2)) + 1) << 2), m = load<i32>(at);
        store<i32>(lists + (<usize>m << 2), c);
        store<i32>(at, m + 1);
      }
    }
    tabulate(desc, acc, side, l, held, total);
  }
}

// A tabled sum weighs this many row adds: it is an add and a store per vector, where a row add is
// a load and an add.
const BUILD_WEIGHT = 1.5;
// The subset gather is used when its weighed adds are at most this share of the direct gather's,
// which leaves room for listing the tabled sums of each row.
const TABLE_GAIN = 0.6;

// Tables the subset sums of (side, l)'s `held` contributions (at most 64) when the rows' lookups
// and the building would come to at most TABLE_GAIN of the `notes` row adds of the direct gather;
// records whether it did. Lookups are estimated from the mean activity p = notes / (R held) as R
// groups (1 - (1 - p)^4): an upper bound, since 1 - (1 - p)^4 is concave in each row's p.
function tabulate(desc: usize, acc: usize, side: i32, l: i32, held: i32, notes: i32): void {
  const R = <f64>rowsOf(desc, side, l), p = <f64>notes / (R * <f64>held);
  const lookups = R * <f64>subsetGroups(held) * (1 - Math.pow(1 - p, SUBSET_GROUP));
  const tabled = held <= 64 && lookups + BUILD_WEIGHT * <f64>subset_sums_built(held) <= TABLE_GAIN * <f64>notes;
  if (tabled) subset_table_build(part(acc, side, l, DELTAS), rowBytesOf(desc, side, l), held, part(acc, side, l, TABLE), part(acc, side, l, SUMS));
  setWord(acc, wordOf(side, l, TABLED), tabled ? 1 : 0);
}

// Adds the held deltas listed under rows [k0, k1) of the weights of (side, l) (acc_seal) to the
// gradient rows of those weights at W (f32 rows of rowBytesOf, 16-byte aligned). (Column blocks
// over all the rows, to keep a block of the deltas in L1, measured 0.89 of this in W2.) The side
// is not emptied: threads flush disjoint rows of every shard's accumulator, and each shard's
// owner then calls acc_clear.
export function acc_flush_rows(desc: usize, acc: usize, side: i32, l: i32, k0: i32, k1: i32, W: usize, scratch: usize): void {
  const offsets = part(acc, side, l, OFFSETS), lists = part(acc, side, l, LISTS), deltas = part(acc, side, l, DELTAS);
  const stride = field(desc, deltaLayer(side, l), STRIDE), n = field(desc, deltaLayer(side, l), N);
  const rowBytes = <usize>stride << 2, table = part(acc, side, l, TABLE);
  const tabled = word(acc, wordOf(side, l, TABLED)) != 0, groups = subsetGroups(word(acc, side));
  for (let k = k0; k < k1; k++) {
    const from = load<i32>(offsets + (<usize>k << 2)), m = load<i32>(offsets + (<usize>k << 2), 4) - from;
    if (m == 0) continue;
    const list = lists + (<usize>from << 2), out = W + <usize>k * rowBytes;
    if (tabled) add_subset_sums(out, table, groups, list, m, n, scratch);
    else add_row_sums(out, deltas, stride, list, m, n);
  }
}

// The accumulator's scratch for a thread flushing rows (acc_flush_rows), of any accumulator.
export function acc_scratch(acc: usize): usize { return <usize>word(acc, SCRATCH); }

// Whether one side flushed a full buffer into its own gradient block since it was last emptied.
export function acc_spilled(acc: usize, side: i32): bool {
  return word(acc, SPILLED + side) != 0;
}

// Empties one side whose rows have all been flushed (acc_flush_rows).
export function acc_clear(acc: usize, side: i32): void {
  setWord(acc, side, 0);
  setWord(acc, SPILLED + side, 0);
}
