import { storeUpTo4 } from "./simd/tail";
import { splatAt } from "./simd/constants";

// Seeded randomness: four independent xoshiro128+ streams, one per f32x4 lane.
// see: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2021), xoshiro128+ 1.0.
// State: 16 u32 at `rng` (16-byte aligned): s0 lanes, s1 lanes, s2 lanes, s3 lanes.

// Seeds the four streams from a 64-bit seed with splitmix64 (the seeding the authors advise).
export function rng_seed(rng: usize, seedLo: u32, seedHi: u32): void {
  let x: u64 = (<u64>seedHi << 32) | <u64>seedLo;
  for (let i = 0; i < 8; i++) {
    x += 0x9E3779B97F4A7C15;
    let z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
    z = z ^ (z >> 31);
    store<u64>(rng + (<usize>i << 3), z);
  }
}

// Advances all four streams once; returns the four xoshiro128+ outputs s0 + s3.
@inline export function next_u32x4(rng: usize): v128 {
  const s0 = v128.load(rng), s1 = v128.load(rng, 16), s2 = v128.load(rng, 32), s3 = v128.load(rng, 48);
  const out = i32x4.add(s0, s3);
  const t = i32x4.shl(s1, 9);
  const n2 = v128.xor(s2, s0);
  const n3 = v128.xor(s3, s1);
  const n1 = v128.xor(s1, n2);
  const n0 = v128.xor(s0, n3);
  v128.store(rng, n0);
  v128.store(rng, n1, 16);
  v128.store(rng, v128.xor(n2, t), 32);
  v128.store(rng, rotl11(n3), 48);
  return out;
}

@inline function rotl11(x: v128): v128 { return v128.or(i32x4.shl(x, 11), i32x4.shr_u(x, 21)); }

// Four uniforms in [0, 1) on the 2^-24 grid: the top 24 bits of each output (the low bits of
// xoshiro128+ are its weak ones), exactly representable in f32. They are below 2^24, so the signed
// conversion (one instruction on x86, where the unsigned one is a sequence) is exact.
@inline export function next_uniform4(rng: usize): v128 {
  return uniformOf(next_u32x4(rng));
}

const UNIT = memory.data<f32>([5.9604644775390625e-8]); // 2^-24

@inline function uniformOf(bits: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(bits, 8)), splatAt(UNIT, 0));
}

// out[i] = the i-th uniform of the stream, i < n; draws ceil(n/4) blocks of four, the same
// blocks as ceil(n/4) calls of next_uniform4, with the state held in registers for the loop.
export function rng_fill_uniform(rng: usize, out: usize, n: i32): void {
  let s0 = v128.load(rng), s1 = v128.load(rng, 16), s2 = v128.load(rng, 32), s3 = v128.load(rng, 48);
  for (let i = 0; i < n; i += 4) {
    const u = uniformOf(i32x4.add(s0, s3));
    const t = i32x4.shl(s1, 9), n2 = v128.xor(s2, s0), n3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, n2); s0 = v128.xor(s0, n3); s2 = v128.xor(n2, t); s3 = rotl11(n3);
    storeUpTo4(out + (<usize>i << 2), u, n - i);
  }
  v128.store(rng, s0); v128.store(rng, s1, 16); v128.store(rng, s2, 32); v128.store(rng, s3, 48);
}

// A uniform integer in [0, bound) from lane 0 of one block (Lemire's multiply-shift; the bias
// is below bound / 2^32).
export function rng_below(rng: usize, bound: u32): u32 {
  const x = <u64>i32x4.extract_lane(next_u32x4(rng), 0) & 0xFFFFFFFF;
  return <u32>((x * <u64>bound) >> 32);
}

// A standard normal from one block by Box-Muller (AssemblyScript's Math, so the same in every runtime).
export function rng_normal(rng: usize): f64 {
  const u = next_uniform4(rng);
  const u1 = 1.0 - <f64>f32x4.extract_lane(u, 0); // (0, 1]
  const u2 = <f64>f32x4.extract_lane(u, 1);
  return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
}
