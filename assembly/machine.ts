// The Helmholtz machine's phases over a laid-out machine (see layout.ts). Online wake-sleep as
// in Hinton, Dayan, Frey & Neal (1995): per training vector one wake step, then one sleep step.
import { depth, field, fieldAddr, ptr, rngOf, N, STRIDE, ACT, PROB, STATE, IDX, COUNT, GBIAS, GW, RW, RBIAS, DELTA, params_begin, params_end } from "./layout";
import { rng_seed, rng_normal, rng_below } from "./rng";
import { sample_bernoulli, sample_logistic, sample_logistic_logprob, binary_to_states } from "./sample";
import { bias_plus_rows } from "./pass";
import { logistic_delta, delta_rule, add_to_rows, add_vector } from "./update";
import { log_bernoulli_sum } from "./logprob";
import { logistic_f32 } from "./logistic";
import { recruit_step } from "./recruit";
import { acc_delta_row, acc_note_active, acc_done, SIDE_P, SIDE_Q } from "./accumulate";
import { groupsActive, groupedPass } from "./groups";
import { deferred_begin, deferred_end, deferred_step } from "./deferred";

// Row kinds: ROW_BINARY rows are u8 0/1; ROW_PROB rows are f32 probabilities, sampled afresh
// (dynamic binarization) each time a row is shown.
export const ROW_BINARY = 0;
export const ROW_PROB = 1;
export const LOG2E: f64 = 1.4426950408889634;

// Seeds the rng, then Gw and Rw ~ N(0, scale^2) in layer order (Gw[l] then Rw[l], row-major),
// and every bias 0.
export function machine_init(desc: usize, seedLo: u32, seedHi: u32, scale: f64): void {
  const rng = rngOf(desc), L = depth(desc);
  rng_seed(rng, seedLo, seedHi);
  memory.fill(params_begin(desc), 0, params_end(desc) - params_begin(desc));
  for (let l = 0; l < L; l++) {
    fillNormal(ptr(desc, l, GW), field(desc, l + 1, N), field(desc, l, N), field(desc, l, STRIDE), rng, scale);
    fillNormal(ptr(desc, l, RW), field(desc, l, N), field(desc, l + 1, N), field(desc, l + 1, STRIDE), rng, scale);
  }
}

function fillNormal(W: usize, rows: i32, cols: i32, stride: i32, rng: usize, scale: f64): void {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      store<f32>(W + ((<usize>r * <usize>stride + <usize>c) << 2), <f32>(scale * rng_normal(rng)));
}

// Loads a data row into layer 0's states and active list.
export function load_row(desc: usize, row: usize, kind: i32): void {
  const n = field(desc, 0, N);
  const count = kind == ROW_BINARY
    ? binary_to_states(row, n, ptr(desc, 0, STATE), ptr(desc, 0, IDX))
    : sample_bernoulli(row, n, rngOf(desc), ptr(desc, 0, STATE), ptr(desc, 0, IDX));
  setCount(desc, 0, count);
}

@inline function setCount(desc: usize, l: i32, c: i32): void {
  store<i32>(fieldAddr(desc, l, COUNT), c);
}

// act[l+1] = rb[l+1] + sum of Rw[l] rows of the active units of layer l.
@inline export function recognitionPass(desc: usize, l: i32): void {
  bias_plus_rows(ptr(desc, l + 1, ACT), ptr(desc, l + 1, RBIAS), ptr(desc, l, RW), field(desc, l + 1, STRIDE),
    ptr(desc, l, IDX), field(desc, l, COUNT), field(desc, l + 1, N));
}

