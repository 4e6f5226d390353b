// The estimators of the spec, per data row: the description length F(d) in bits, the
// importance-sampled log-likelihood in nats, and the exact log-likelihood by enumeration.
// Data rows here are u8 0/1 (the caller binarizes probability rows once, with binarize_rows).
import { depth, field, ptr, N, ACT, STATE, IDX, COUNT, fieldAddr } from "./layout";
import { load_row, recognize_prepare, recognize_sample_prepared, generative_logprob, generativePass, layerLogProb, ROW_BINARY } from "./machine";
import { log_bernoulli_sum } from "./logprob";
import { groups_begin, groups_release } from "./groups";

const LOG2E: f64 = 1.4426950408889634;

@inline function loadRow(desc: usize, data: usize, r: i32): void {
  load_row(desc, data + <usize>r * <usize>field(desc, 0, N), ROW_BINARY);
}

// out[r] = (1/K) sum_k [log2 Q(h_k|d) - log2 P(h_k, d)], h_k ~ Q(.|d_r): F(d) in bits (f64 out).
// groups: a grouped-pass record laid out for desc (groups.ts), or 0.
export function description_length_rows(desc: usize, data: usize, rows: i32, K: i32, out: usize, groups: usize): void {
  const grouped = groups_begin(desc, groups, <f64>rows * <f64>K);
  for (let r = 0; r < rows; r++) {
    loadRow(desc, data, r);
    recognize_prepare(desc);
    let sum = 0.0;
    for (let k = 0; k < K; k++) {
      const logQ = recognize_sample_prepared(desc);
      sum += logQ - generative_logprob(desc);
    }
    store<f64>(out + (<usize>r << 3), sum / <f64>K * LOG2E);
  }
  if (grouped) groups_release(desc);
}

// out[r] = logsumexp_k [log P(d, h_k) - log Q(h_k|d)] - log K in nats, h_k ~ Q(.|d_r);
// logw: f64 scratch of K; groups as above. The maximum is subtracted before exponentiating.
export function log_likelihood_rows(desc: usize, data: usize, rows: i32, K: i32, out: usize, logw: usize, groups: usize): void {
  const grouped = groups_begin(desc, groups, <f64>rows * <f64>K);
  for (let r = 0; r < rows; r++) {
    loadRow(desc, data, r);
    recognize_prepare(desc);
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      const logQ = recognize_sample_prepared(desc);
      const w = generative_logprob(desc) - logQ;
      store<f64>(logw + (<usize>k << 3), w);
      if (w > max) max = w;
    }
    let sum = 0.0;
    for (let k = 0; k < K; k++) sum += Math.exp(load<f64>(logw + (<usize>k << 3)) - max);
    store<f64>(out + (<usize>r << 3), max + Math.log(sum) - Math.log(<f64>K));
  }
  if (grouped) groups_release(desc);
}

// out[r] = log P(d_r) = logsumexp over every configuration h of layers 1..L of log P(d_r, h),
// in nats. H = n[1] + .. + n[L] <= 30; acc: f64 scratch of 2 x rows (running max and sum).
// Each h is set once and its top-down part shared by all rows.
export function exact_log_likelihood_rows(desc: usize, data: usize, rows: i32, out: usize, acc: usize): void {
  const L = depth(desc);
  let H = 0;
  for (let l = 1; l <= L; l++) H += field(desc, l, N);
  for (let r = 0; r < rows; r++) { store<f64>(acc + (<usize>r << 4), -Infinity); store<f64>(acc + (<usize>r << 4), 0.0, 8); }
  const configs: u32 = 1 << H;
  for (let c: u32 = 0; c < configs; c++) {
    setHidden(desc, c);
    // log P(h) from the top layer down to layer 1, then log P(d | h_1) per row.
    let logPh = 0.0;
    for (let l = L; l >= 1; l--) logPh += layerLogProb(desc, l);
    for (let r = 0; r < rows; r++) {
      loadRow(desc, data, r);
      const x = logPh + layerLogProb(desc, 0);
      const a = acc + (<usize>r << 4);
      const m = load<f64>(a);
      if (x > m) { store<f64>(a, load<f64>(a, 8) * Math.exp(m - x) + 1.0, 8); store<f64>(a, x); }
      else store<f64>(a, load<f64>(a, 8) + Math.exp(x - m), 8);
    }
  }
  for (let r = 0; r < rows; r++) {
    const a = acc + (<usize>r << 4);
    store<f64>(out + (<usize>r << 3), load<f64>(a) + Math.log(load<f64>(a, 8)));
  }
}

// Sets layers 1..L to the bits of c (layer 1 in the low bits) with their active lists.
function setHidden(desc: usize, c: u32): void {
  let bit = 0;
  for (let l = 1; l <= depth(desc); l++) {
    const n = field(desc, l, N), s = ptr(desc, l, STATE), idx = ptr(desc, l, IDX);
    let count = 0;
    for (let j = 0; j < n; j++, bit++) {
      const on = (c >> bit) & 1;
      store<f32>(s + (<usize>j << 2), <f32>on);
      if (on) { store<i32>(idx + (<usize>count << 2), j); count++; }
    }
    store<i32>(fieldAddr(desc, l, COUNT), count);
  }
}
