// Online steps with the wake updates of Gw[0] deferred over blocks of four steps, and each step's
// two passes over Gw[0] sharing their common rows.
//
// Deferral. The delta rule adds a step's delta d_u to the Gw[0] rows of the active units A_u of
// layer 1: about half of that layer's rows, each read and written back. Here up to four steps'
// deltas wait, and every pass over Gw[0] in the meantime sees them exactly: the rows of the pass's
// active set A sum to sum_{k in A} Gw[0][k] + sum_u |A ∩ A_u| d_u, the same value as with the
// updates applied, in another f32 order. Before the step after the fourth, the block is applied
// from subset sums of its deltas (subsets.ts): each row adds the one tabled sum of the deltas of
// the steps it was active in, at 50% activity 0.94 row updates per row for four steps against 2.
//
// Shared passes. A step passes over Gw[0] twice: in the wake phase for the recognised layer 1 (A)
// and in the sleep phase for the dreamed one (A'). The dream above layer 0 needs only the updates
// of the layers above, and the wake update of layer 0 draws no random numbers, so the dream of
// layers L..1 is drawn first, with the random stream in the same order as one phase after the
// other. Then the rows of A ∩ A' are summed once for both passes: |A ∪ A'| rows instead of
// |A| + |A'| (at 50% activity, 150 against 200 of 200).
//
// Record at `rec`: [0] i32 updates waiting (0..4), then 16-byte aligned: the deltas (4 rows of
// stride[0] f32), the subset table (16 i32), its sums (11 rows of stride[0] f32), the shared sum
// (stride[0] f32), the active sets (5 bitsets of W = ceil(n[1] / 64) u64: one per waiting update,
// then the pass's), the wake's states of layer 1 (stride[1] f32), the lists of the units in both
// samples, the wake's only and the dream's only (3 x (stride[1] + 4) i32) and their counts (4
// i32), and for applying a block the rows' masks (n[1] i32), the rows sorted by mask (n[1] i32)
// and where each mask's rows start (17 i32). It is in use while the descriptor's word 7 points to
// it.
import { depth, field, ptr, N, STRIDE, STATE, GW, GBIAS, ACT, DELTA } from "./layout";
import { recognize_sample, wakeLayer, dreamLayer, sampleLayer, updateQ, deltaRule, LOG2E } from "./machine";
import { add_to_rows, add_vector } from "./update";
import { emitActive4 } from "./sample";
import { sumRows } from "./simd/rows";
import { loadTail4, storeTail4, nonzeroMask4 } from "./simd/tail";
import { subset_table_build, SUBSET_GROUP, SUBSET_SUMS } from "./subsets";

const ACTIVE_WORD = 7;
// Layer 1 needs this many units for the deferral to pay (fewer: the bookkeeping outweighs it).
const MIN_UNITS = 32;
@inline function align16(x: usize): usize { return (x + 15) & ~15; }
@inline function words(desc: usize): i32 { return (field(desc, 1, N) + 63) >> 6; }
@inline function rowBytes(desc: usize): usize { return <usize>field(desc, 0, STRIDE) << 2; }
@inline function listBytes(desc: usize): usize { return <usize>(field(desc, 1, STRIDE) + 4) << 2; }
@inline function deltas(rec: usize): usize { return align16(rec + 4); }
@inline function table(desc: usize, rec: usize): usize { return deltas(rec) + <usize>SUBSET_GROUP * rowBytes(desc); }
@inline function sums(desc: usize, rec: usize): usize { return table(desc, rec) + 64; }
@inline function shared(desc: usize, rec: usize): usize { return sums(desc, rec) + <usize>SUBSET_SUMS * rowBytes(desc); }
@inline function setOf(desc: usize, rec: usize, u: i32): usize { return shared(desc, rec) + rowBytes(desc) + (<usize>(u * words(desc)) << 3); }
@inline function wakeStates(desc: usize, rec: usize): usize { return align16(setOf(desc, rec, SUBSET_GROUP + 1)); }
@inline function lists(desc: usize, rec: usize): usize { return wakeStates(desc, rec) + (<usize>field(desc, 1, STRIDE) << 2); }
@inline function counts(desc: usize, rec: usize): usize { return lists(desc, rec) + 3 * listBytes(desc); }
@inline function masks(desc: usize, rec: usize): usize { return counts(desc, rec) + 16; }
@inline function sorted(desc: usize, rec: usize): usize { return masks(desc, rec) + (<usize>field(desc, 1, N) << 2); }
@inline function starts(desc: usize, rec: usize): usize { return sorted(desc, rec) + (<usize>field(desc, 1, N) << 2); }