// act[l] = gb[l] + sum of Gw[l] rows of the active units of layer l+1 (l < L); act[L] = gTop.
// With grouped tables in use (groups.ts), from them.
export function generativePass(desc: usize, l: i32): void {
  const groups = groupsActive(desc);
  if (l == depth(desc)) {
    memory.copy(ptr(desc, l, ACT), ptr(desc, l, GBIAS), <usize>field(desc, l, N) << 2);
  } else if (groups != 0) {
    groupedPass(desc, groups, l);
  } else {
    bias_plus_rows(ptr(desc, l, ACT), ptr(desc, l, GBIAS), ptr(desc, l, GW), field(desc, l, STRIDE),
      ptr(desc, l + 1, IDX), field(desc, l + 1, COUNT), field(desc, l, N));
  }
}

// Samples layers 1..L bottom-up from Q given layer 0's states; returns log Q(h | s_0) in nats,
// or 0 without `logQ` (the same samples, from the same draws).
export function recognize_sample(desc: usize, logQ: bool): f64 {
  recognitionPass(desc, 0);
  return sampleUpward(desc, ptr(desc, 1, ACT), logQ);
}

// Layer 1's recognition activation for the row in layer 0, kept in layer 1's PROB (unused above
// layer 0 otherwise), so that repeated samples for one row (importance sampling, RWS) pass once.
export function recognize_prepare(desc: usize): void {
  bias_plus_rows(ptr(desc, 1, PROB), ptr(desc, 1, RBIAS), ptr(desc, 0, RW), field(desc, 1, STRIDE),
    ptr(desc, 0, IDX), field(desc, 0, COUNT), field(desc, 1, N));
}

// recognize_sample after recognize_prepare on the same row and parameters: the same sample and
// value, bit for bit, without the first pass.
export function recognize_sample_prepared(desc: usize): f64 {
  return sampleUpward(desc, ptr(desc, 1, PROB), true);
}

// Samples layer 1 from the activation at a1, then layers 2..L bottom-up; returns log Q(h | s_0),
// or 0 without `logQ`.
function sampleUpward(desc: usize, a1: usize, logQ: bool): f64 {
  const L = depth(desc), rng = rngOf(desc);
  let sum = 0.0;
  for (let l = 0; l < L; l++) {
    if (l > 0) recognitionPass(desc, l);
    const a = l == 0 ? a1 : ptr(desc, l + 1, ACT), n = field(desc, l + 1, N), s = ptr(desc, l + 1, STATE), idx = ptr(desc, l + 1, IDX);
    if (logQ) sum += sample_logistic_logprob(a, n, rng, s, idx, fieldAddr(desc, l + 1, COUNT));
    else setCount(desc, l + 1, sample_logistic(a, n, rng, s, idx));
  }
  return sum;
}

// log P(s_l | s_{l+1}) in nats (log P(s_L) for l = L) for the states in place (layer l's DELTA
// as scratch).
export function layerLogProb(desc: usize, l: i32): f64 {
  generativePass(desc, l);
  return log_bernoulli_sum(ptr(desc, l, ACT), ptr(desc, l, STATE), field(desc, l, N), ptr(desc, l, DELTA));
}

// log P(s_0, .., s_L) in nats for the states in place.
export function generative_logprob(desc: usize): f64 {
  let logP = 0.0;
  for (let l = depth(desc); l >= 0; l--) logP += layerLogProb(desc, l);
  return logP;
}

// The wake rule's update of P for the states in place (s_0 = data, s_1..s_L from Q): per layer
// the top-down probabilities p of the sampled states, then `weight (s - p)` added to the rows of
// the active units above and to the bias, at `target` bytes past the parameters (0: the
// parameters themselves; gradOffset: the gradient block). With an accumulator (accumulate.ts;
// 0: none) the weight gradients are held there until it is flushed. Returns log P(s_0..s_L) in
// nats, or 0 without `logP` (the same update).
export function wakeP(desc: usize, weight: f32, target: usize, acc: usize, logP: bool): f64 {
  let sum = 0.0;
  for (let l = depth(desc); l >= 0; l--) sum += wakeLayer(desc, l, weight, target, acc, logP);
  if (acc != 0) acc_done(acc, SIDE_P);
  return sum;
}

