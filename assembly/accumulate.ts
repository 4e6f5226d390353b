// Minibatch gradients in the transposed order. The delta rule adds a contribution's delta vector
// to the gradient rows of its active units; done per contribution, every active row is read and
// written back each time. Here the contributions' delta vectors are kept in a buffer, each unit
// lists the contributions it was active in, and a flush adds to each gradient row the sum of its
// listed deltas: one pass over the row per flush, and the deltas come from a compact buffer that
// stays in cache. The gradient is the one of adding the contributions one at a time, up to f32
// rounding: add_row_sums adds them in pairs.
//
// Two sides: P (the wake update of the generative weights: Gw[l] rows belong to the units of layer
// l+1, deltas to layer l) and Q (the updates of the recognition weights: Rw[l] rows belong to the
// units of layer l, deltas to layer l+1). Biases are not buffered: their gradients are one vector
// add per contribution.
//
// Record at `acc` (i32 words): [0] P contributions held, [1] Q contributions held, [2] capacity C,
// [3] L, [4] P spilled, [5] Q spilled (1 if a full buffer was flushed since the side was last
// emptied by a full flush or acc_clear), then per layer l < L three pointers per side:
//   P: delta buffer (C rows of stride[l] f32), list counts (n[l+1] i32), lists (n[l+1] x C i32);
//   Q: delta buffer (C rows of stride[l+1] f32), list counts (n[l] i32), lists (n[l] x C i32).
import { depth, field, ptr, N, STRIDE, IDX, COUNT, GW, RW } from "./layout";
import { add_row_sums } from "./update";

export const SIDE_P = 0;
export const SIDE_Q = 1;
const HEADER = 6;
const SPILLED = 4;
const PER_SIDE = 3;
const DELTAS = 0, COUNTS = 1, LISTS = 2;

@inline function word(acc: usize, w: i32): i32 { return load<i32>(acc + (<usize>w << 2)); }
@inline function setWord(acc: usize, w: i32, v: i32): void { store<i32>(acc + (<usize>w << 2), v); }
@inline function part(acc: usize, side: i32, l: i32, what: i32): usize {
  return <usize>word(acc, HEADER + (l * 2 + side) * PER_SIDE + what);
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
  for (let l = 0; l < L; l++) {
    for (let side = SIDE_P; side <= SIDE_Q; side++) {
      const owners = field(desc, rowLayer(side, l), N);
      const w = HEADER + (l * 2 + side) * PER_SIDE;
      if (write) setWord(base, w + DELTAS, <i32>p);
      p += 4 * <f64>cap * <f64>field(desc, deltaLayer(side, l), STRIDE);
      if (write) setWord(base, w + COUNTS, <i32>p);
      p = align16(p + 4 * <f64>owners);
      if (write) setWord(base, w + LISTS, <i32>p);
      p = align16(p + 4 * <f64>owners * <f64>cap);
    }
  }
  if (write) {
    setWord(base, 0, 0); setWord(base, 1, 0); setWord(base, 2, cap); setWord(base, 3, L);
    setWord(base, SPILLED + SIDE_P, 0); setWord(base, SPILLED + SIDE_Q, 0);
    for (let l = 0; l < L; l++) {
      for (let side = SIDE_P; side <= SIDE_Q; side++) memory.fill(part(base, side, l, COUNTS), 0, <usize>field(desc, rowLayer(side, l), N) << 2);
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

// Lists the contribution being recorded under the active units of layer rowLayer(side, l).
export function acc_note_active(desc: usize, acc: usize, side: i32, l: i32): void {
  const owner = rowLayer(side, l), idx = ptr(desc, owner, IDX), count = field(desc, owner, COUNT);
  const counts = part(acc, side, l, COUNTS), lists = part(acc, side, l, LISTS);
  const c = word(acc, side), cap = <usize>capacity(acc);
  for (let i = 0; i < count; i++) {
    const k = <usize>load<i32>(idx + (<usize>i << 2));
    const at = counts + (k << 2), m = load<i32>(at);
    store<i32>(lists + ((k * cap + <usize>m) << 2), c);
    store<i32>(at, m + 1);
  }
}

// Ends the contribution being recorded on one side.
export function acc_done(acc: usize, side: i32): void {
  setWord(acc, side, word(acc, side) + 1);
}

// Adds the held contributions of one side to the weight gradients at `target` bytes past the
// parameters, and empties that side.
export function acc_flush(desc: usize, acc: usize, side: i32, target: usize): void {
  if (word(acc, side) == 0) return;
  for (let l = 0; l < depth(desc); l++) {
    acc_flush_rows(desc, acc, side, l, 0, rowsOf(desc, side, l), weightsOf(desc, side, l) + target);
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

// Adds the held deltas listed under rows [k0, k1) of the weights of (side, l) to the gradient
// rows of those weights at W (f32 rows of rowBytesOf, 16-byte aligned), and empties those lists.
// (Column blocks over all the rows, to keep a block of the deltas in L1, measured 0.89 of this
// in W2.) The side's held count is left alone: threads flush disjoint rows of every shard's
// accumulator, and each shard's owner then calls acc_clear.
export function acc_flush_rows(desc: usize, acc: usize, side: i32, l: i32, k0: i32, k1: i32, W: usize): void {
  const counts = part(acc, side, l, COUNTS), lists = part(acc, side, l, LISTS), deltas = part(acc, side, l, DELTAS);
  const stride = field(desc, deltaLayer(side, l), STRIDE), n = field(desc, deltaLayer(side, l), N);
  const rowBytes = <usize>stride << 2, listBytes = <usize>capacity(acc) << 2;
  for (let k = k0; k < k1; k++) {
    const m = load<i32>(counts + (<usize>k << 2));
    if (m != 0) add_row_sums(W + <usize>k * rowBytes, deltas, stride, lists + <usize>k * listBytes, m, n);
  }
  memory.fill(counts + (<usize>k0 << 2), 0, <usize>(k1 - k0) << 2);
}

// Whether one side flushed a full buffer into its own gradient block since it was last emptied.
export function acc_spilled(acc: usize, side: i32): bool {
  return word(acc, SPILLED + side) != 0;
}

// Empties one side whose lists have all been flushed (acc_flush_rows).
export function acc_clear(acc: usize, side: i32): void {
  setWord(acc, side, 0);
  setWord(acc, SPILLED + side, 0);
}