// Bytes a record for desc needs from a 16-byte aligned address; 0 when desc does not defer.
export function deferred_bytes(desc: usize): f64 {
  if (depth(desc) < 1 || field(desc, 1, N) < MIN_UNITS) return 0;
  return <f64>(starts(desc, 0) + 17 * 4);
}

// Steps per block: the online trainer starts blocks at multiples of this in an epoch, so that
// where its calls begin and end does not change the result.
export function deferred_block(): i32 { return SUBSET_GROUP; }

// Puts an empty record at `rec` (deferred_bytes(desc) bytes, 16-byte aligned; 0: none) in use.
export function deferred_begin(desc: usize, rec: usize): void {
  if (rec != 0) store<i32>(rec, 0);
  store<i32>(desc, <i32>rec, ACTIVE_WORD << 2);
}

// Applies the waiting updates and takes the record out of use.
export function deferred_end(desc: usize): void {
  const rec = <usize>load<i32>(desc, ACTIVE_WORD << 2);
  if (rec != 0) applyWaiting(desc, rec);
  store<i32>(desc, 0, ACTIVE_WORD << 2);
}

// One online step on the row in layer 0, as wake_step then sleep_step (machine.ts) up to f32
// rounding: the same samples from the same random stream. Returns the wake description length
// in bits, or 0 without `dl`.
export function deferred_step(desc: usize, rec: usize, eps: f32, dl: bool): f64 {
  if (load<i32>(rec) == SUBSET_GROUP) applyWaiting(desc, rec);
  const L = depth(desc), n0 = field(desc, 0, N), n1 = field(desc, 1, N);
  const logQ = recognize_sample(desc, dl);
  let logP = 0.0;
  for (let l = L; l >= 1; l--) logP += wakeLayer(desc, l, eps, 0, 0, dl);
  const wake = wakeStates(desc, rec), dream = ptr(desc, 1, STATE);
  memory.copy(wake, dream, <usize>field(desc, 1, STRIDE) << 2);
  for (let l = L; l >= 1; l--) dreamLayer(desc, l);
  // The rows of both samples, then each sample's own.
  const both = lists(desc, rec), wakeOnly = both + listBytes(desc), dreamOnly = wakeOnly + listBytes(desc);
  const count = counts(desc, rec);
  splitActive(wake, dream, n1, both, wakeOnly, dreamOnly, count);
  const X = shared(desc, rec), W = ptr(desc, 0, GW), bytes = rowBytes(desc);
  memory.fill(X, 0, bytes);
  sumRows(X, X, W, bytes, both, load<i32>(count), n0, false);
  // Wake, layer 0: act = (gb + the waiting deltas by overlap) + X + the wake's own rows. The
  // wake's bitset goes straight into the slot of this step's update.
  const act = ptr(desc, 0, ACT), delta = ptr(desc, 0, DELTA), gb = ptr(desc, 0, GBIAS);
  const wakeSet = setOf(desc, rec, load<i32>(rec));
  toBitset(wake, n1, wakeSet);
  passInit(desc, rec, act, gb, wakeSet, n0, X);
  sumRows(act, act, W, bytes, wakeOnly, load<i32>(count, 4), n0, true);
  logP += deltaRule(act, ptr(desc, 0, STATE), eps, delta, n0, dl);
  add_vector(gb, delta, n0);
  deferUpdate(desc, rec, delta);
  // Sleep, layer 0, the same way for the dream, whose waiting deltas now include this step's.
  const dreamSet = setOf(desc, rec, SUBSET_GROUP);
  toBitset(dream, n1, dreamSet);
  passInit(desc, rec, act, gb, dreamSet, n0, X);
  sumRows(act, act, W, bytes, dreamOnly, load<i32>(count, 8), n0, true);
  sampleLayer(desc, 0);
  updateQ(desc, eps, 0, 0);
  return (logQ - logP) * LOG2E;
}

// act = gb + sum_u |A ∩ A_u| d_u over the waiting updates u (A: the bitset of the pass's active
// units of layer 1), + X.
function passInit(desc: usize, rec: usize, act: usize, gb: usize, A: usize, n: i32, X: usize): void {
  memory.copy(act, gb, <usize>n << 2);
  for (let u = 0, waiting = load<i32>(rec); u < waiting; u++) {
    const c = <f32>overlap(A, setOf(desc, rec, u), words(desc));
    if (c != 0) scaledAdd(act, deltas(rec) + <usize>u * rowBytes(desc), c, n);
  }
  add_vector(act, X, n);
}