// The delta rule on Q for the states in place, treated as targets: per layer the bottom-up
// probabilities q, then `weight (s_{l+1} - q)` added to the rows of the active units of layer l
// and to the bias, at `target` bytes past the parameters. Used by sleep (on a fantasy) and by
// the wake update of Q in reweighted wake-sleep (on a sample from Q). `acc` as for wakeP.
export function updateQ(desc: usize, weight: f32, target: usize, acc: usize): void {
  for (let l = 0; l < depth(desc); l++) {
    recognitionPass(desc, l);
    const n = field(desc, l + 1, N);
    const delta = acc != 0 ? acc_delta_row(desc, acc, SIDE_Q, l, target) : ptr(desc, l + 1, DELTA);
    delta_rule(ptr(desc, l + 1, ACT), ptr(desc, l + 1, STATE), weight, delta, n);
    if (acc != 0) acc_note_active(desc, acc, SIDE_Q, l);
    else add_to_rows(ptr(desc, l, RW) + target, field(desc, l + 1, STRIDE), ptr(desc, l, IDX), field(desc, l, COUNT), delta, n);
    add_vector(ptr(desc, l + 1, RBIAS) + target, delta, n);
  }
  if (acc != 0) acc_done(acc, SIDE_Q);
}

// wakeP's part for layer l: returns log P(s_l | s_{l+1}) in nats, or 0 without `logP`.
export function wakeLayer(desc: usize, l: i32, weight: f32, target: usize, acc: usize, logP: bool): f64 {
  const L = depth(desc), n = field(desc, l, N);
  generativePass(desc, l);
  const delta = acc != 0 && l < L ? acc_delta_row(desc, acc, SIDE_P, l, target) : ptr(desc, l, DELTA);
  const lp = deltaRule(ptr(desc, l, ACT), ptr(desc, l, STATE), weight, delta, n, logP);
  if (l < L) {
    if (acc != 0) acc_note_active(desc, acc, SIDE_P, l);
    else add_to_rows(ptr(desc, l, GW) + target, field(desc, l, STRIDE), ptr(desc, l + 1, IDX), field(desc, l + 1, COUNT), delta, n);
  }
  add_vector(ptr(desc, l, GBIAS) + target, delta, n);
  return lp;
}

// delta = weight (s - sigma(a)) (n units); returns log P(s | a) in nats, or 0 without `logP`.
@inline export function deltaRule(a: usize, s: usize, weight: f32, delta: usize, n: i32, logP: bool): f64 {
  if (logP) return logistic_delta(a, s, weight, delta, n);
  delta_rule(a, s, weight, delta, n);
  return 0;
}

// Wake phase on the row in layer 0: s ~ Q bottom-up, then the delta rule on G with the
// top-down probabilities of the sampled states. Returns the sample's description length
// log2 Q(h|d) - log2 P(h, d) in bits, an unbiased one-sample estimate of F(d); 0 without `dl`.
export function wake_step(desc: usize, eps: f32, dl: bool): f64 {
  const logQ = recognize_sample(desc, dl);
  return (logQ - wakeP(desc, eps, 0, 0, dl)) * LOG2E;
}

// A fantasy from P, top-down: t_L ~ sigma(gTop), t_l ~ P(. | t_{l+1}); states left in place.
export function dream_sample(desc: usize): void {
  for (let l = depth(desc); l >= 0; l--) dreamLayer(desc, l);
}

// dream_sample's part for layer l: t_l ~ P(. | t_{l+1}).
export function dreamLayer(desc: usize, l: i32): void {
  generativePass(desc, l);
  sampleLayer(desc, l);
}

// s_l ~ sigma(act[l]), with layer l's active list.
export function sampleLayer(desc: usize, l: i32): void {
  setCount(desc, l, sample_logistic(ptr(desc, l, ACT), field(desc, l, N), rngOf(desc), ptr(desc, l, STATE), ptr(desc, l, IDX)));
}

