// Data-parallel minibatch training over shards (layout.ts): each batch is cut into U fixed slices,
// one per shard (fit() uses one shard per thread), and worker threads claim the shards of a phase
// one at a time, running wake_rows or sleep_rows (trainer.ts) on a shard's slice with the shard's
// own random stream and holding the gradients in its accumulator (accumulate.ts); shards_step then
// has every thread gather its slice of the parameters from all shards, in shard order, and apply
// the optimiser step to it. The result depends on the seed and the shard count only, not on which
// thread ran which shard. One thread may also step desc as its own only shard (trainer.ts).
import { depth, field, rngOf, params_begin, q_begin, gradOffset, STRIDE, GBIAS, RBIAS } from "./layout";
import { rng_seed, next_u32x4 } from "./rng";
import { acc_flush_rows, acc_scratch, acc_spilled, weightsOf, rowsOf, rowBytesOf, SIDE_P, SIDE_Q } from "./accumulate";
import { trainer_acc, trainer_apply_slice, SOURCE_WAKE_P } from "./trainer";
import { groupsActive, groups_build_rows } from "./groups";

// Weight rows are gathered and stepped in tiles of about this many bytes, which stay in L1.
const TILE_BYTES: usize = 16384;

// Seeds shard's rng from one block of desc's (so a machine's seed fixes its shards' streams).
export function seed_shard(desc: usize, shard: usize): void {
  const bits = next_u32x4(rngOf(desc));
  rng_seed(rngOf(shard), <u32>i32x4.extract_lane(bits, 0), <u32>i32x4.extract_lane(bits, 1));
}

// Thread t of T's part of one optimiser step of `source` (trainer.ts) on desc with trainer record
// tr, after each of the U shards recorded its slice of a phase of `rows` rows (wake_rows, sleep_rows).
// list: i32 x 2U, the shard descriptors, then their trainer records. Every tensor of the source's
// region is cut into T slices, of rows (multiples of four) for weights and of 4-float blocks for
// biases. Thread t gathers slice t from every shard in shard order, straight into desc's gradient
// block (which the previous step left zero), then applies the step to it while it is in cache;
// in a wake-P step with grouped-pass tables in use on the shards (groups.ts), it tables the rows
// of Gw it just stepped. A shard's bias gradients, and its weight rows if its accumulator
// spilled, come from its gradient block, which is zeroed as it is read (desc itself as a shard:
// they are in place already). Each shard's accumulator is emptied (trainer_acc_clear) before its
// next phase.
export function shards_step(desc: usize, tr: usize, list: usize, U: i32, T: i32, t: i32, source: i32, rows: i32, steps: f64): void {
  const side = source == SOURCE_WAKE_P ? SIDE_P : SIDE_Q;
  const region = source == SOURCE_WAKE_P ? params_begin(desc) : q_begin(desc);
  const go = gradOffset(desc), L = depth(desc);
  const tables = side == SIDE_P ? groupsActive(shardAt(list, 0)) : 0;
  // This thread's scratch for listing tabled sums: in shard t's accumulator (U >= T).
  const scratch = acc_scratch(trainer_acc(<usize>load<i32>(list + (<usize>(U + t) << 2))));
  for (let l = 0; l < L; l++) {
    const W = weightsOf(desc, side, l), R = rowsOf(desc, side, l), rowBytes = rowBytesOf(desc, side, l);
    const tile = max<i32>(4, <i32>(TILE_BYTES / rowBytes) & ~3);
    for (let k = cut4(R, t, T), k1 = cut4(R, t + 1, T); k < k1; k += tile) {
      const end = min(k + tile, k1), from = W + <usize>k * rowBytes, to = W + <usize>end * rowBytes;
      for (let s = 0; s < U; s++) {
        const shard = shardAt(list, s), acc = trainer_acc(<usize>load<i32>(list + (<usize>(U + s) << 2)));
        if (acc_spilled(acc, side) && shard != desc) take(from + go, from + gradOffset(shard), to - from);
        acc_flush_rows(shard, acc, side, l, k, end, W + go, scratch);
      }
      step(desc, tr, source, rows, region, from, to, steps);
      if (tables != 0) groups_build_rows(desc, tables, l, k, end);
    }
  }
  for (let l = side == SIDE_P ? 0 : 1; l <= L; l++) {
    const blocks = field(desc, l, STRIDE) >> 2;
    const b = <usize>field(desc, l, side == SIDE_P ? GBIAS : RBIAS);
    const from = b + (<usize>cut(blocks, t, T) << 4), to = b + (<usize>cut(blocks, t + 1, T) << 4);
    if (from == to) continue;
    for (let s = 0; s < U; s++) {
      const shard = shardAt(list, s);
      if (shard != desc) take(from + go, from + gradOffset(shard), to - from);
    }
    step(desc, tr, source, rows, region, from, to, steps);
  }
}

@inline function shardAt(list: usize, s: i32): usize { return <usize>load<i32>(list + (<usize>s << 2)); }

// Part t of T of [0, n): [cut(n, t, T), cut(n, t + 1, T)).
@inline function cut(n: i32, t: i32, T: i32): i32 { return <i32>((<i64>n * <i64>t) / <i64>T); }
// The same in whole groups of four (the last may be short).
@inline function cut4(n: i32, t: i32, T: i32): i32 { return min(n, cut((n + 3) >> 2, t, T) << 2); }

// dst += src, then src = 0, over `bytes` (a multiple of 16, both 16-byte aligned).
function take(dst: usize, src: usize, bytes: usize): void {
  const zero = f32x4.splat(0.0);
  for (let o: usize = 0; o < bytes; o += 16) {
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    v128.store(src + o, zero);
  }
}

// The step on the parameters [from, to) (byte addresses in the source's region starting at `region`).
@inline function step(desc: usize, tr: usize, source: i32, rows: i32, region: usize, from: usize, to: usize, steps: f64): void {
  trainer_apply_slice(desc, tr, source, rows, <i32>((from - region) >> 2), <i32>((to - region) >> 2), steps);
}
