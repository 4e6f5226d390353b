// Partial loads and stores for the last n % 4 elements, so the tail runs the same lane maths.

// [p[0], .., p[rem-1], 0, ..] for rem in 1..3 (f32 or i32 lanes).
@inline export function loadTail4(p: usize, rem: i32): v128 {
  let v = v128.load32_zero(p);
  if (rem > 1) v = v128.load32_lane(p + 4, v, 1);
  if (rem > 2) v = v128.load32_lane(p + 8, v, 2);
  return v;
}

// The four lanes at p when rem >= 4, else loadTail4(p, rem): a loop's last, possibly partial, vector.
@inline export function loadUpTo4(p: usize, rem: i32): v128 {
  return rem >= 4 ? v128.load(p) : loadTail4(p, rem);
}

// Stores the four lanes of v at p when rem >= 4, else storeTail4(p, v, rem).
@inline export function storeUpTo4(p: usize, v: v128, rem: i32): void {
  if (rem >= 4) v128.store(p, v); else storeTail4(p, v, rem);
}

// Stores lanes 0..rem-1 of v at p, for rem in 1..3.
@inline export function storeTail4(p: usize, v: v128, rem: i32): void {
  v128.store32_lane(p, v, 0);
  if (rem > 1) v128.store32_lane(p + 4, v, 1);
  if (rem > 2) v128.store32_lane(p + 8, v, 2);
}

// Lane mask with lanes 0..rem-1 set.
@inline export function tailMask4(rem: i32): v128 {
  return i32x4.gt_s(i32x4.splat(rem), i32x4(0, 1, 2, 3));
}

// The 4-bit mask of the lanes among the first `rem` (4 or more: all four) of the four 32-bit words
// at p that are nonzero: which of four 0/1 states are on. p: 16-byte aligned, 16 bytes readable.
@inline export function nonzeroMask4(p: usize, rem: i32): i32 {
  const mask = i32x4.bitmask(i32x4.ne(v128.load(p), i32x4.splat(0)));
  return rem >= 4 ? mask : mask & ((1 << rem) - 1);
}