// Sleep phase: dream, then the delta rule on R with the bottom-up probabilities of the fantasy.
export function sleep_step(desc: usize, eps: f32): void {
  dream_sample(desc);
  updateQ(desc, eps, 0, 0);
}

// Online wake-sleep over rows order[first .. first+count) of `data` (rows of n[0] elements,
// u8 or f32 by `kind`; order: i32 row indices), with recruitment after each wake step when
// `recruit` is a record of recruit.ts (0: none). Without recruitment and with a record `deferred`
// (deferred.ts; 0: none), the steps are deferred_step's: the updates of Gw[0] wait in blocks of
// four steps, all applied before it returns. Returns the summed wake description lengths (bits),
// or 0 without `dl` (which skips their log-probabilities, not a draw or an update).
export function train_rows(desc: usize, data: usize, kind: i32, order: usize, first: i32, count: i32, eps: f32, recruit: usize, deferred: usize, dl: bool): f64 {
  const n = <usize>field(desc, 0, N), rowBytes = kind == ROW_BINARY ? n : n << 2;
  const defer = recruit == 0 ? deferred : 0;
  deferred_begin(desc, defer);
  let bits = 0.0;
  for (let i = first; i < first + count; i++) {
    load_row(desc, data + <usize>load<i32>(order + (<usize>i << 2)) * rowBytes, kind);
    if (defer != 0) {
      bits += deferred_step(desc, defer, eps, dl);
      continue;
    }
    bits += wake_step(desc, eps, dl);
    if (recruit != 0) recruit_step(desc, recruit);
    sleep_step(desc, eps);
  }
  deferred_end(desc);
  return bits;
}

// order[i] = i, then a Fisher-Yates shuffle when `shuffle` is set.
export function make_order(desc: usize, order: usize, rows: i32, shuffle: bool): void {
  for (let i = 0; i < rows; i++) store<i32>(order + (<usize>i << 2), i);
  if (!shuffle) return;
  const rng = rngOf(desc);
  for (let i = rows - 1; i > 0; i--) {
    const j = <i32>rng_below(rng, <u32>(i + 1));
    const a = order + (<usize>i << 2), b = order + (<usize>j << 2);
    const t = load<i32>(a); store<i32>(a, load<i32>(b)); store<i32>(b, t);
  }
}

// out (u8 rows) = a Bernoulli sample of each f32 probability row of data (rows of n[0]).
export function binarize_rows(desc: usize, data: usize, rows: i32, out: usize): void {
  const n = field(desc, 0, N), s = ptr(desc, 0, STATE);
  for (let r = 0; r < rows; r++) {
    load_row(desc, data + ((<usize>r * <usize>n) << 2), ROW_PROB);
    statesToBytes(s, n, out + <usize>r * <usize>n);
  }
}

function statesToBytes(s: usize, n: i32, out: usize): void {
  for (let j = 0; j < n; j++) store<u8>(out + <usize>j, <u8>load<f32>(s + (<usize>j << 2)));
}

// `count` fantasies as u8 rows of n[0] at out.
export function dream_rows(desc: usize, count: i32, out: usize): void {
  const n = field(desc, 0, N), s = ptr(desc, 0, STATE);
  for (let r = 0; r < count; r++) {
    dream_sample(desc);
    statesToBytes(s, n, out + <usize>r * <usize>n);
  }
}

// One recognition sample for a row; hidden states left in layers 1..L.
export function recognize_row(desc: usize, row: usize, kind: i32): void {
  load_row(desc, row, kind);
  recognize_sample(desc, false);
}

// P(visible = 1 | s_1) for s_1 from one recognition pass; left in layer 0's PROB.
export function reconstruct_row(desc: usize, row: usize, kind: i32): void {
  recognize_row(desc, row, kind);
  generativePass(desc, 0);
  logistic_f32(ptr(desc, 0, ACT), ptr(desc, 0, PROB), field(desc, 0, N));
}
