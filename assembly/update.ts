import { exp_neg_abs } from "./logistic";
import { invOnePlus4, logisticFromExp4, logBernoulliFromExp4, accumulate4, sumLanes2 } from "./simd/logistic";
import { loadTail4, storeTail4, tailMask4 } from "./simd/tail";
import { sumRows } from "./simd/rows";

// The delta rule's shared vector: delta[j] = eps (s[j] - sigma(a[j])), j < n; returns
// sum_j log P(s[j] | sigma(a[j])) in nats (the log-probability the update climbs).
// a, s (0.0/1.0), delta: f32 (n). First e^-|a| into delta, in a loop of its own; then from it
// the logistic, the delta and log P, eight units per turn. Fused, one unit's dependent chain
// (exp, two divisions, log1p: ~40 operations) outlasts what the out-of-order window holds, and
// the loop ran latency-bound, 1.3x slower (measured).
export function logistic_delta(a: usize, s: usize, eps: f32, delta: usize, n: i32): f64 {
  exp_neg_abs(a, delta, n);
  let acc0 = f64x2.splat(0.0), acc1 = f64x2.splat(0.0);
  const ev = f32x4.splat(eps);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const lp0 = delta4(v128.load(a + o), v128.load(s + o), ev, delta + o, 4);
    const lp1 = delta4(v128.load(a + o, 16), v128.load(s + o, 16), ev, delta + o + 16, 4);
    acc0 = accumulate4(acc0, lp0);
    acc1 = accumulate4(acc1, lp1);
  }
  for (; i < n; i += 4) {
    const o = <usize>i << 2, rem = n - i;
    const lp = delta4(rem >= 4 ? v128.load(a + o) : loadTail4(a + o, rem), rem >= 4 ? v128.load(s + o) : loadTail4(s + o, rem), ev, delta + o, rem);
    acc0 = accumulate4(acc0, rem >= 4 ? lp : v128.and(lp, tailMask4(rem)));
  }
  return sumLanes2(f64x2.add(acc0, acc1));
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
    const e = rem >= 4 ? v128.load(delta + o) : loadTail4(delta + o, rem);
    storeDelta4(rem >= 4 ? v128.load(a + o) : loadTail4(a + o, rem), rem >= 4 ? v128.load(s + o) : loadTail4(s + o, rem), ev, delta + o, e, rem);
  }
}

// Stores eps (s - sigma(a)) for `rem` lanes (4 or fewer) at delta, from e = e^-|a|.
@inline function storeDelta4(av: v128, sv: v128, ev: v128, delta: usize, e: v128, rem: i32): void {
  const d = f32x4.mul(ev, f32x4.sub(sv, logisticFromExp4(av, e, invOnePlus4(e))));
  if (rem >= 4) v128.store(delta, d); else storeTail4(delta, d, rem);
}

// Stores eps (s - sigma(a)) for `rem` lanes (4 or fewer) at delta; returns the four log P(s | a).
@inline function delta4(av: v128, sv: v128, ev: v128, delta: usize, rem: i32): v128 {
  const e = rem >= 4 ? v128.load(delta) : loadTail4(delta, rem);
  storeDelta4(av, sv, ev, delta, e, rem);
  return logBernoulliFromExp4(av, sv, e);
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
    const d = rem >= 4 ? v128.load(delta + o) : loadTail4(delta + o, rem);
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
