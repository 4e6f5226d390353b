// Minibatch training with an optimiser, and reweighted wake-sleep (Bornschein & Bengio 2015).
// A batch of B rows is: B wake steps with every parameter fixed, their summed gradients applied
// to P (and, in RWS with wake-Q on, to Q); then B sleep steps with every parameter fixed, their
// summed gradient applied to Q. With B = 1, K = 1 and SGD this is the online rule of machine.ts,
// bit for bit. Each of the three updates (wake-P, wake-Q, sleep-Q) has its own learning rate,
// optimiser state and step count.
import { depth, field, ptr, fieldAddr, N, STATE, IDX, COUNT, params_begin, params_end, q_begin, gradOffset } from "./layout";
import { load_row, recognize_sample, recognize_prepare, recognize_sample_prepared, generative_logprob, wakeP, updateQ, dream_sample, LOG2E } from "./machine";
import { binary_to_states } from "./sample";
import { recruit_step } from "./recruit";
import { acc_seal, acc_clear, SIDE_P, SIDE_Q } from "./accumulate";
import { groups_begin, groups_release } from "./groups";
import { shards_step } from "./shards";
import { apply_sgd, apply_momentum, apply_adam, OPT_MOMENTUM, OPT_ADAM } from "./optimizer";

// The trainer record: f64 fields at `tr`, written by trainer_configure.
const BATCH = 0, SAMPLES = 1, WAKE_Q = 2, SLEEP_Q = 3, OPTIMIZER = 4, MU = 5, BETA1 = 6, BETA2 = 7, ADAM_EPS = 8, SCRATCH = 9;
// Per update source s (0 wake-P, 1 wake-Q, 2 sleep-Q): learning rate, state pointer, step count.
const RATE = 10, STATE_PTR = 13, STEPS = 16;
// The gradient accumulator (accumulate.ts) the batch's contributions go through.
const ACC = 19;
// A record for grouped generative passes (groups.ts), or 0.
const GROUPS = 20;
// 1: the wake phase sums the description length (the log-probabilities of its samples); 0: not.
const DL = 21;
// Two i32 words, desc and the record itself: a shard list for stepping desc as its own shard.
const SELF = 22;
const FIELDS = 23;
export const SOURCE_WAKE_P = 0;
export const SOURCE_WAKE_Q = 1;
export const SOURCE_SLEEP_Q = 2;

@inline function get(tr: usize, f: i32): f64 { return load<f64>(tr + (<usize>f << 3)); }
@inline function put(tr: usize, f: i32, v: f64): void { store<f64>(tr + (<usize>f << 3), v); }

export function trainer_bytes(): i32 { return FIELDS * 8; }

// Writes the record. States: f32 arrays per source, 0, 1 or 2 slots of the source's region
// (P for wake-P, Q otherwise) by optimiser; scratch: for K > 1, K x (n[1] + .. + n[L]) bytes
// then K f64 (8-byte aligned); acc: an accumulator laid out for desc; groups: a grouped-pass
// record laid out for desc (groups.ts), or 0; dl: whether wake_rows sums the description length.
export function trainer_configure(tr: usize, batch: i32, samples: i32, wakeQ: bool, sleepQ: bool, optimizer: i32,
    mu: f64, beta1: f64, beta2: f64, adamEps: f64, scratch: usize,
    rateP: f64, rateWQ: f64, rateSQ: f64, stateP: usize, stateWQ: usize, stateSQ: usize, acc: usize, groups: usize, dl: bool): void {
  put(tr, BATCH, batch); put(tr, SAMPLES, samples); put(tr, WAKE_Q, wakeQ ? 1 : 0); put(tr, SLEEP_Q, sleepQ ? 1 : 0);
  put(tr, OPTIMIZER, optimizer); put(tr, MU, mu); put(tr, BETA1, beta1); put(tr, BETA2, beta2); put(tr, ADAM_EPS, adamEps);
  put(tr, SCRATCH, <f64>scratch);
  put(tr, RATE, rateP); put(tr, RATE + 1, rateWQ); put(tr, RATE + 2, rateSQ);
  put(tr, STATE_PTR, <f64>stateP); put(tr, STATE_PTR + 1, <f64>stateWQ); put(tr, STATE_PTR + 2, <f64>stateSQ);
  put(tr, ACC, <f64>acc);
  put(tr, GROUPS, <f64>groups);
  put(tr, DL, dl ? 1 : 0);
}

// A copy of trainer record `from` at `to` with its own RWS scratch, accumulator and grouped-pass
// record (for a shard).
export function trainer_copy(from: usize, to: usize, scratch: usize, acc: usize, groups: usize): void {
  memory.copy(to, from, FIELDS * 8);
  put(to, SCRATCH, <f64>scratch);
  put(to, ACC, <f64>acc);
  put(to, GROUPS, <f64>groups);
}

