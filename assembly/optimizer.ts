// Optimiser steps over a flat parameter range. Each takes the summed gradient `grad` of a batch
// (the ascent direction of the log-probability), applies its step to theta and zeroes grad.
// theta, grad, state: f32 [n], 16-byte aligned, n a multiple of 4 (whole padded blocks).

export const OPT_SGD = 0;
export const OPT_MOMENTUM = 1;
export const OPT_ADAM = 2;

// theta += scale * grad (the paper's delta rule; scale = learning rate / batch size).
export function apply_sgd(theta: usize, grad: usize, n: i32, scale: f32): void {
  const sv = f32x4.splat(scale), zero = f32x4.splat(0.0);
  for (let o: usize = 0, end = <usize>n << 2; o < end; o += 16) {
    v128.store(theta + o, f32x4.add(v128.load(theta + o), f32x4.mul(sv, v128.load(grad + o))));
    v128.store(grad + o, zero);
  }
}

// v = mu v + scale * grad; theta += v (heavy-ball momentum).
export function apply_momentum(theta: usize, grad: usize, v: usize, n: i32, scale: f32, mu: f32): void {
  const sv = f32x4.splat(scale), mv = f32x4.splat(mu), zero = f32x4.splat(0.0);
  for (let o: usize = 0, end = <usize>n << 2; o < end; o += 16) {
    const nv = f32x4.add(f32x4.mul(mv, v128.load(v + o)), f32x4.mul(sv, v128.load(grad + o)));
    v128.store(v + o, nv);
    v128.store(theta + o, f32x4.add(v128.load(theta + o), nv));
    v128.store(grad + o, zero);
  }
}

// Adam (Kingma & Ba 2015) at step t >= 1 on g = gscale * grad (gscale = 1 / batch size):
// m = b1 m + (1 - b1) g; s = b2 s + (1 - b2) g^2; theta += alpha m/(1 - b1^t) / (sqrt(s/(1 - b2^t)) + eps).
export function apply_adam(theta: usize, grad: usize, m: usize, s: usize, n: i32, gscale: f32, alpha: f32, b1: f32, b2: f32, eps: f32, t: f64): void {
  const c1 = <f32>(1.0 / (1.0 - Math.pow(<f64>b1, t))), c2 = <f32>(1.0 / (1.0 - Math.pow(<f64>b2, t)));
  const gs = f32x4.splat(gscale), b1v = f32x4.splat(b1), b2v = f32x4.splat(b2);
  const a1 = f32x4.splat(1 - b1), a2 = f32x4.splat(1 - b2), c1v = f32x4.splat(c1 * alpha), c2v = f32x4.splat(c2), ev = f32x4.splat(eps);
  const zero = f32x4.splat(0.0);
  for (let o: usize = 0, end = <usize>n << 2; o < end; o += 16) {
    const g = f32x4.mul(gs, v128.load(grad + o));
    const nm = f32x4.add(f32x4.mul(b1v, v128.load(m + o)), f32x4.mul(a1, g));
    const ns = f32x4.add(f32x4.mul(b2v, v128.load(s + o)), f32x4.mul(a2, f32x4.mul(g, g)));
    v128.store(m + o, nm);
    v128.store(s + o, ns);
    const step = f32x4.div(f32x4.mul(c1v, nm), f32x4.add(f32x4.sqrt(f32x4.mul(c2v, ns)), ev));
    v128.store(theta + o, f32x4.add(v128.load(theta + o), step));
    v128.store(grad + o, zero);
  }
}

// 1 if every f32 of [p, p + 4n) is finite, else 0.
export function all_finite(p: usize, n: i32): i32 {
  const expMask = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0);
  for (let o: usize = 0, end = <usize>n << 2; o < end; o += 16) {
    bad = v128.or(bad, i32x4.eq(v128.and(v128.load(p + o), expMask), expMask));
  }
  return v128.any_true(bad) ? 0 : 1;
}
