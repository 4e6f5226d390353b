import { madd4, nmadd4 } from "../simd/fma";

// a b = 1 - 2^-26 exactly, which rounds to 1 in f32: an unfused a b - 1 is 0, a fused one -2^-26.
const A: f32 = 1.0 + 1.0 / 8192.0, B: f32 = 1.0 - 1.0 / 8192.0, EXACT: f32 = -1.0 / 67108864.0;

describe("madd4 / nmadd4", () => {
  test("plain build: a multiply then an add, rounded twice; relaxed build: fused or not, as the runtime chooses", () => {
    const m = f32x4.extract_lane(madd4(f32x4.splat(A), f32x4.splat(B), f32x4.splat(-1.0)), 0);
    const n = f32x4.extract_lane(nmadd4(f32x4.splat(A), f32x4.splat(B), f32x4.splat(1.0)), 0);
    if (ASC_FEATURE_RELAXED_SIMD) {
      expect(m == 0.0 || m == EXACT).toBe(true, "madd4");
      expect(n == 0.0 || n == -EXACT).toBe(true, "nmadd4");
    } else {
      expect(m).toBe(0.0);
      expect(n).toBe(0.0);
    }
  });

  test("exact where nothing rounds: 3 x 5 + 7 = 22 and 7 - 3 x 5 = -8 in every lane", () => {
    const out = memory.data(32, 16);
    v128.store(out, madd4(f32x4.splat(3), f32x4.splat(5), f32x4.splat(7)));
    v128.store(out, nmadd4(f32x4.splat(3), f32x4.splat(5), f32x4.splat(7)), 16);
    for (let i = 0; i < 4; i++) {
      expect(load<f32>(out + (<usize>i << 2))).toBe(22.0);
      expect(load<f32>(out + (<usize>i << 2), 16)).toBe(-8.0);
    }
  });
});
