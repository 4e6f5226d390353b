// Lane-wise constants, broadcast from a table at the point of use.
//
// V8 11 (Node 20) rebuilt the exp polynomial's v128.consts on every loop turn instead of hoisting
// them, with three instructions each, two of them on the shuffle port (mov r64, imm64; vmovq;
// vpunpcklqdq); from memory, the exp loop alone ran 1.3-1.7x faster. A broadcast load
// (v128.load32_splat, one vbroadcastss) is a single load µop. The values are the same f32s, so
// results are unchanged.

// f32 x at `table` + 4 i, in all four lanes.
@inline export function splatAt(table: usize, i: i32): v128 {
  return v128.load32_splat(table + (<usize>i << 2));
}

const COMMON = memory.data<f32>([1.0, 2.0, -0.0, -3.4028234663852886e38, 3.4028234663852886e38]);
@inline export function one4(): v128 { return splatAt(COMMON, 0); }
@inline export function two4(): v128 { return splatAt(COMMON, 1); }
// The sign bit alone: x | SIGN = -|x|, x ^ SIGN = -x.
@inline export function signBit4(): v128 { return splatAt(COMMON, 2); }
@inline export function minusMaxF32x4(): v128 { return splatAt(COMMON, 3); }
@inline export function maxF32x4(): v128 { return splatAt(COMMON, 4); }