// Optimiser steps taken by an update source (saved with the model for Adam's bias correction).
export function trainer_steps(tr: usize, source: i32): f64 { return get(tr, STEPS + source); }
export function trainer_set_steps(tr: usize, source: i32, steps: f64): void { put(tr, STEPS + source, steps); }

// Floats in the parameter region a source updates: P for source 0, Q otherwise.
export function trainer_region_floats(desc: usize, source: i32): i32 {
  return <i32>((source == SOURCE_WAKE_P ? q_begin(desc) - params_begin(desc) : params_end(desc) - q_begin(desc)) >> 2);
}

// Applies the gradient block's summed gradient of `rows` rows on the floats [from, to) of the
// source's region (multiples of 4; P for source 0, Q otherwise) as optimiser step number `steps`
// of that source, which it does not record: shards_step applies one step a slice at a time.
export function trainer_apply_slice(desc: usize, tr: usize, source: i32, rows: i32, from: i32, to: i32, steps: f64): void {
  const region = source == SOURCE_WAKE_P ? params_begin(desc) : q_begin(desc);
  const regionBytes = <usize>trainer_region_floats(desc, source) << 2;
  const begin = region + (<usize>from << 2), n = to - from;
  const grad = begin + gradOffset(desc);
  const rate = get(tr, RATE + source);
  const state = <usize>get(tr, STATE_PTR + source) + (<usize>from << 2);
  const opt = <i32>get(tr, OPTIMIZER);
  const scale = <f32>(rate / <f64>rows);
  if (opt == OPT_ADAM) {
    apply_adam(begin, grad, state, state + regionBytes, n, <f32>(1.0 / <f64>rows), <f32>rate,
      <f32>get(tr, BETA1), <f32>get(tr, BETA2), <f32>get(tr, ADAM_EPS), steps);
  } else if (opt == OPT_MOMENTUM) {
    apply_momentum(begin, grad, state, n, scale, <f32>get(tr, MU));
  } else {
    apply_sgd(begin, grad, n, scale);
  }
}

// Reweighted wake step on the row in layer 0: K samples h_k ~ Q, normalised importance weights
// w_k ∝ P(d, h_k) / Q(h_k | d), then each sample's wake-P (and wake-Q) gradient weighted by w_k.
// Returns the K-sample mean of log2 Q(h_k|d) - log2 P(h_k, d), in bits.
function wakeReweighted(desc: usize, tr: usize, K: i32, wakeQ: bool): f64 {
  const L = depth(desc);
  let H = 0;
  for (let l = 1; l <= L; l++) H += field(desc, l, N);
  const states = <usize>get(tr, SCRATCH);
  const logw = (states + <usize>K * <usize>H + 7) & ~7;
  let max = -Infinity, sumBits = 0.0;
  recognize_prepare(desc);
  for (let k = 0; k < K; k++) {
    const logQ = recognize_sample_prepared(desc);
    const w = generative_logprob(desc) - logQ;
    store<f64>(logw + (<usize>k << 3), w);
    sumBits -= w;
    if (w > max) max = w;
    let at = states + <usize>k * <usize>H;
    for (let l = 1; l <= L; l++) {
      const n = field(desc, l, N), s = ptr(desc, l, STATE);
      for (let j = 0; j < n; j++) store<u8>(at + <usize>j, <u8>load<f32>(s + (<usize>j << 2)));
      at += <usize>n;
    }
  }
  let total = 0.0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(load<f64>(logw + (<usize>k << 3)) - max);
    store<f64>(logw + (<usize>k << 3), e);
    total += e;
  }
  const go = gradOffset(desc), acc = <usize>get(tr, ACC);
  for (let k = 0; k < K; k++) {
    let at = states + <usize>k * <usize>H;
    for (let l = 1; l <= L; l++) {
      const n = field(desc, l, N);
      store<i32>(fieldAddr(desc, l, COUNT), binary_to_states(at, n, ptr(desc, l, STATE), ptr(desc, l, IDX)));
      at += <usize>n;
    }
    const w = <f32>(load<f64>(logw + (<usize>k << 3)) / total);
    wakeP(desc, w, go, acc, false);
    if (wakeQ) updateQ(desc, w, go, acc);
  }
  return sumBits / <f64>K * LOG2E;
}

// Grouped-pass tables (groups.ts) over a run of batches: built at its start when a batch of
// `rows` rows has enough passes to pay (a wake phase of rows x K passes and a sleep phase of
// rows), then built again as each update of P steps their rows (shards_step). So the tables are
// built once per batch and serve the sleep phase after the update and the next batch's wake
// phase, both on the same P. The caller releases them (groups_release) when the run ends.
export function trainer_tables_begin(desc: usize, tr: usize, rows: i32): void {
  groups_begin(desc, <usize>get(tr, GROUPS), <f64>rows * (get(tr, SAMPLES) + 1));
}

