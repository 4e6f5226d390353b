import { sumRows } from "./simd/rows";

// Probability pass over binary states: out[j] = bias[j] + sum_{k in idx} W[k, j], j < n, clamped
// to the finite f32 range.
// Because the states are 0/1, this is W^T s + bias with adds only, over the active rows.
// out, bias: f32 (n); W: f32 rows of `stride` elements (stride >= n, a multiple of 4, rows
// 16-byte aligned); idx: i32 row indices (count). out may equal bias.
export function bias_plus_rows(out: usize, bias: usize, W: usize, stride: i32, idx: usize, count: i32, n: i32): void {
  sumRows(out, bias, W, <usize>stride << 2, idx, count, n, true);
}
