import { loadTail4, storeTail4 } from "./simd/tail";

// An activation as a finite float: sums beyond the f32 range (parameters near ±3.4e38) clamp to
// ±F32_MAX, and the NaN of +Inf + -Inf becomes 0, so every consumer sees a finite activation.
@inline function finite4(a: v128): v128 {
  const clamped = f32x4.pmin(f32x4.pmax(a, f32x4.splat(-3.4028234663852886e38)), f32x4.splat(3.4028234663852886e38));
  return v128.and(clamped, f32x4.eq(a, a));
}

// Probability pass over binary states: out[j] = bias[j] + sum_{k in idx} W[k, j], j < n, clamped
// to the finite f32 range.
// Because the states are 0/1, this is W^T s + bias with adds only, over the active rows.
// out, bias: f32 (n); W: f32 rows of `stride` elements (stride >= n, a multiple of 4, rows
// 16-byte aligned); idx: i32 row indices (count). out may equal bias.
export function bias_plus_rows(out: usize, bias: usize, W: usize, stride: i32, idx: usize, count: i32, n: i32): void {
  const rowBytes = <usize>stride << 2;
  let j = 0;
  // Sixteen columns per pass keep four accumulators in registers across all active rows, so each
  // row costs one index load for four vector adds.
  for (; j + 16 <= n; j += 16) {
    const o = <usize>j << 2;
    let a0 = v128.load(bias + o), a1 = v128.load(bias + o, 16), a2 = v128.load(bias + o, 32), a3 = v128.load(bias + o, 48);
    for (let c = 0; c < count; c++) {
      const row = W + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes + o;
      a0 = f32x4.add(a0, v128.load(row));
      a1 = f32x4.add(a1, v128.load(row, 16));
      a2 = f32x4.add(a2, v128.load(row, 32));
      a3 = f32x4.add(a3, v128.load(row, 48));
    }
    v128.store(out + o, finite4(a0));
    v128.store(out + o, finite4(a1), 16);
    v128.store(out + o, finite4(a2), 32);
    v128.store(out + o, finite4(a3), 48);
  }
  for (; j < n; j += 4) {
    const o = <usize>j << 2, rem = n - j;
    let a = rem >= 4 ? v128.load(bias + o) : loadTail4(bias + o, rem);
    for (let c = 0; c < count; c++) {
      const row = W + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes + o;
      a = f32x4.add(a, rem >= 4 ? v128.load(row) : loadTail4(row, rem));
    }
    if (rem >= 4) v128.store(out + o, finite4(a)); else storeTail4(out + o, finite4(a), rem);
  }
}
