// The memory layout of one machine, owned here so that kernels and the TypeScript side agree.
// At `sizes`: i32 n[0..L] written by the caller. After it, 16-byte aligned: the descriptor,
// the rng state, the parameters (one contiguous block: first P's, then Q's), a gradient block
// laid out exactly like the parameters, then scratch.
// Descriptor words: [0] L, [1] rng, [2] params begin (= P begin), [3] params end (= Q end),
// [4] Q begin (= P end), [5] gradient offset (bytes from a parameter to its gradient),
// [6] the grouped-pass record in use (groups.ts; 0: none), [7] the deferral record in use
// (deferred.ts; 0: none), then one record per layer.

export const HEADER_WORDS = 8;
export const RECORD_WORDS = 12;
// Record fields (i32 words) for layer l.
export const N = 0;        // units n[l]
export const STRIDE = 1;   // n[l] rounded up to a multiple of 4
export const ACT = 2;      // f32 [stride] activations
export const PROB = 3;     // f32 [stride] probabilities
export const STATE = 4;    // f32 [stride] states, 0.0 / 1.0
export const IDX = 5;      // i32 [n] indices of the active units
export const COUNT = 6;    // number of active units
export const GBIAS = 7;    // f32 [stride]: gb[l] for l < L, gTop for l = L
export const GW = 8;       // f32 [n[l+1] x stride[l]]: Gw[l], a row per upper unit (l < L)
export const RW = 9;       // f32 [n[l] x stride[l+1]]: Rw[l], a row per lower unit (l < L)
export const RBIAS = 10;   // f32 [stride]: rb[l] (l >= 1)
export const DELTA = 11;   // f32 [stride] scratch for the delta rule

@inline export function fieldAddr(desc: usize, l: i32, f: i32): usize {
  return desc + (<usize>(HEADER_WORDS + l * RECORD_WORDS + f) << 2);
}
@inline export function field(desc: usize, l: i32, f: i32): i32 {
  return load<i32>(fieldAddr(desc, l, f));
}
@inline export function ptr(desc: usize, l: i32, f: i32): usize {
  return <usize>field(desc, l, f);
}
@inline function setField(desc: usize, l: i32, f: i32, v: usize): void {
  store<i32>(fieldAddr(desc, l, f), <i32>v);
}
@inline export function depth(desc: usize): i32 { return load<i32>(desc); }
@inline export function rngOf(desc: usize): usize { return <usize>load<i32>(desc, 4); }
@inline function align16(x: f64): f64 { return Math.ceil(x / 16) * 16; }
@inline function strideOf(n: i32): f64 { return <f64>((n + 3) & ~3); }
@inline function size(sizes: usize, l: i32): i32 { return load<i32>(sizes + (<usize>l << 2)); }
@inline function descriptorAt(sizes: usize, L: i32): f64 { return align16(<f64>sizes + 4 * <f64>(L + 1)); }

// Lays out a machine with L + 1 layers of sizes n[0..L] at `sizes` and returns the first byte
// past it. Addresses are counted in f64 so that an oversized model is measured, not wrapped;
// the descriptor is written only when `write` is set (the caller has checked the end first).
function place(sizes: usize, L: i32, write: bool): f64 {
  const desc = <usize>descriptorAt(sizes, L);
  let at = align16(<f64>desc + 4 * <f64>(HEADER_WORDS + (L + 1) * RECORD_WORDS));
  const rng = at; at += 64;
  const paramsBegin = at;
  // P: the generative biases (gTop at the top) and weights.
  for (let l = 0; l <= L; l++) {
    const n = size(sizes, l), s = strideOf(n);
    if (write) { setField(desc, l, N, n); setField(desc, l, STRIDE, <usize>s); setField(desc, l, GBIAS, <usize>at); }
    at += 4 * s;
    if (l < L) {
      if (write) setField(desc, l, GW, <usize>at);
      at += 4 * <f64>size(sizes, l + 1) * s;
    } else if (write) setField(desc, l, GW, 0);
  }
  const qBegin = at;
  // Q: the recognition weights and biases.
  for (let l = 0; l <= L; l++) {
    const n = size(sizes, l), s = strideOf(n);
    if (l < L) {
      if (write) setField(desc, l, RW, <usize>at);
      at += 4 * <f64>n * strideOf(size(sizes, l + 1));
    } else if (write) setField(desc, l, RW, 0);
    if (write) setField(desc, l, RBIAS, l >= 1 ? <usize>at : 0);
    if (l >= 1) at += 4 * s;
  }
  const paramsEnd = at;
  at += paramsEnd - paramsBegin; // the gradient block
  for (let l = 0; l <= L; l++) {
    const bytes = 4 * strideOf(size(sizes, l));
    if (write) {
      setField(desc, l, ACT, <usize>at); setField(desc, l, PROB, <usize>(at + bytes));
      setField(desc, l, STATE, <usize>(at + 2 * bytes)); setField(desc, l, IDX, <usize>(at + 3 * bytes));
      setField(desc, l, DELTA, <usize>(at + 4 * bytes)); setField(desc, l, COUNT, 0);
    }
    at += 5 * bytes;
  }
  if (write) {
    store<i32>(desc, L);
    store<i32>(desc, <i32>rng, 4);
    store<i32>(desc, <i32>paramsBegin, 8);
    store<i32>(desc, <i32>paramsEnd, 12);
    store<i32>(desc, <i32>qBegin, 16);
    store<i32>(desc, <i32>(paramsEnd - paramsBegin), 20);
    store<i32>(desc, 0, 24);
    store<i32>(desc, 0, 28);
  }
  return at;
}

