import { next_uniform4 } from "./rng";
import { expNegAbs4, invOnePlus4, logisticFromExp4, logBernoulliFromExp4, accumulate4, sumLanes2 } from "./simd/logistic";
import { loadTail4, storeTail4, tailMask4 } from "./simd/tail";

// Bernoulli sampling. Every kernel draws one block of four uniforms u per four units (ceil(n/4)
// blocks) and sets s = 1.0 where u < p, else 0.0. It writes the states s (f32, n), appends the
// indices of the units with s = 1 to idx (i32, up to n) in increasing order, and returns their count.

@inline function emitActive(mask: i32, base: i32, idx: usize, count: i32): i32 {
  while (mask != 0) {
    const lane = ctz(mask);
    store<i32>(idx + (<usize>count << 2), base + lane);
    count++;
    mask &= mask - 1;
  }
  return count;
}

// s[i] ~ Bernoulli(p[i]), i < n. p: f32 probabilities in [0, 1].
export function sample_bernoulli(p: usize, n: i32, rng: usize, s: usize, idx: usize): i32 {
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2, rem = n - i;
    const pv = rem >= 4 ? v128.load(p + o) : loadTail4(p + o, rem);
    let on = f32x4.lt(next_uniform4(rng), pv);
    if (rem < 4) on = v128.and(on, tailMask4(rem));
    const sv = v128.and(on, f32x4.splat(1.0));
    if (rem >= 4) v128.store(s + o, sv); else storeTail4(s + o, sv, rem);
    count = emitActive(i32x4.bitmask(on), i, idx, count);
  }
  return count;
}

// s[i] ~ Bernoulli(sigma(a[i])), i < n. a: f32 activations.
export function sample_logistic(a: usize, n: i32, rng: usize, s: usize, idx: usize): i32 {
  let count = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2, rem = n - i;
    const av = rem >= 4 ? v128.load(a + o) : loadTail4(a + o, rem);
    const e = expNegAbs4(av);
    let on = f32x4.lt(next_uniform4(rng), logisticFromExp4(av, e, invOnePlus4(e)));
    if (rem < 4) on = v128.and(on, tailMask4(rem));
    const sv = v128.and(on, f32x4.splat(1.0));
    if (rem >= 4) v128.store(s + o, sv); else storeTail4(s + o, sv, rem);
    count = emitActive(i32x4.bitmask(on), i, idx, count);
  }
  return count;
}

// As sample_logistic, and also returns sum_i log P(s[i] | sigma(a[i])) in nats; the count goes
// to the i32 at countOut.
export function sample_logistic_logprob(a: usize, n: i32, rng: usize, s: usize, idx: usize, countOut: usize): f64 {
  let count = 0;
  let acc = f64x2.splat(0.0);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2, rem = n - i;
    const av = rem >= 4 ? v128.load(a + o) : loadTail4(a + o, rem);
    const e = expNegAbs4(av), inv = invOnePlus4(e);
    let on = f32x4.lt(next_uniform4(rng), logisticFromExp4(av, e, inv));
    if (rem < 4) on = v128.and(on, tailMask4(rem));
    const sv = v128.and(on, f32x4.splat(1.0));
    let lp = logBernoulliFromExp4(av, sv, e, inv);
    if (rem >= 4) v128.store(s + o, sv); else {
      storeTail4(s + o, sv, rem);
      lp = v128.and(lp, tailMask4(rem));
    }
    acc = accumulate4(acc, lp);
    count = emitActive(i32x4.bitmask(on), i, idx, count);
  }
  store<i32>(countOut, count);
  return sumLanes2(acc);
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
    if (mask != 0) count = emitActive(mask, i, idx, count);
  }
  for (; i < n; i++) {
    const on = load<u8>(src + <usize>i) != 0;
    store<f32>(s + (<usize>i << 2), on ? 1.0 : 0.0);
    if (on) { store<i32>(idx + (<usize>count << 2), i); count++; }
  }
  return count;
}
