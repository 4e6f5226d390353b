// Recruitment of idle units of layer 1 on unexplained data, a training control for online
// wake-sleep (bench/QUALITY.md §5, third search). After each wake step, U = the pixels that are
// on in the data but predicted off (P < 0.5, i.e. logit < 0) by P given the wake sample. A
// waiting unit j is initialised on the first example with |U| >= minPixels: Gw[0] row j = gainP
// on U, 0 elsewhere; Rw[0] column j = gainQ on U, -gainQ elsewhere; rb[1]_j = -gainQ (|U| - 1/2)
// (Q fires when the whole pattern is there); gb[1]_j = biasP; its weights to and from layer 2
// zero. When no unit waits and the running rate of such examples exceeds `maxResidualRate`, the
// unit with the lowest running mean of Q(h_j = 1 | d) (initialised at least `grace` rows ago)
// is made to wait. Everything else is the wake-sleep delta rules.
import { depth, field, ptr, N, STRIDE, ACT, STATE, DELTA, GBIAS, GW, RW, RBIAS } from "./layout";
import { recognitionPass } from "./machine";

// The record at `rec`: f64 fields, then per unit of layer 1 three f64 arrays (mean, born, pending).
const UNTIL = 0, TAU = 1, MAX_RATE = 2, GRACE = 3, GAIN_P = 4, GAIN_Q = 5, BIAS_P = 6, MIN_PIXELS = 7;
const STEP = 8, RATE = 9, LAST = 10, RECRUITED = 11;
const FIELDS = 12;
const MEAN = 0, BORN = 1, PENDING = 2;
const SILENT_BIAS: f32 = -8;

@inline function get(rec: usize, f: i32): f64 { return load<f64>(rec + (<usize>f << 3)); }
@inline function put(rec: usize, f: i32, v: f64): void { store<f64>(rec + (<usize>f << 3), v); }
@inline function unitAt(rec: usize, n1: i32, a: i32, j: i32): usize {
  return rec + (<usize>(FIELDS + a * n1 + j) << 3);
}
@inline function unit(rec: usize, n1: i32, a: i32, j: i32): f64 { return load<f64>(unitAt(rec, n1, a, j)); }
@inline function setUnit(rec: usize, n1: i32, a: i32, j: i32, v: f64): void { store<f64>(unitAt(rec, n1, a, j), v); }
@inline function sigmoid(x: f64): f64 { return 1.0 / (1.0 + Math.exp(-x)); }

// Bytes of a record for a machine whose layer 1 has n1 units (8-byte aligned).
export function recruit_bytes(n1: i32): i32 { return (FIELDS + 3 * n1) * 8; }

// Writes the record: the settings, step 0, rate 0, each unit's mean = sigma(rb[1]_j), none waiting.
export function recruit_configure(desc: usize, rec: usize, until: f64, tau: f64, maxRate: f64, grace: f64,
    gainP: f64, gainQ: f64, biasP: f64, minPixels: i32): void {
  put(rec, UNTIL, until); put(rec, TAU, tau); put(rec, MAX_RATE, maxRate); put(rec, GRACE, grace);
  put(rec, GAIN_P, gainP); put(rec, GAIN_Q, gainQ); put(rec, BIAS_P, biasP); put(rec, MIN_PIXELS, minPixels);
  put(rec, STEP, 0); put(rec, RATE, 0); put(rec, LAST, -Infinity); put(rec, RECRUITED, 0);
  const n1 = field(desc, 1, N), rb = ptr(desc, 1, RBIAS);
  for (let j = 0; j < n1; j++) {
    setUnit(rec, n1, MEAN, j, sigmoid(<f64>load<f32>(rb + (<usize>j << 2))));
    setUnit(rec, n1, BORN, j, -Infinity);
    setUnit(rec, n1, PENDING, j, 0);
  }
}

// Silences every unit of layer 1 (gb[1] = rb[1] = -8, no weights to or from layer 0) and makes
// all of them wait, so that they are initialised one after another on the first residuals.
export function recruit_silence_all(desc: usize, rec: usize): void {
  const n1 = field(desc, 1, N);
  for (let j = 0; j < n1; j++) {
    clearUnit(desc, j, SILENT_BIAS, SILENT_BIAS, 0, 0, 0);
    setUnit(rec, n1, MEAN, j, 0);
    setUnit(rec, n1, PENDING, j, 1);
  }
}

// Units initialised on a residual so far.
export function recruit_count(rec: usize): f64 { return get(rec, RECRUITED); }