// Lists the units on in both 0/1 state vectors a and b (n units, readable to a multiple of 4), in
// a only and in b only, increasing (each list with room for n + 4 i32); their counts go to the
// three i32 at `count`.
function splitActive(a: usize, b: usize, n: i32, both: usize, aOnly: usize, bOnly: usize, count: usize): void {
  let cb = 0, ca = 0, cd = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2, ma = nonzeroMask4(a + o, n - i), mb = nonzeroMask4(b + o, n - i);
    cb = emitActive4(ma & mb, i, both, cb);
    ca = emitActive4(ma & ~mb, i, aOnly, ca);
    cd = emitActive4(mb & ~ma, i, bOnly, cd);
  }
  store<i32>(count, cb);
  store<i32>(count, ca, 4);
  store<i32>(count, cd, 8);
}

// Defers the wake update of Gw[0] by `delta` (f32, n[0]) on the units whose bitset the caller
// wrote into the next waiting slot.
function deferUpdate(desc: usize, rec: usize, delta: usize): void {
  const u = load<i32>(rec);
  memory.copy(deltas(rec) + <usize>u * rowBytes(desc), delta, rowBytes(desc));
  store<i32>(rec, u + 1);
}

// Gw[0][k] += the tabled sum of the waiting deltas of the steps k was active in, for every k: the
// rows sorted by that mask (a counting sort), then each mask's sum added to its rows by
// add_to_rows, which holds a slice of the sum in registers across them.
function applyWaiting(desc: usize, rec: usize): void {
  const waiting = load<i32>(rec);
  if (waiting == 0) return;
  const t = table(desc, rec), units = field(desc, 1, N), m = masks(desc, rec), order = sorted(desc, rec), at = starts(desc, rec);
  subset_table_build(deltas(rec), rowBytes(desc), waiting, t, sums(desc, rec));
  memory.fill(at, 0, 17 * 4);
  for (let k = 0; k < units; k++) {
    let mask = 0;
    for (let u = 0; u < waiting; u++) mask |= <i32>((load<u64>(setOf(desc, rec, u) + (<usize>(k >> 6) << 3)) >> <u64>(k & 63)) & 1) << u;
    store<i32>(m + (<usize>k << 2), mask);
    const c = at + (<usize>(mask + 1) << 2);
    store<i32>(c, load<i32>(c) + 1);
  }
  for (let mask = 1; mask <= 16; mask++) store<i32>(at + (<usize>mask << 2), load<i32>(at + (<usize>mask << 2)) + load<i32>(at + (<usize>(mask - 1) << 2)));
  for (let k = 0; k < units; k++) {
    const c = at + (<usize>load<i32>(m + (<usize>k << 2)) << 2), p = load<i32>(c);
    store<i32>(order + (<usize>p << 2), k);
    store<i32>(c, p + 1);
  }
  // starts[mask] now holds where mask's rows end, which is where mask + 1's begin.
  const n = field(desc, 0, N), stride = field(desc, 0, STRIDE), W = ptr(desc, 0, GW);
  for (let mask = 1; mask < 1 << waiting; mask++) {
    const from = load<i32>(at + (<usize>(mask - 1) << 2)), to = load<i32>(at + (<usize>mask << 2));
    if (to > from) add_to_rows(W, stride, order + (<usize>from << 2), to - from, <usize>load<i32>(t + (<usize>mask << 2)), n);
  }
  store<i32>(rec, 0);
}

// The bitset (W u64) of the units with state 1 among n 0/1 f32 states (readable to a multiple of 4).
function toBitset(s: usize, n: i32, bits: usize): void {
  memory.fill(bits, 0, <usize>((n + 63) >> 6) << 3);
  for (let i = 0; i < n; i += 4) {
    const nibble = nonzeroMask4(s + (<usize>i << 2), n - i);
    const at = bits + (<usize>(i >> 6) << 3);
    store<u64>(at, load<u64>(at) | (<u64>nibble << <u64>(i & 63)));
  }
}

// |a ∩ b| for bitsets of w u64.
function overlap(a: usize, b: usize, w: i32): i32 {
  let c: i64 = 0;
  for (let i = 0; i < w; i++) c += popcnt<i64>(load<i64>(a + (<usize>i << 3)) & load<i64>(b + (<usize>i << 3)));
  return <i32>c;
}

// dst[j] += c x src[j], j < n (f32, 16-byte aligned).
function scaledAdd(dst: usize, src: usize, c: f32, n: i32): void {
  const cv = f32x4.splat(c);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(cv, v128.load(src + o))));
  }
  if (j < n) {
    const o = <usize>j << 2, rem = n - j;
    storeTail4(dst + o, f32x4.add(loadTail4(dst + o, rem), f32x4.mul(cv, loadTail4(src + o, rem))), rem);
  }
}
