// Data-parallel minibatch training over shards (layout.ts): each worker thread runs wake_rows and
// sleep_rows (trainer.ts) on its own shard for a fixed slice of the batch, summing gradients into
// the shard's block; reduce_shards then sums the blocks into the machine's gradient block in shard
// order, and trainer_apply_slice applies them. The result depends on the seed and the shard count only.
import { rngOf, params_begin, gradOffset } from "./layout";
import { rng_seed, next_u32x4 } from "./rng";

// Seeds shard's rng from one block of desc's (so a machine's seed fixes its shards' streams).
export function seed_shard(desc: usize, shard: usize): void {
  const bits = next_u32x4(rngOf(desc));
  rng_seed(rngOf(shard), <u32>i32x4.extract_lane(bits, 0), <u32>i32x4.extract_lane(bits, 1));
}

// grad(desc)[i] = sum over s < count of grad(shards[s])[i], in shard order, then the shards'
// entries are zeroed; i over the parameter floats [from, to), from and to multiples of 4. The
// machine's own block is zero here (every optimiser step zeroes it), so it is written, not read.
// shards: i32 shard descriptors (count >= 1).
export function reduce_shards(desc: usize, shards: usize, count: i32, from: i32, to: i32): void {
  const begin = params_begin(desc) + (<usize>from << 2), end = params_begin(desc) + (<usize>to << 2);
  const target = gradOffset(desc), zero = f32x4.splat(0.0);
  for (let p = begin; p < end; p += 16) {
    const first = p + gradOffset(<usize>load<i32>(shards));
    let sum = v128.load(first);
    v128.store(first, zero);
    for (let s = 1; s < count; s++) {
      const g = p + gradOffset(<usize>load<i32>(shards + (<usize>s << 2)));
      sum = f32x4.add(sum, v128.load(g));
      v128.store(g, zero);
    }
    v128.store(p + target, sum);
  }
}
