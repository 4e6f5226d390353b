import { rng_fill_uniform } from "./rng";
import { exp_neg_abs } from "./logistic";
import { invOnePlus4, logisticFromExp4, softplusMax4, accumulate4, sumLanes2 } from "./simd/logistic";
import { log1p_sum } from "./logprob";
import { loadUpTo4, storeUpTo4, tailMask4 } from "./simd/tail";
import { one4 } from "./simd/constants";

// Bernoulli sampling. Every sampler first draws ceil(n/4) blocks of four uniforms u into s (one
// block per four units, the generator state in registers), then sets s = 1.0 where u < p, else
// 0.0. It writes the states s (f32, n), writes the indices of the units with s = 1 to idx in
// increasing order, and returns their count. idx (i32) needs room for n rounded up to a multiple
// of 4: the indices are stored four lanes at a time, so up to three words past the count (and
// within that room) may be overwritten. The logistic samplers first fill idx with e^-|a| (f32, n)
// in a loop of their own, and read unit i's there before any index is stored at or past i.

// ACTIVE_LANES[m]: the lanes of the set bits of a 4-bit mask m, packed low (16 x i32x4).
const ACTIVE_LANES = memory.data<i32>([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 1, 2, 0, 0,
  0, 1, 2, 0, 3, 0, 0, 0, 0, 3, 0, 0, 1, 3, 0, 0, 0, 1, 3, 0, 2, 3, 0, 0, 0, 2, 3, 0, 1, 2, 3, 0, 0, 1, 2, 3], 16);

// Appends base + (the set lanes of a 4-bit mask) to idx at count, without branches.
@inline export function emitActive4(mask: i32, base: i32, idx: usize, count: i32): i32 {
  v128.store(idx + (<usize>count << 2), i32x4.add(v128.load(ACTIVE_LANES + (<usize>mask << 4)), i32x4.splat(base)));
  return count + popcnt(mask);
}

// The states of four units from the uniforms in s and the probabilities p: writes them over the
// uniforms and appends the active units; returns the mask of active lanes (tail lanes cleared).
@inline function decide4(s: usize, i: i32, n: i32, p: v128): v128 {
  const o = s + (<usize>i << 2), rem = n - i;
  let on = f32x4.lt(loadUpTo4(o, rem), p);
  if (rem < 4) on = v128.and(on, tailMask4(rem));
  const sv = v128.and(on, one4());
  storeUpTo4(o, sv, rem);
  return on;
}

// The f32s at x from element i on: four, or the n - i left.
@inline function load4(x: usize, i: i32, n: i32): v128 { return loadUpTo4(x + (<usize>i << 2), n - i); }

// s[i] ~ Bernoulli(p[i]), i < n. p: f32 probabilities in [0, 1].
export function sample_bernoulli(p: usize, n: i32, rng: usize, s: usize, idx: usize): i32 {
  rng_fill_uniform(rng, s, n);
  let count = 0;
  for (let i = 0; i < n; i += 4) count = emitActive4(i32x4.bitmask(decide4(s, i, n, load4(p, i, n))), i, idx, count);
  return count;
}

// s[i] ~ Bernoulli(sigma(a[i])), i < n. a: f32 activations.
export function sample_logistic(a: usize, n: i32, rng: usize, s: usize, idx: usize): i32 {
  rng_fill_uniform(rng, s, n);
  exp_neg_abs(a, idx, n);
  let count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a0 = v128.load(a + o), a1 = v128.load(a + o, 16), e0 = v128.load(idx + o), e1 = v128.load(idx + o, 16);
    const p0 = logisticFromExp4(a0, e0, invOnePlus4(e0)), p1 = logisticFromExp4(a1, e1, invOnePlus4(e1));
    count = emitActive4(i32x4.bitmask(decide4(s, i, n, p0)), i, idx, count);
    count = emitActive4(i32x4.bitmask(decide4(s, i + 4, n, p1)), i + 4, idx, count);
  }
  for (; i < n; i += 4) {
    const av = load4(a, i, n), e = load4(idx, i, n);
    count = emitActive4(i32x4.bitmask(decide4(s, i, n, logisticFromExp4(av, e, invOnePlus4(e)))), i, idx, count);
  }
  return count;
}

// As sample_logistic, and also returns sum_i log P(s[i] | sigma(a[i])) in nats (its terms as in
// logprob.ts, the log1p parts summed from e^-|a| before idx is written); the count goes to the i32
// at countOut.
export function sample_logistic_logprob(a: usize, n: i32, rng: usize, s: usize, idx: usize, countOut: usize): f64 {
  rng_fill_uniform(rng, s, n);
  exp_neg_abs(a, idx, n);
  const log1ps = log1p_sum(idx, n);
  let count = 0, i = 0;
  let acc = f64x2.splat(0.0);
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a0 = v128.load(a + o), a1 = v128.load(a + o, 16), e0 = v128.load(idx + o), e1 = v128.load(idx + o, 16);
    const on0 = decide4(s, i, n, logisticFromExp4(a0, e0, invOnePlus4(e0)));
    const on1 = decide4(s, i + 4, n, logisticFromExp4(a1, e1, invOnePlus4(e1)));
    acc = accumulate4(acc, softplusMax4(a0, v128.and(on0, one4())));
    acc = accumulate4(acc, softplusMax4(a1, v128.and(on1, one4())));
    count = emitActive4(i32x4.bitmask(on0), i, idx, count);
    count = emitActive4(i32x4.bitmask(on1), i + 4, idx, count);
  }
  for (; i < n; i += 4) {
    const av = load4(a, i, n), e = load4(idx, i, n);
    const on = decide4(s, i, n, logisticFromExp4(av, e, invOnePlus4(e)));
    acc = accumulate4(acc, softplusMax4(av, v128.and(on, one4()))); // lanes past n: a = 0, s = 0
    count = emitActive4(i32x4.bitmask(on), i, idx, count);
  }
  store<i32>(countOut, count);
  return -(sumLanes2(acc) + log1ps);
}

// s[i] = src[i] for 0/1 bytes src (u8, n); the active indices as above. Sixteen bytes at a time
// while they lie within n, then one at a time.
export function binary_to_states(src: usize, n: i32, s: usize, idx: usize): i32 {
  let count = 0, i = 0;
  for (; i + 16 <= n; i += 16) {
    const bytes = v128.load(src + <usize>i);
    const mask = i8x16.bitmask(i8x16.ne(bytes, i8x16.splat(0)));
    const o = s + (<usize>i << 2);
    const lo = i16x8.extend_low_i8x16_u(bytes), hi = i16x8.extend_high_i8x16_u(bytes);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lo)));
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lo)), 16);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(hi)), 32);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(hi)), 48);
    if (mask != 0) {
      count = emitActive4(mask & 15, i, idx, count);
      count = emitActive4((mask >> 4) & 15, i + 4, idx, count);
      count = emitActive4((mask >> 8) & 15, i + 8, idx, count);
      count = emitActive4(mask >> 12, i + 12, idx, count);
    }
  }
  for (; i < n; i++) {
    const on = load<u8>(src + <usize>i) != 0;
    store<f32>(s + (<usize>i << 2), on ? 1.0 : 0.0);
    if (on) { store<i32>(idx + (<usize>count << 2), i); count++; }
  }
  return count;
}
