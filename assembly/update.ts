import { exp_neg_abs } from "./logistic";
import { invOnePlus4, logisticFromExp4, softplusMax4, accumulate4, sumLanes2 } from "./simd/logistic";
import { log1p_sum } from "./logprob";
import { loadTail4, loadUpTo4, storeTail4, storeUpTo4 } from "./simd/tail";
import { sumRows } from "./simd/rows";

// The delta rule's shared vector: delta[j] = eps (s[j] - sigma(a[j])), j < n; returns
// sum_j log P(s[j] | sigma(a[j])) in nats (the log-probability the update climbs; its terms as in
// logprob.ts). a, s (0.0/1.0), delta: f32 (n). First e^-|a| into delta, in a loop of its own, and
// the log1p parts of log P from it; then the logistic, the delta and the rest of log P, eight
// units per turn. Fused, one unit's dependent chain (exp, divisions, log1p: ~40 operations)
// outlasts what the out-of-order window holds, and the loop ran latency-bound, 1.3x slower
// (measured).
export function logistic_delta(a: usize, s: usize, eps: f32, delta: usize, n: i32): f64 {
  exp_neg_abs(a, delta, n);
  const log1ps = log1p_sum(delta, n);
  let acc0 = f64x2.splat(0.0), acc1 = f64x2.splat(0.0);
  const ev = f32x4.splat(eps);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a0 = v128.load(a + o), a1 = v128.load(a + o, 16), s0 = v128.load(s + o), s1 = v128.load(s + o, 16);
    storeDelta4(a0, s0, ev, delta + o, v128.load(delta + o), 4);
    storeDelta4(a1, s1, ev, delta + o + 16, v128.load(delta + o, 16), 4);
    acc0 = accumulate4(acc0, softplusMax4(a0, s0));
    acc1 = accumulate4(acc1, softplusMax4(a1, s1));
  }
  for (; i < n; i += 4) {
    const o = <usize>i << 2, rem = n - i;
    // Lanes past n load as a = 0, s = 0: max(0, 0) adds nothing.
    const av = loadUpTo4(a + o, rem), sv = loadUpTo4(s + o, rem);
    storeDelta4(av, sv, ev, delta + o, loadUpTo4(delta + o, rem), rem);
    acc0 = accumulate4(acc0, softplusMax4(av, sv));
  }
  return -(sumLanes2(f64x2.add(acc0, acc1)) + log1ps);
}

// logistic_delta's delta vector alone, bit for bit, without log P: delta[j] = eps (s[j] -
// sigma(a[j])), j < n (a, s, delta as there), for the updates whose log-probability nobody reads.
export function delta_rule(a: usize, s: usize, eps: f32, delta: usize, n: i32): void {
  exp_neg_abs(a, delta, n);
  const ev = f32x4.splat(eps);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    storeDelta4(v128.load(a + o), v128.load(s + o), ev, delta + o, v128.load(delta + o), 4);
    storeDelta4(v128.load(a + o, 16), v128.load(s + o, 16), ev, delta + o + 16, v128.load(delta + o, 16), 4);
  }
  for (; i < n; i += 4) {
    const o = <usize>i << 2, rem = n - i;
    const e = loadUpTo4(delta + o, rem);
    storeDelta4(loadUpTo4(a + o, rem), loadUpTo4(s + o, rem), ev, delta + o, e, rem);
  }
}

// Stores eps (s - sigma(a)) for `rem` lanes (4 or fewer) at delta, from e = e^-|a|.
@inline function storeDelta4(av: v128, sv: v128, ev: v128, delta: usize, e: v128, rem: i32): void {
  const d = f32x4.mul(ev, f32x4.sub(sv, logisticFromExp4(av, e, invOnePlus4(e))));
  storeUpTo4(delta, d, rem);
}

// Rank-one update on the active rows: W[k, j] += delta[j] for k in idx, j < n; i.e.
// W += s delta^T with s binary. W: f32 rows of `stride` (a multiple of 4, rows 16-byte
// aligned); idx: i32 (count); delta: f32 (n). Sixteen columns at a time with that slice of delta
// held in registers across all active rows, two rows per loop turn (measured ~5-10% faster).
export function add_to_rows(W: usize, stride: i32, idx: usize, count: i32, delta: usize, n: i32): void {
  const rowBytes = <usize>stride << 2, pairs = count & ~1;
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const o = <usize>j << 2, base = W + o;
    const d0 = v128.load(delta + o), d1 = v128.load(delta + o, 16), d2 = v128.load(delta + o, 32), d3 = v128.load(delta + o, 48);
    let c = 0;
    for (; c < pairs; c += 2) {
      add16(base + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes, d0, d1, d2, d3);
      add16(base + <usize>load<i32>(idx + (<usize>c << 2), 4) * rowBytes, d0, d1, d2, d3);
    }
    if (c < count) add16(base + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes, d0, d1, d2, d3);
  }
  for (; j < n; j += 4) {
    const o = <usize>j << 2, rem = n - j;
    const d = loadUpTo4(delta + o, rem);
    for (let c = 0; c < count; c++) {
      const row = W + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes + o;
      if (rem >= 4) v128.store(row, f32x4.add(v128.load(row), d));
      else storeTail4(row, f32x4.add(loadTail4(row, rem), d), rem);
    }
  }
}

@inline function add16(row: usize, d0: v128, d1: v128, d2: v128, d3: v128): void {
  v128.store(row, f32x4.add(v128.load(row), d0));
  v128.store(row, f32x4.add(v128.load(row, 16), d1), 16);
  v128.store(row, f32x4.add(v128.load(row, 32), d2), 32);
  v128.store(row, f32x4.add(v128.load(row, 48), d3), 48);
}

// dst[j] += delta[j], j < n. dst, delta: f32.
export function add_vector(dst: usize, delta: usize, n: i32): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(delta + o)));
    v128.store(dst + o, f32x4.add(v128.load(dst + o, 16), v128.load(delta + o, 16)), 16);
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(delta + o)));
  }
  if (j < n) {
    const o = <usize>j << 2, rem = n - j;
    storeTail4(dst + o, f32x4.add(loadTail4(dst + o, rem), loadTail4(delta + o, rem)), rem);
  }
}

// The rank-one updates of a batch in the transposed order, for one row: out[j] += sum over c in
// idx of D[c, j], j < n, in sumRows16's order. out: f32 (n, 16-byte aligned); D: f32 rows of
// `stride` (a multiple of 4, rows 16-byte aligned); idx: i32 row indices (count).
export function add_row_sums(out: usize, D: usize, stride: i32, idx: usize, count: i32, n: i32): void {
  sumRows(out, out, D, <usize>stride << 2, idx, count, n, false);
}