// Unit j of layer 1: gb[1]_j = bP, rb[1]_j = bQ, Gw[0] row j and Rw[0] column j set from layer 0's
// states s (gainP s_k and gainQ (2 s_k - 1), or all 0 when gains are 0), Gw[1] column j and Rw[1]
// row j zero (when there is a layer 2).
function clearUnit(desc: usize, j: i32, bP: f32, bQ: f32, gainP: f32, gainQ: f32, s: usize): void {
  const n0 = field(desc, 0, N), s0 = <usize>field(desc, 0, STRIDE), s1 = <usize>field(desc, 1, STRIDE);
  const g = ptr(desc, 0, GW) + ((<usize>j * s0) << 2), r = ptr(desc, 0, RW) + (<usize>j << 2);
  for (let k = 0; k < n0; k++) {
    const on: f32 = s == 0 ? 0 : load<f32>(s + (<usize>k << 2));
    store<f32>(g + (<usize>k << 2), gainP * on);
    store<f32>(r + ((<usize>k * s1) << 2), gainQ * (2 * on - 1));
  }
  store<f32>(ptr(desc, 1, GBIAS) + (<usize>j << 2), bP);
  store<f32>(ptr(desc, 1, RBIAS) + (<usize>j << 2), bQ);
  if (depth(desc) > 1) {
    const n2 = field(desc, 2, N), g1 = ptr(desc, 1, GW) + (<usize>j << 2);
    for (let t = 0; t < n2; t++) store<f32>(g1 + ((<usize>t * s1) << 2), 0);
    memory.fill(ptr(desc, 1, RW) + ((<usize>j * <usize>field(desc, 2, STRIDE)) << 2), 0, <usize>n2 << 2);
  }
}

// After a wake step (layer 0: the data in STATE, P's logits given the wake sample in ACT): updates
// the running means and residual rate and initialises or schedules units, while step < until.
// Uses layer 0's DELTA as scratch for the residual pattern.
export function recruit_step(desc: usize, rec: usize): void {
  const step = get(rec, STEP);
  if (step >= get(rec, UNTIL)) return;
  put(rec, STEP, step + 1);
  const n0 = field(desc, 0, N), n1 = field(desc, 1, N), tau = get(rec, TAU), grace = get(rec, GRACE);
  const s0 = ptr(desc, 0, STATE), a0 = ptr(desc, 0, ACT), residual = ptr(desc, 0, DELTA);
  // Q(h | d) for the running means: the recognition pass again (wake leaves Q unchanged).
  recognitionPass(desc, 0);
  const a1 = ptr(desc, 1, ACT);
  let waiting = -1;
  for (let j = 0; j < n1; j++) {
    const m = unit(rec, n1, MEAN, j);
    setUnit(rec, n1, MEAN, j, m + (sigmoid(<f64>load<f32>(a1 + (<usize>j << 2))) - m) / tau);
    if (waiting < 0 && unit(rec, n1, PENDING, j) != 0) waiting = j;
  }
  let count = 0;
  for (let k = 0; k < n0; k++) {
    const on: f32 = load<f32>(s0 + (<usize>k << 2)) != 0 && load<f32>(a0 + (<usize>k << 2)) < 0 ? 1 : 0;
    store<f32>(residual + (<usize>k << 2), on);
    count += <i32>on;
  }
  const unexplained = count >= <i32>get(rec, MIN_PIXELS);
  const rate = get(rec, RATE) + ((unexplained ? 1.0 : 0.0) - get(rec, RATE)) / tau;
  put(rec, RATE, rate);
  if (waiting < 0 && rate > get(rec, MAX_RATE) && step - get(rec, LAST) >= grace) {
    for (let j = 0; j < n1; j++) {
      if (step - unit(rec, n1, BORN, j) >= grace && (waiting < 0 || unit(rec, n1, MEAN, j) < unit(rec, n1, MEAN, waiting))) waiting = j;
    }
    if (waiting >= 0) {
      setUnit(rec, n1, PENDING, waiting, 1);
      put(rec, LAST, step);
      put(rec, RATE, 0);
    }
  }
  if (waiting < 0 || !unexplained) return;
  const gainQ = get(rec, GAIN_Q);
  clearUnit(desc, waiting, <f32>get(rec, BIAS_P), <f32>(-gainQ * (<f64>count - 0.5)), <f32>get(rec, GAIN_P), <f32>gainQ, residual);
  setUnit(rec, n1, MEAN, waiting, 0.1);
  setUnit(rec, n1, PENDING, waiting, 0);
  setUnit(rec, n1, BORN, waiting, step);
  put(rec, RECRUITED, get(rec, RECRUITED) + 1);
}
