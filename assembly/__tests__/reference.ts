// Scalar references and test memory shared by the kernel specs: plain loops, f64 Math, no SIMD.

// Sizes that cover one partial block, one full block, several SIMD iterations and the scalar tail.
export const SIZES: StaticArray<i32> = [1, 3, 4, 5, 17, 784];

// Documented error bounds, asserted by logistic.spec.ts and logprob.spec.ts and used as tolerances
// elsewhere. see: assembly/logistic.ts, assembly/logprob.ts
export const LOGISTIC_MAX_ABS_ERR: f64 = 9.0e-8;
export const LOGPROB_MAX_ABS_ERR_PER_TERM: f64 = 1.8e-7;

// Memory a kernel must not write is filled with this byte; a word of it reads as GUARD.
export const GUARD_BYTE: u8 = 0xA5;
export const GUARD: u32 = 0xA5A5A5A5;

export function roundUp4(n: i32): i32 { return (n + 3) & ~3; }

// `bytes` of fresh 16-byte aligned memory, every byte GUARD_BYTE.
export function alloc(bytes: i32): usize {
  const p = heap.alloc(<usize>bytes);
  assert((p & 15) == 0);
  memory.fill(p, GUARD_BYTE, <usize>bytes);
  return p;
}

// How many 32-bit words in [from, to) of p were written (no longer GUARD).
export function writtenWords(p: usize, from: i32, to: i32): i32 {
  let written = 0;
  for (let i = from; i < to; i++) if (load<u32>(p + (<usize>i << 2)) != GUARD) written++;
  return written;
}

// How many of the first n 32-bit words differ between p and q (bit for bit).
export function differentWords(p: usize, q: usize, n: i32): i32 {
  let diff = 0;
  for (let i = 0; i < n; i++) if (load<u32>(p + (<usize>i << 2)) != load<u32>(q + (<usize>i << 2))) diff++;
  return diff;
}

export function getF32(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
export function setF32(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }
export function getI32(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }

// Test inputs, independent of the generator under test: Numerical Recipes' 32-bit LCG
// (x = 1664525 x + 1013904223 mod 2^32), top 24 bits as a uniform in [0, 1).
export class Inputs {
  constructor(private x: u32) {}
  uniform(): f64 {
    this.x = this.x * 1664525 + 1013904223;
    return <f64>(this.x >>> 8) * 5.9604644775390625e-8; // 2^-24
  }
  // A uniform in [lo, hi).
  between(lo: f64, hi: f64): f64 { return lo + (hi - lo) * this.uniform(); }
  // A multiple of 1/64 in [-8, 8): sums of a few of them are exact in f32 and f64.
  sixtyFourths(): f32 { return <f32>(<i32>Math.floor(this.uniform() * 1024.0) - 512) * 0.015625; }
}

// --- Randomness: scalar xoshiro128+, four lanes, same memory layout as assembly/rng.ts ---
// State: 16 u32 at rng, word 4 k + lane holds s_k of that lane.

export const RNG_BYTES: i32 = 64;

// splitmix64 (Vigna), eight outputs stored as little-endian u64 over the 16 words.
export function refSeed(rng: usize, seedLo: u32, seedHi: u32): void {
  let x: u64 = (<u64>seedHi << 32) | <u64>seedLo;
  for (let i = 0; i < 8; i++) {
    x += 0x9E3779B97F4A7C15;
    let z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
    z ^= z >> 31;
    store<u32>(rng + (<usize>(2 * i) << 2), <u32>z);
    store<u32>(rng + (<usize>(2 * i + 1) << 2), <u32>(z >> 32));
  }
}

function word(rng: usize, k: i32, lane: i32): u32 { return load<u32>(rng + (<usize>(4 * k + lane) << 2)); }
function setWord(rng: usize, k: i32, lane: i32, v: u32): void { store<u32>(rng + (<usize>(4 * k + lane) << 2), v); }

// One xoshiro128+ step of one lane (Blackman & Vigna, xoshiro128plus.c); returns s0 + s3.
export function refNextLane(rng: usize, lane: i32): u32 {
  let s0 = word(rng, 0, lane), s1 = word(rng, 1, lane), s2 = word(rng, 2, lane), s3 = word(rng, 3, lane);
  const result = s0 + s3;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  setWord(rng, 0, lane, s0); setWord(rng, 1, lane, s1); setWord(rng, 2, lane, s2); setWord(rng, 3, lane, s3);
  return result;
}

// The uniform of an output: its top 24 bits times 2^-24.
export function refUniform(x: u32): f32 { return <f32>(<f64>(x >>> 8) * 5.9604644775390625e-8); }

// out[i] = the i-th uniform, i < n, drawing ceil(n/4) blocks (one step of every lane per block).
export function refFillUniform(rng: usize, out: usize, n: i32): void {
  for (let b = 0; b < n; b += 4) {
    for (let lane = 0; lane < 4; lane++) {
      const u = refUniform(refNextLane(rng, lane));
      if (b + lane < n) setF32(out, b + lane, u);
    }
  }
}

// Bernoulli sampling as documented in assembly/sample.ts: s[i] = 1 where u[i] < p[i].
// Writes s (f32, n) and idx (i32, increasing), returns the count.
export function refSample(p: usize, n: i32, rng: usize, s: usize, idx: usize): i32 {
  const u = heap.alloc(<usize>roundUp4(n) << 2);
  refFillUniform(rng, u, n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const on = getF32(u, i) < getF32(p, i);
    setF32(s, i, on ? 1.0 : 0.0);
    if (on) { store<i32>(idx + (<usize>count << 2), i); count++; }
  }
  heap.free(u);
  return count;
}

// --- Logistic units ---

// sigma(a) = 1 / (1 + e^-a), in f64 (exp overflow gives the right limit 0).
export function sigma64(a: f64): f64 { return 1.0 / (1.0 + Math.exp(-a)); }

// log P(s | sigma(a)) = -(max(x, 0) + log1p(e^-|x|)), x = a (1 - 2 s), in f64.
export function logBernoulli64(a: f64, s: f64): f64 {
  const x = a * (1.0 - 2.0 * s);
  return -(Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))));
}

// Inputs past the sizes and extremes of the error sweeps: overflow limits of e^x in f32 and
// beyond, the largest f32, and tiny values down to the least subnormal.
export const EXTREMES: StaticArray<f32> = [
  0.0, -0.0, 1e-45, -1e-45, 1.17549435e-38, -1.17549435e-38, 1e-30, -1e-30, 1e-8, -1e-8,
  87.0, -87.0, 88.0, -88.0, 88.7, -88.7, 89.0, -89.0, 90.0, -90.0, 104.0, -104.0,
  1e4, -1e4, 3.4e38, -3.4e38, 3.4028234663852886e38, -3.4028234663852886e38,
];
