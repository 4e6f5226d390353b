import { loadTail4, storeTail4 } from "./simd/tail";

// Probability pass over binary states: out[j] = bias[j] + sum_{k in idx} W[k, j], j < n.
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
    v128.store(out + o, a0);
    v128.store(out + o, a1, 16);
    v128.store(out + o, a2, 32);
    v128.store(out + o, a3, 48);
  }
  for (; j < n; j += 4) {
    const o = <usize>j << 2, rem = n - j;
    let a = rem >= 4 ? v128.load(bias + o) : loadTail4(bias + o, rem);
    for (let c = 0; c < count; c++) {
      const row = W + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes + o;
      a = f32x4.add(a, rem >= 4 ? v128.load(row) : loadTail4(row, rem));
    }
    if (rem >= 4) v128.store(out + o, a); else storeTail4(out + o, a, rem);
  }
}
