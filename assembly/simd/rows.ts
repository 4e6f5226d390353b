import { loadTail4, storeTail4 } from "./tail";
import { minusMaxF32x4, maxF32x4 } from "./constants";

// Sums of index-selected rows, the loop shared by the probability pass and the gathered update.

// An activation as a finite float: sums beyond the f32 range (parameters near ±3.4e38) clamp to
// ±F32_MAX, and the NaN of +Inf + -Inf becomes 0, so every consumer sees a finite activation.
@inline export function finite4(a: v128): v128 {
  const clamped = f32x4.pmin(f32x4.pmax(a, minusMaxF32x4()), maxF32x4());
  return v128.and(clamped, f32x4.eq(a, a));
}

// dst[j] = init[j] + sum over c < count of W[idx[c], j], j < n (finite4 applied when `clamp`), for
// f32 rows of `rowBytes` at W: sixteen columns at a time, then four (or fewer) at a time.
@inline export function sumRows(dst: usize, init: usize, W: usize, rowBytes: usize, idx: usize, count: i32, n: i32, clamp: bool): void {
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const o = <usize>j << 2;
    sumRows16(dst + o, init + o, W + o, rowBytes, idx, count, clamp);
  }
  for (; j < n; j += 4) {
    const o = <usize>j << 2;
    sumRowsTail(dst + o, init + o, W + o, rowBytes, idx, count, n - j, clamp);
  }
}

// dst[0..16) = init[0..16) + sum over c < count of the 16 floats at base + idx[c] * rowBytes
// (finite4 applied when `clamp`). Four accumulators stay in registers across the rows, and rows
// come in pairs added to each other first, which halves the dependent adds on each accumulator
// (measured ~10% faster than one row at a time). f32 sums, so the order is fixed: init + (r0 + r1)
// + (r2 + r3) + ... + the odd last row.
@inline function sumRows16(dst: usize, init: usize, base: usize, rowBytes: usize, idx: usize, count: i32, clamp: bool): void {
  let a0 = v128.load(init), a1 = v128.load(init, 16), a2 = v128.load(init, 32), a3 = v128.load(init, 48);
  const pairs = count & ~1;
  let c = 0;
  for (; c < pairs; c += 2) {
    const r0 = base + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes;
    const r1 = base + <usize>load<i32>(idx + (<usize>c << 2), 4) * rowBytes;
    a0 = f32x4.add(a0, f32x4.add(v128.load(r0), v128.load(r1)));
    a1 = f32x4.add(a1, f32x4.add(v128.load(r0, 16), v128.load(r1, 16)));
    a2 = f32x4.add(a2, f32x4.add(v128.load(r0, 32), v128.load(r1, 32)));
    a3 = f32x4.add(a3, f32x4.add(v128.load(r0, 48), v128.load(r1, 48)));
  }
  if (c < count) {
    const r = base + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes;
    a0 = f32x4.add(a0, v128.load(r));
    a1 = f32x4.add(a1, v128.load(r, 16));
    a2 = f32x4.add(a2, v128.load(r, 32));
    a3 = f32x4.add(a3, v128.load(r, 48));
  }
  if (clamp) { a0 = finite4(a0); a1 = finite4(a1); a2 = finite4(a2); a3 = finite4(a3); }
  v128.store(dst, a0);
  v128.store(dst, a1, 16);
  v128.store(dst, a2, 32);
  v128.store(dst, a3, 48);
}

// As sumRows16 for the `rem` floats (1 to 4) at each address, in the same order.
@inline function sumRowsTail(dst: usize, init: usize, base: usize, rowBytes: usize, idx: usize, count: i32, rem: i32, clamp: bool): void {
  const full = rem >= 4;
  let a = full ? v128.load(init) : loadTail4(init, rem);
  const pairs = count & ~1;
  let c = 0;
  for (; c < pairs; c += 2) {
    const r0 = base + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes;
    const r1 = base + <usize>load<i32>(idx + (<usize>c << 2), 4) * rowBytes;
    a = f32x4.add(a, f32x4.add(full ? v128.load(r0) : loadTail4(r0, rem), full ? v128.load(r1) : loadTail4(r1, rem)));
  }
  if (c < count) {
    const r = base + <usize>load<i32>(idx + (<usize>c << 2)) * rowBytes;
    a = f32x4.add(a, full ? v128.load(r) : loadTail4(r, rem));
  }
  if (clamp) a = finite4(a);
  if (full) v128.store(dst, a); else storeTail4(dst, a, rem);
}
