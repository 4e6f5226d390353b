import { apply_sgd, apply_momentum, apply_adam, all_finite } from "../optimizer";
import { Inputs, alloc, writtenWords, getF32, setF32 } from "./reference";

// The optimiser kernels work on whole padded blocks: n is a multiple of 4 by contract.
const BLOCK_SIZES: StaticArray<i32> = [4, 8, 20, 784];

class Buffers {
  theta: usize; grad: usize; a: usize; b: usize;
  constructor(n: i32, inputs: Inputs) {
    const bytes = (n + 4) << 2; // four guard words past n
    this.theta = alloc(bytes); this.grad = alloc(bytes); this.a = alloc(bytes); this.b = alloc(bytes);
    for (let i = 0; i < n; i++) {
      setF32(this.theta, i, <f32>inputs.between(-2, 2));
      setF32(this.grad, i, <f32>inputs.between(-5, 5));
      setF32(this.a, i, <f32>inputs.between(-0.1, 0.1));
      setF32(this.b, i, <f32>inputs.between(0, 0.5));
    }
  }
  untouchedPast(n: i32): bool {
    return writtenWords(this.theta, n, n + 4) + writtenWords(this.grad, n, n + 4) + writtenWords(this.a, n, n + 4) + writtenWords(this.b, n, n + 4) == 0;
  }
  gradZero(n: i32): bool {
    for (let i = 0; i < n; i++) if (getF32(this.grad, i) != 0) return false;
    return true;
  }
}

// One f32 rounding of each operation: relative 2^-24 per step, a few steps: 1e-6 relative is ample.
function close(got: f32, want: f64): bool {
  return Math.abs(<f64>got - want) <= 1e-6 * Math.max(1.0, Math.abs(want));
}

describe("apply_sgd", () => {
  test("theta += scale grad, grad zeroed, nothing past n", () => {
    const inputs = new Inputs(21);
    for (let k = 0; k < BLOCK_SIZES.length; k++) {
      const n = BLOCK_SIZES[k], m = new Buffers(n, inputs);
      const want = new StaticArray<f32>(n);
      // theta + fl(scale * grad): exactly the online rule's fl(eps (s - p)) added once.
      for (let i = 0; i < n; i++) want[i] = getF32(m.theta, i) + <f32>0.25 * getF32(m.grad, i);
      apply_sgd(m.theta, m.grad, n, 0.25);
      let same = true;
      for (let i = 0; i < n; i++) same = same && getF32(m.theta, i) == want[i];
      expect(same).toBe(true, "n=" + n.toString());
      expect(m.gradZero(n)).toBe(true);
      expect(m.untouchedPast(n)).toBe(true);
    }
  });
});

describe("apply_momentum", () => {
  test("v = mu v + scale grad; theta += v; grad zeroed; nothing past n", () => {
    const inputs = new Inputs(22);
    for (let k = 0; k < BLOCK_SIZES.length; k++) {
      const n = BLOCK_SIZES[k], m = new Buffers(n, inputs);
      const v = new StaticArray<f64>(n), theta = new StaticArray<f64>(n);
      for (let i = 0; i < n; i++) {
        v[i] = 0.9 * <f64>getF32(m.a, i) + 0.125 * <f64>getF32(m.grad, i);
        theta[i] = <f64>getF32(m.theta, i) + v[i];
      }
      apply_momentum(m.theta, m.grad, m.a, n, 0.125, 0.9);
      let ok = true;
      for (let i = 0; i < n; i++) ok = ok && close(getF32(m.a, i), v[i]) && close(getF32(m.theta, i), theta[i]);
      expect(ok).toBe(true, "n=" + n.toString());
      expect(m.gradZero(n)).toBe(true);
      expect(m.untouchedPast(n)).toBe(true);
    }
  });
});

describe("apply_adam", () => {
  test("Kingma & Ba's update with bias correction at step t; grad zeroed; nothing past n", () => {
    const inputs = new Inputs(23);
    const b1 = 0.9, b2 = 0.999, eps = 1e-8, alpha = 0.01, gscale = 0.05, t = 3.0;
    for (let k = 0; k < BLOCK_SIZES.length; k++) {
      const n = BLOCK_SIZES[k], st = new Buffers(n, inputs);
      const mw = new StaticArray<f64>(n), sw = new StaticArray<f64>(n), theta = new StaticArray<f64>(n);
      for (let i = 0; i < n; i++) {
        const g = gscale * <f64>getF32(st.grad, i);
        mw[i] = b1 * <f64>getF32(st.a, i) + (1 - b1) * g;
        sw[i] = b2 * <f64>getF32(st.b, i) + (1 - b2) * g * g;
        const mHat = mw[i] / (1 - Math.pow(b1, t)), sHat = sw[i] / (1 - Math.pow(b2, t));
        theta[i] = <f64>getF32(st.theta, i) + alpha * mHat / (Math.sqrt(sHat) + eps);
      }
      apply_adam(st.theta, st.grad, st.a, st.b, n, <f32>gscale, <f32>alpha, <f32>b1, <f32>b2, <f32>eps, t);
      let ok = true;
      for (let i = 0; i < n; i++) ok = ok && close(getF32(st.a, i), mw[i]) && close(getF32(st.b, i), sw[i]) && close(getF32(st.theta, i), theta[i]);
      expect(ok).toBe(true, "n=" + n.toString());
      expect(st.gradZero(n)).toBe(true);
      expect(st.untouchedPast(n)).toBe(true);
    }
  });
});

describe("all_finite", () => {
  test("1 for finite blocks; 0 for one NaN, +Inf or -Inf anywhere, the last word included", () => {
    const inputs = new Inputs(24);
    for (let k = 0; k < BLOCK_SIZES.length; k++) {
      const n = BLOCK_SIZES[k], m = new Buffers(n, inputs);
      setF32(m.theta, n, NaN); // past n: must not be read
      expect(all_finite(m.theta, n)).toBe(1, "n=" + n.toString());
      const bad: StaticArray<f32> = [NaN, Infinity, -Infinity];
      for (let b = 0; b < bad.length; b++) {
        const at = b == 0 ? n - 1 : <i32>Math.floor(inputs.uniform() * n);
        const keep = getF32(m.theta, at);
        setF32(m.theta, at, bad[b]);
        expect(all_finite(m.theta, n)).toBe(0, "n=" + n.toString() + " at " + at.toString());
        setF32(m.theta, at, keep);
      }
      setF32(m.theta, 0, 3.4e38);
      expect(all_finite(m.theta, n)).toBe(1, "the largest finite floats are finite");
    }
  });
});
