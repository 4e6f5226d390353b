import { rng_seed, rng_fill_uniform } from "../rng";
import {
  SIZES, RNG_BYTES, alloc, roundUp4, writtenWords, differentWords, getF32,
  refSeed, refFillUniform,
} from "./reference";

const SEEDS_LO: StaticArray<u32> = [0, 1, 0xDEADBEEF, 0xFFFFFFFF, 42];
const SEEDS_HI: StaticArray<u32> = [0, 0, 0x12345678, 0xFFFFFFFF, 0];

describe("rng_seed", () => {
  test("fills the 16 state words with splitmix64's first eight outputs", () => {
    for (let k = 0; k < SEEDS_LO.length; k++) {
      const rng = alloc(RNG_BYTES + 16), ref = alloc(RNG_BYTES);
      rng_seed(rng, SEEDS_LO[k], SEEDS_HI[k]);
      refSeed(ref, SEEDS_LO[k], SEEDS_HI[k]);
      expect(differentWords(rng, ref, 16)).toBe(0, "seed " + k.toString());
      expect(writtenWords(rng, 16, 20)).toBe(0, "past the state, seed " + k.toString());
    }
  });

  test("known answer: seed 0 gives splitmix64's 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4", () => {
    const rng = alloc(RNG_BYTES);
    rng_seed(rng, 0, 0);
    expect(load<u64>(rng)).toBe(0xE220A8397B1DCDAF);
    expect(load<u64>(rng, 8)).toBe(0x6E789E6AA1B965F4);
  });
});

describe("rng_fill_uniform", () => {
  test("equals four scalar xoshiro128+ lanes, ceil(n/4) blocks, at every size", () => {
    for (let k = 0; k < SIZES.length; k++) {
      const n = SIZES[k], words = roundUp4(n) + 4;
      const rng = alloc(RNG_BYTES), ref = alloc(RNG_BYTES);
      const out = alloc(words << 2), want = alloc(n << 2);
      rng_seed(rng, 7, 3);
      memory.copy(ref, rng, RNG_BYTES);
      // Two calls, so the second starts where the first left its state (partial blocks discarded).
      for (let call = 0; call < 2; call++) {
        rng_fill_uniform(rng, out, n);
        refFillUniform(ref, want, n);
        const at = "n=" + n.toString() + " call " + call.toString();
        expect(differentWords(out, want, n)).toBe(0, at);
        expect(differentWords(rng, ref, 16)).toBe(0, "state, " + at);
        expect(writtenWords(out, n, words)).toBe(0, "past n, " + at);
      }
    }
  });

  test("uniforms lie on the 2^-24 grid in [0, 1), with mean 1/2", () => {
    const n = 784, calls = 64;
    const rng = alloc(RNG_BYTES), out = alloc(n << 2);
    rng_seed(rng, 123, 0);
    let offGrid = 0, outside = 0, sum = 0.0;
    for (let c = 0; c < calls; c++) {
      rng_fill_uniform(rng, out, n);
      for (let i = 0; i < n; i++) {
        const u = <f64>getF32(out, i), scaled = u * 16777216.0; // 2^24
        if (scaled != Math.floor(scaled)) offGrid++;
        if (!(u >= 0.0 && u < 1.0)) outside++;
        sum += u;
      }
    }
    expect(offGrid).toBe(0);
    expect(outside).toBe(0);
    // The mean of N = 50176 uniforms has standard deviation sqrt(1/12 / N) = 1.29e-3; the grid
    // shifts the mean by 2^-25. A fixed seed within 5 sigma: |mean - 1/2| <= 6.5e-3.
    const total = <f64>(n * calls);
    expect(Math.abs(sum / total - 0.5)).toBeLessThanOrEqual(5.0 * Math.sqrt(1.0 / 12.0 / total) + 2.98e-8);
  });
});