// Wake steps on rows order[first .. first+count) of data (u8 or f32 rows by kind) with every
// parameter fixed: their gradients (wake-P; wake-Q in RWS if on) held in the trainer's
// accumulator, and sealed there (acc_seal) at the end for shards_step (those of full buffers
// flushed into the gradient block of desc on the way). Returns the summed wake description
// lengths in bits (with K = 1, 0 unless the trainer sums them).
export function wake_rows(desc: usize, tr: usize, data: usize, kind: i32, order: usize, first: i32, count: i32): f64 {
  const n0 = <usize>field(desc, 0, N), rowBytes = kind == 0 ? n0 : n0 << 2;
  const K = <i32>get(tr, SAMPLES), wakeQ = get(tr, WAKE_Q) != 0, dl = get(tr, DL) != 0;
  const go = gradOffset(desc), acc = <usize>get(tr, ACC);
  let bits = 0.0;
  for (let i = first; i < first + count; i++) {
    load_row(desc, data + <usize>load<i32>(order + (<usize>i << 2)) * rowBytes, kind);
    if (K == 1) {
      const logQ = recognize_sample(desc, dl);
      bits += (logQ - wakeP(desc, 1.0, go, acc, dl)) * LOG2E;
      if (wakeQ) updateQ(desc, 1.0, go, acc);
    } else {
      bits += wakeReweighted(desc, tr, K, wakeQ);
    }
  }
  acc_seal(desc, acc, SIDE_P);
  acc_seal(desc, acc, SIDE_Q);
  return bits;
}

// `count` sleep steps with every parameter fixed: a fantasy from P, then its Q gradient held in
// the trainer's accumulator as in wake_rows.
export function sleep_rows(desc: usize, tr: usize, count: i32): void {
  const go = gradOffset(desc), acc = <usize>get(tr, ACC);
  for (let i = 0; i < count; i++) {
    dream_sample(desc);
    updateQ(desc, 1.0, go, acc);
  }
  acc_seal(desc, acc, SIDE_Q);
}

// The trainer's gradient accumulator (accumulate.ts).
export function trainer_acc(tr: usize): usize { return <usize>get(tr, ACC); }

// Empties both sides of the trainer's accumulator after shards_step flushed all its rows.
export function trainer_acc_clear(tr: usize): void {
  acc_clear(trainer_acc(tr), SIDE_P);
  acc_clear(trainer_acc(tr), SIDE_Q);
}

// One more optimiser step of `source` on the gradients of `rows` rows held in the trainer's
// accumulator (wake_rows, sleep_rows), gathered and stepped a tile of weight rows at a time as
// the threads do (shards_step, desc as its own only shard): the same sums in the same order as
// a flush of all of them into the gradient block, then a step over the whole region.
function stepHeld(desc: usize, tr: usize, source: i32, rows: i32): void {
  const steps = get(tr, STEPS + source) + 1;
  put(tr, STEPS + source, steps);
  const list = tr + (<usize>SELF << 3);
  store<i32>(list, <i32>desc);
  store<i32>(list, <i32>tr, 4);
  shards_step(desc, tr, list, 1, 1, 0, source, rows, steps);
}

// Trains on rows order[first .. first+count) of data in batches of B; `count` is a multiple of B
// except at the end of an epoch. With B = 1, `recruit` (a record of recruit.ts, or 0) runs after
// each wake update. Returns the summed wake description lengths in bits.
export function train_batches(desc: usize, tr: usize, data: usize, kind: i32, order: usize, first: i32, count: i32, recruit: usize): f64 {
  const B = <i32>get(tr, BATCH);
  const wakeQ = get(tr, WAKE_Q) != 0, sleepQ = get(tr, SLEEP_Q) != 0;
  trainer_tables_begin(desc, tr, min(B, count));
  let bits = 0.0;
  for (let b0 = first; b0 < first + count; b0 += B) {
    const rows = min(B, first + count - b0);
    bits += wake_rows(desc, tr, data, kind, order, b0, rows);
    stepHeld(desc, tr, SOURCE_WAKE_P, rows);
    if (wakeQ) stepHeld(desc, tr, SOURCE_WAKE_Q, rows);
    trainer_acc_clear(tr);
    if (recruit != 0) recruit_step(desc, recruit); // recognition passes only, which are never grouped
    if (sleepQ) {
      sleep_rows(desc, tr, rows);
      stepHeld(desc, tr, SOURCE_SLEEP_Q, rows);
      trainer_acc_clear(tr);
    }
  }
  groups_release(desc);
  return bits;
}
