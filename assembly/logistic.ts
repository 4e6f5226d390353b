import { logistic4, expNegAbs4 } from "./simd/logistic";
import { loadTail4, storeTail4 } from "./simd/tail";

// out[i] = sigma(a[i]) = 1 / (1 + e^-a[i]), i < n. a, out: f32 pointers (out may equal a).
// Max abs error vs. exact sigma: 9.0e-8 (8.93e-8 measured over all f32 in [-90, 90]; spec-tested);
// finite and in [0, 1] for every finite a.
export function logistic_f32(a: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const x0 = v128.load(a + o), x1 = v128.load(a + o, 16);
    v128.store(out + o, logistic4(x0));
    v128.store(out + o, logistic4(x1), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, logistic4(v128.load(a + o)));
  }
  if (i < n) storeTail4(out + (<usize>i << 2), logistic4(loadTail4(a + (<usize>i << 2), n - i)), n - i);
}

// out[i] = e^-|a[i]|, i < n (out may equal a). The kernels that need the exponential and more
// run this loop first: its chains are short enough for the processor to overlap many units.
export function exp_neg_abs(a: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, expNegAbs4(v128.load(a + o)));
  }
  if (i < n) storeTail4(out + (<usize>i << 2), expNegAbs4(loadTail4(a + (<usize>i << 2), n - i)), n - i);
}