// First byte past a machine of sizes n[0..L] at `sizes`, for the caller's memory-limit check.
export function machine_end(sizes: usize, L: i32): f64 {
  return place(sizes, L, false);
}

// Writes the descriptor for sizes n[0..L] at `sizes` and returns its address; memory up to
// machine_end must exist.
export function layout_machine(sizes: usize, L: i32): usize {
  place(sizes, L, true);
  return <usize>descriptorAt(sizes, L);
}

// A shard: a second descriptor for one worker thread over the same parameters, with its own rng,
// gradient block and scratch (ACT, PROB, STATE, IDX, DELTA), so that workers can run wake and
// sleep steps on one machine at once. Bytes one needs, 16-byte aligned:
export function shard_bytes(desc: usize): f64 {
  const L = depth(desc);
  let bytes = align16(4 * <f64>(HEADER_WORDS + (L + 1) * RECORD_WORDS)) + 64 + <f64>(params_end(desc) - params_begin(desc));
  for (let l = 0; l <= L; l++) bytes += 5 * 4 * <f64>field(desc, l, STRIDE);
  return bytes;
}

// Writes a shard of desc at `at` (shard_bytes(desc) bytes, 16-byte aligned) and returns it; its
// gradient block starts zeroed.
export function layout_shard(desc: usize, at: usize): usize {
  const L = depth(desc), words = HEADER_WORDS + (L + 1) * RECORD_WORDS;
  memory.copy(at, desc, <usize>words << 2);
  let p = at + <usize>align16(4 * <f64>words);
  store<i32>(at, <i32>p, 4); // rng
  p += 64;
  const paramBytes = params_end(desc) - params_begin(desc);
  memory.fill(p, 0, paramBytes);
  store<i32>(at, <i32>(p - params_begin(desc)), 20); // gradient offset
  store<i32>(at, 0, 24); // no grouped-pass record in use
  store<i32>(at, 0, 28); // no deferral record in use
  p += paramBytes;
  for (let l = 0; l <= L; l++) {
    const bytes = <usize>field(desc, l, STRIDE) << 2;
    setField(at, l, ACT, p); setField(at, l, PROB, p + bytes); setField(at, l, STATE, p + 2 * bytes);
    setField(at, l, IDX, p + 3 * bytes); setField(at, l, DELTA, p + 4 * bytes); setField(at, l, COUNT, 0);
    p += 5 * bytes;
  }
  return at;
}

// Byte address of a parameter tensor: kind 0 gen bias (gTop at l = L), 1 Gw[l], 2 Rw[l], 3 rb[l].
export function param_ptr(desc: usize, kind: i32, l: i32): usize {
  return ptr(desc, l, kind == 0 ? GBIAS : kind == 1 ? GW : kind == 2 ? RW : RBIAS);
}
export function params_begin(desc: usize): usize { return <usize>load<i32>(desc, 8); }
export function params_end(desc: usize): usize { return <usize>load<i32>(desc, 12); }
export function q_begin(desc: usize): usize { return <usize>load<i32>(desc, 16); }
@inline export function gradOffset(desc: usize): usize { return <usize>load<i32>(desc, 20); }
export function rng_ptr(desc: usize): usize { return rngOf(desc); }
export function state_ptr(desc: usize, l: i32): usize { return ptr(desc, l, STATE); }
export function prob_ptr(desc: usize, l: i32): usize { return ptr(desc, l, PROB); }
