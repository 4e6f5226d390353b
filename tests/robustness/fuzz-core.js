// Seeded fuzzing of HelmholtzMachine.load with hostile model files: the mutators, an independent
// reference decoder that is the oracle, and the case runner. Plain JavaScript so that both the
// short vitest suite (tests/robustness/fuzz.test.ts, on src/) and the long run
// (`node scripts/fuzz.js --cases 100000 --seed 1`, on dist/) use the same code; the library is
// passed in as `lib` = { HelmholtzMachine, mulberry32 }.
//
// THE ORACLE. For every mutated file, referenceDecode() below decides, from the file format
// alone (README "Model files", written again here without using the library's decoder), whether
// the file is a valid model and, if so, what every value in it is. Then:
//   - invalid file: load() must reject with an Error whose message names the problem (starts
//     with "safetensors:", "model file:" or "the file's layers"), is at most MAX_MESSAGE
//     characters long, and comes within the time limit. Accepting it is a failure: that is a
//     model silently built from bad data.
//   - valid file: load() must resolve, and the machine must hold exactly what the file says:
//     the layer sizes; every parameter tensor bit for bit (as uint32 patterns, so -0, subnormals
//     and the largest finite floats count); the learning rate and epochs_trained (defaults 0.01
//     and 0 when absent); and, through save() decoded by the same reference decoder, the random
//     state (when the file has one), the optimiser with its constants, its step counts and every
//     optimiser state tensor bit for bit. Rejecting a valid file is also a failure (the oracle and
//     the library disagree on the format), reported with the library's message.
// So a bit flip inside a float that leaves it finite, a flip that turns "0.05" into "0.15", JSON
// re-indented or with its keys reordered, tensors moved in the data with their offsets updated,
// or two same-sized tensors whose offsets are swapped are all legitimately accepted, and the
// check is that the machine holds the values now in the file, not those of the original.
//
// Format rules the oracle applies (all must hold for "valid"):
//   8-byte little-endian header length n with n <= 1 MiB and 8 + n <= file length; the header is
//   UTF-8 JSON (JSON.parse semantics: for a repeated key the last one counts) for an object;
//   __metadata__ (optional) is an object of strings; format "wake-sleep", format_version "1";
//   layers: JSON array of 2..65 integers in [1, 2^24]; learning_rate (optional): a decimal number
//   in the form String(number) writes, finite and > 0; rng_state (optional): 128 lowercase hex
//   digits, no all-zero stream; optimizer (optional): JSON "sgd" | "momentum" | "adam" or an
//   object with type and optional momentum, beta1, beta2 in (0, 1) and epsilon > 0, nothing
//   else; with an optimizer, optimizer_steps: JSON array of 3 safe non-negative integers;
//   epochs_trained (optional): decimal digits, a safe integer; every other key is a tensor
//   entry { dtype: "F32", shape: non-negative safe integers, data_offsets: [begin, end] safe
//   integers, begin <= end, end - begin = 4 x elements }; the entries' ranges tile the data
//   [0, file length - 8 - n) exactly; the tensor names are exactly the model's (parameters, and
//   optim.{source}.{slot}.{parameter} for momentum and Adam) with the shapes of its layers; every
//   value is finite.

export const MAX_HEADER_BYTES = 1 << 20;
export const MAX_MESSAGE = 1000;
const MAX_UNITS = 1 << 24;
const MAX_LAYERS = 64;
const F32_MAX = 3.4028234663852886e38;
const MESSAGE_PREFIX = /^(safetensors: |model file: |the file's layers)/;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

// ---------------------------------------------------------------------------------------------
// The reference decoder (the oracle).

const bad = (reason) => ({ ok: false, reason });
const isObject = (x) => typeof x === "object" && x !== null && !Array.isArray(x);
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const DEFAULT_OPTIMIZER = { momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const SLOTS = { sgd: [], momentum: ["velocity"], adam: ["m", "v"] };

/** Parameter names and shapes of a model with these layers, in the README's table. */
export function parameterTable(layers) {
  const L = layers.length - 1;
  const out = [{ name: "gen.top.bias", shape: [layers[L]], generative: true }];
  for (let l = 0; l < L; l++) {
    out.push(
      { name: `gen.${l}.weight`, shape: [layers[l + 1], layers[l]], generative: true },
      { name: `gen.${l}.bias`, shape: [layers[l]], generative: true },
      { name: `rec.${l}.weight`, shape: [layers[l], layers[l + 1]], generative: false },
      { name: `rec.${l}.bias`, shape: [layers[l + 1]], generative: false },
    );
  }
  return out;
}

function stateTable(layers, type) {
  const out = [];
  for (const [source, generative] of [["wake_p", true], ["wake_q", false], ["sleep_q", false]]) {
    for (const slot of SLOTS[type]) {
      for (const p of parameterTable(layers)) if (p.generative === generative) out.push({ name: `optim.${source}.${slot}.${p.name}`, shape: p.shape });
    }
  }
  return out;
}

function readOptimizer(text) {
  let v;
  try { v = JSON.parse(text); } catch { return undefined; }
  if (typeof v === "string") v = { type: v };
  if (!isObject(v)) return undefined;
  if (Object.keys(v).some((k) => !["type", "momentum", "beta1", "beta2", "epsilon"].includes(k))) return undefined;
  if (!["sgd", "momentum", "adam"].includes(v.type)) return undefined;
  const out = { type: v.type, ...DEFAULT_OPTIMIZER };
  for (const k of ["momentum", "beta1", "beta2"]) {
    if (v[k] === undefined) continue;
    if (typeof v[k] !== "number" || !(v[k] > 0 && v[k] < 1)) return undefined;
    out[k] = v[k];
  }
  if (v.epsilon !== undefined) {
    if (typeof v.epsilon !== "number" || !(Number.isFinite(v.epsilon) && v.epsilon > 0)) return undefined;
    out.epsilon = v.epsilon;
  }
  return out;
}

/**
 * The oracle: { ok: true, model } for a valid model file, { ok: false, reason } otherwise.
 * model: { layers, tensors: Map(name -> { shape, bits: Uint32Array }), learningRate?, rng?,
 * optimizer?, steps?, epochs? }.
 */
export function referenceDecode(bytes) {
  if (bytes.length < 8) return bad("shorter than 8 bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) return bad("header over 1 MiB");
  if (8n + n > BigInt(bytes.length)) return bad("header past the end");
  const dataStart = 8 + Number(n);
  let header;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(8, dataStart)));
  } catch {
    return bad("header not UTF-8 JSON");
  }
  if (!isObject(header)) return bad("header not an object");
  const meta = own(header, "__metadata__") ? header.__metadata__ : {};
  if (!isObject(meta)) return bad("__metadata__ not an object");
  if (Object.values(meta).some((v) => typeof v !== "string")) return bad("__metadata__ value not a string");
  const get = (k) => (own(meta, k) ? meta[k] : undefined);
  if (get("format") !== "wake-sleep") return bad("format");
  if (get("format_version") !== "1") return bad("format_version");
  let layers;
  try { layers = JSON.parse(get("layers")); } catch { return bad("layers not JSON"); }
  if (!Array.isArray(layers) || layers.length < 2 || layers.length > MAX_LAYERS + 1) return bad("layers count");
  if (!layers.every((x) => Number.isInteger(x) && x >= 1 && x <= MAX_UNITS)) return bad("layer size");
  const model = { layers, tensors: new Map() };
  const lr = get("learning_rate");
  if (lr !== undefined) {
    if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(lr)) return bad("learning_rate syntax");
    const v = Number(lr);
    if (!(Number.isFinite(v) && v > 0)) return bad("learning_rate value");
    model.learningRate = v;
  }
  const rng = get("rng_state");
  if (rng !== undefined) {
    if (!/^[0-9a-f]{128}$/.test(rng)) return bad("rng_state syntax");
    for (let lane = 0; lane < 4; lane++) {
      if ([0, 4, 8, 12].every((w) => /^0{8}$/.test(rng.slice(8 * (w + lane), 8 * (w + lane) + 8)))) return bad("rng_state zero stream");
    }
    model.rng = rng;
  }
  const opt = get("optimizer");
  if (opt !== undefined) {
    model.optimizer = readOptimizer(opt);
    if (!model.optimizer) return bad("optimizer");
    let steps;
    try { steps = JSON.parse(get("optimizer_steps")); } catch { return bad("optimizer_steps not JSON"); }
    if (!Array.isArray(steps) || steps.length !== 3 || !steps.every((s) => Number.isSafeInteger(s) && s >= 0)) return bad("optimizer_steps");
    model.steps = steps;
  }
  const epochs = get("epochs_trained");
  if (epochs !== undefined) {
    if (!/^[0-9]+$/.test(epochs) || !Number.isSafeInteger(Number(epochs))) return bad("epochs_trained");
    model.epochs = Number(epochs);
  }
  // Tensor entries.
  const entries = [];
  for (const [name, e] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (!isObject(e)) return bad("entry not an object");
    if (e.dtype !== "F32") return bad("dtype");
    const shape = e.shape, off = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return bad("shape syntax");
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[1] < off[0]) return bad("offsets syntax");
    const elements = shape.reduce((a, b) => a * b, 1);
    if (off[1] - off[0] !== 4 * elements) return bad("offsets disagree with shape");
    entries.push({ name, shape, begin: off[0], end: off[1] });
  }
  // The ranges must tile [0, data length): sorted by (begin, end), each starts where the last ended.
  const dataLength = bytes.length - dataStart;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) return bad("offsets do not tile");
    at = e.end;
  }
  if (at !== dataLength) return bad("data length");
  const expected = [...parameterTable(layers), ...(model.optimizer ? stateTable(layers, model.optimizer.type) : [])];
  if (entries.length !== expected.length) return bad("tensor count");
  for (const p of expected) {
    const e = entries.find((x) => x.name === p.name);
    if (!e) return bad("tensor names");
    if (e.shape.length !== p.shape.length || e.shape.some((d, i) => d !== p.shape[i])) return bad("tensor shape");
    const bits = new Uint32Array(e.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < bits.length; i++) {
      bits[i] = view.getUint32(dataStart + e.begin + 4 * i, true);
      if (((bits[i] >>> 23) & 0xff) === 0xff) return bad("non-finite value");
    }
    model.tensors.set(p.name, { shape: p.shape, bits });
  }
  return { ok: true, model };
}

// ---------------------------------------------------------------------------------------------
// Base models and file surgery.

function binaryRows(lib, rows, width, seed) {
  const u = lib.mulberry32(seed);
  return Uint8Array.from({ length: rows * width }, () => (u() < 0.35 ? 1 : 0));
}

/** Parses a file far enough to edit its header; undefined if it cannot. */
export function split(bytes) {
  if (bytes.length < 8) return undefined;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) return undefined;
  const text = (() => { try { return decoder.decode(bytes.subarray(8, 8 + Number(n))); } catch { return undefined; } })();
  if (text === undefined) return undefined;
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { text, json: isObject(json) ? json : undefined, data: bytes.subarray(8 + Number(n)) };
}

/** A file from header text and data, with the header length set to match. */
export function join(text, data) {
  const head = encoder.encode(text);
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

/** Deterministic base files: SGD, Adam and momentum models, and one with minimal metadata. */
export async function makeBases(lib) {
  const { HelmholtzMachine } = lib;
  const sgd = await HelmholtzMachine.create({ layers: [5, 3, 2], seed: 1, learningRate: 0.1, initScale: 0.3 });
  await sgd.fit(binaryRows(lib, 40, 5, 1), { epochs: 2 });
  const adam = await HelmholtzMachine.create({ layers: [4, 2], seed: 2, learningRate: 0.05, initScale: 0.5 });
  await adam.fit(binaryRows(lib, 30, 4, 2), { optimizer: "adam" });
  const momentum = await HelmholtzMachine.create({ layers: [6, 1], seed: 3, learningRate: 0.02, initScale: 0.2 });
  await momentum.fit(binaryRows(lib, 20, 6, 3), { optimizer: { type: "momentum", momentum: 0.5 }, batchSize: 4 });
  const bases = [
    { name: "sgd [5,3,2]", bytes: sgd.save() },
    { name: "adam [4,2]", bytes: adam.save() },
    { name: "momentum [6,1]", bytes: momentum.save() },
  ];
  // Only what a model file must hold: no learning_rate, rng_state or epochs_trained.
  const s = split(bases[0].bytes);
  const meta = s.json.__metadata__;
  s.json.__metadata__ = { format: meta.format, format_version: meta.format_version, layers: meta.layers };
  bases.push({ name: "minimal [5,3,2]", bytes: join(JSON.stringify(s.json), s.data) });
  for (const m of [sgd, adam, momentum]) m.dispose();
  for (const b of bases) if (!referenceDecode(b.bytes).ok) throw new Error(`fuzz: base ${b.name} is not valid to the oracle: ${referenceDecode(b.bytes).reason}`);
  return bases;
}

// ---------------------------------------------------------------------------------------------
// Mutators: each takes (bytes, r, bases) and returns new bytes; r is the case's random source.

function rand(u) {
  const r = {
    u,
    int: (n) => Math.floor(u() * n),
    chance: (p) => u() < p,
    pick: (a) => a[Math.floor(u() * a.length)],
    between: (lo, hi) => lo + Math.floor(u() * (hi - lo + 1)),
  };
  return r;
}

const tensorNames = (json) => Object.keys(json).filter((k) => k !== "__metadata__");

// Header edits go through JSON; when the header does not parse, fall back to a bit flip.
function editHeader(bytes, r, edit) {
  const s = split(bytes);
  if (!s || !s.json || tensorNames(s.json).length === 0) return MUTATORS["bit-flip"](bytes, r);
  const data = edit(s.json, s.data) ?? s.data;
  return join(JSON.stringify(s.json), data);
}

function setFloatBits(bytes, r, value) {
  const s = split(bytes);
  if (!s || s.data.length < 4) return MUTATORS["bit-flip"](bytes, r);
  const out = bytes.slice();
  const at = out.length - s.data.length + 4 * r.int(Math.floor(s.data.length / 4));
  new DataView(out.buffer).setUint32(at, value >>> 0, true);
  return out;
}

const PAYLOAD_NAN = [0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xffffffff];
const FINITE_BITS = [0x00000000, 0x80000000, 0x7f7fffff, 0xff7fffff, 0x00000001, 0x807fffff, 0x00800000, 0x461c4000 /* 1e4 */, 0x7f61d9bc /* 3e38 */];

const JSON_BITS = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\n', '\t', '0', '1', '9', '-', '.', 'e', 'E', 'a', 'n', 't', 'u', 'l', 'null', 'true', '1e999', '\u00e9', '\ud800'];

export const MUTATORS = {
  "bit-flip": (b, r) => {
    const out = b.slice();
    for (let k = r.between(1, 4); k > 0 && out.length > 0; k--) out[r.int(out.length)] ^= 1 << r.int(8);
    return out;
  },
  "bit-flip-header": (b, r) => {
    const s = split(b);
    const end = s ? b.length - s.data.length : Math.min(b.length, 8);
    const out = b.slice();
    if (out.length > 0) out[r.int(end)] ^= 1 << r.int(8);
    return out;
  },
  "bit-flip-data": (b, r) => {
    const s = split(b);
    if (!s || s.data.length === 0) return MUTATORS["bit-flip"](b, r);
    const out = b.slice();
    out[out.length - s.data.length + r.int(s.data.length)] ^= 1 << r.int(8);
    return out;
  },
  "byte-set": (b, r) => {
    const out = b.slice();
    for (let k = r.between(1, 8); k > 0 && out.length > 0; k--) out[r.int(out.length)] = r.int(256);
    return out;
  },
  truncate: (b, r) => b.slice(0, r.int(b.length)),
  extend: (b, r) => {
    const extra = Uint8Array.from({ length: r.between(1, 64) }, () => (r.chance(0.5) ? 0 : r.int(256)));
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    return out;
  },
  "header-length": (b, r) => {
    const out = b.length >= 8 ? b.slice() : Uint8Array.from({ length: 8 }, (_, i) => b[i] ?? 0);
    const v = new DataView(out.buffer);
    const n = Number(v.getBigUint64(0, true));
    const choices = [
      () => BigInt(out.length - 8 + r.between(1, 64)), // past the end
      () => 2n ** 64n - 1n,
      () => 2n ** 32n + BigInt(n),
      () => 2n ** 53n + 1n,
      () => BigInt(Math.max(0, n + r.pick([-16, -8, -3, -1, 1, 2, 7, 16]))),
      () => 0n,
      () => BigInt(MAX_HEADER_BYTES + 1),
      () => BigInt(r.int(2 ** 32)) * BigInt(r.int(2 ** 32)),
    ];
    v.setBigUint64(0, r.pick(choices)() % 2n ** 64n, true);
    return out;
  },
  "json-text": (b, r) => {
    const s = split(b);
    if (!s) return MUTATORS["byte-set"](b, r);
    let t = s.text;
    const at = r.int(t.length + 1);
    const op = r.int(4);
    if (op === 0) t = t.slice(0, at) + r.pick(JSON_BITS) + t.slice(at);
    else if (op === 1) t = t.slice(0, at) + t.slice(at + r.between(1, 8));
    else if (op === 2) { const from = r.int(t.length); t = t.slice(0, at) + t.slice(from, from + r.between(1, 40)) + t.slice(at); }
    else t = t.slice(0, at) + r.pick(JSON_BITS) + t.slice(at + 1);
    return join(t, s.data);
  },
  "json-whitespace": (b, r) => {
    const s = split(b);
    if (!s || !s.json) return MUTATORS["bit-flip"](b, r);
    const ws = r.pick([" ", "\n", "\t", "\r\n", "  \n\t"]);
    const text = r.chance(0.5) ? JSON.stringify(s.json, null, r.pick([1, 2, "\t"])) : JSON.stringify(s.json).replace(/([,:{}[\]])/g, (m) => (r.chance(0.3) ? m + ws : m));
    return join(text + " ".repeat(r.int(9)), s.data);
  },
  "key-order": (b, r) => editHeader(b, r, (json) => {
    const keys = Object.keys(json);
    for (let i = keys.length - 1; i > 0; i--) { const j = r.int(i + 1); [keys[i], keys[j]] = [keys[j], keys[i]]; }
    const copy = Object.fromEntries(keys.map((k) => [k, json[k]]));
    for (const k of keys) delete json[k];
    Object.assign(json, copy);
  }),
  "data-permute": (b, r) => editHeader(b, r, (json, data) => {
    // Moves the tensors' bytes into a new order and updates their offsets: a valid file.
    const names = tensorNames(json).filter((k) => isObject(json[k]) && Array.isArray(json[k].data_offsets));
    for (let i = names.length - 1; i > 0; i--) { const j = r.int(i + 1); [names[i], names[j]] = [names[j], names[i]]; }
    const parts = [];
    let at = 0;
    for (const k of names) {
      const [begin, end] = json[k].data_offsets;
      const piece = data.slice(begin, end);
      json[k].data_offsets = [at, at + piece.length];
      at += piece.length;
      parts.push(piece);
    }
    const out = new Uint8Array(at);
    let p = 0;
    for (const piece of parts) { out.set(piece, p); p += piece.length; }
    return out;
  }),
  shape: (b, r) => editHeader(b, r, (json) => {
    const e = json[r.pick(tensorNames(json))];
    if (!isObject(e)) return;
    const s = Array.isArray(e.shape) ? e.shape.slice() : [1];
    e.shape = r.pick([
      () => s.slice().reverse(),
      () => s.map((d, i) => (i === s.length - 1 ? d + r.pick([-1, 1]) : d)),
      () => [...s, 1],
      () => s.slice(1),
      () => [],
      () => [0],
      () => [-1, ...s.slice(1)],
      () => [s[0] + 0.5],
      () => s.map(String),
      () => null,
      () => ({}),
      () => [2 ** 53, 2],
      () => [60000, 60000],
      () => [s.reduce((a, c) => a * c, 1)],
    ])();
  }),
  offsets: (b, r) => editHeader(b, r, (json) => {
    const names = tensorNames(json).filter((k) => isObject(json[k]));
    if (names.length === 0) return;
    const a = json[r.pick(names)], c = json[r.pick(names)];
    const o = Array.isArray(a.data_offsets) ? a.data_offsets.slice() : [0, 0];
    const op = r.int(9);
    if (op === 0) [a.data_offsets, c.data_offsets] = [c.data_offsets, a.data_offsets]; // valid when same size
    else if (op === 1) { const d = 4 * r.pick([-2, -1, 1, 2]); a.data_offsets = [o[0] + d, o[1] + d]; }
    else if (op === 2) a.data_offsets = Array.isArray(c.data_offsets) ? [c.data_offsets[0], c.data_offsets[0] + o[1] - o[0]] : o;
    else if (op === 3) a.data_offsets = [o[1], o[0]];
    else if (op === 4) a.data_offsets = [-4, o[1] - o[0] - 4];
    else if (op === 5) a.data_offsets = [o[0] + 0.5, o[1] + 0.5];
    else if (op === 6) a.data_offsets = r.pick([o.map(String), [o[0]], [...o, 0], null, "0-4", { 0: o[0], 1: o[1] }]);
    else if (op === 7) a.data_offsets = [2 ** 53, 2 ** 53 + o[1] - o[0]];
    else delete a.data_offsets;
  }),
  dtype: (b, r) => editHeader(b, r, (json) => {
    const e = json[r.pick(tensorNames(json))];
    if (!isObject(e)) return;
    const v = r.pick(["F16", "BF16", "F64", "I32", "I64", "U8", "BOOL", "f32", "F32 ", " F32", "", null, 32, ["F32"], {}, "DELETE"]);
    if (v === "DELETE") delete e.dtype;
    else e.dtype = v;
  }),
  "non-finite": (b, r) => {
    let out = b;
    for (let k = r.between(1, 3); k > 0; k--) out = setFloatBits(out, r, r.chance(0.4) ? r.pick(PAYLOAD_NAN) : r.pick([0x7f800000, 0xff800000]));
    return out;
  },
  "finite-value": (b, r) => {
    let out = b;
    for (let k = r.between(1, 3); k > 0; k--) {
      let bits;
      do bits = r.chance(0.5) ? r.pick(FINITE_BITS) : r.int(2 ** 32); while (((bits >>> 23) & 0xff) === 0xff);
      out = setFloatBits(out, r, bits);
    }
    return out;
  },
  layers: (b, r) => editHeader(b, r, (json) => {
    const meta = isObject(json.__metadata__) ? json.__metadata__ : (json.__metadata__ = {});
    let current;
    try { current = JSON.parse(meta.layers); } catch { current = [5, 3, 2]; }
    if (!Array.isArray(current)) current = [5, 3, 2];
    meta.layers = r.pick([
      () => "[60000,60000]",
      () => `[${MAX_UNITS},${MAX_UNITS}]`,
      () => `[${MAX_UNITS + 1},2]`,
      () => JSON.stringify(Array(MAX_LAYERS + 2).fill(1)),
      () => JSON.stringify(Array(MAX_LAYERS + 1).fill(1)),
      () => "[5]", () => "[]", () => "[0,3]", () => "[-1,3]", () => "[5.5,3]", () => "[5,3",
      () => '"x"', () => "null", () => "{}", () => "[1e400,1]", () => '["5","3"]', () => "",
      () => JSON.stringify(current.map((x, i) => (i === current.length - 1 ? x + r.pick([-1, 1]) : x))),
      () => JSON.stringify([...current].reverse()),
      () => ` ${JSON.stringify(current)}\n`, // same layers: valid
      () => JSON.stringify(current).replace(/(\d+)/, "$1.0"), // same layers: valid
    ])();
  }),
  // A header that agrees with itself for layers far beyond the wasm memory limit (shapes and
  // offsets of [60000, 60000], ~29 GB of data) on a file that holds none of that data.
  "memory-limit": (b, r) => {
    const layers = r.pick([[60000, 60000], [MAX_UNITS, MAX_UNITS], [30000, 30000, 30000], [40000, 1, 40000]]);
    const header = { __metadata__: { format: "wake-sleep", format_version: "1", layers: JSON.stringify(layers) } };
    let at = 0;
    for (const p of parameterTable(layers)) {
      const bytes = 4 * p.shape.reduce((a, c) => a * c, 1);
      header[p.name] = { dtype: "F32", shape: p.shape, data_offsets: [at, at + bytes] };
      at += bytes;
    }
    return join(JSON.stringify(header), b.subarray(Math.min(b.length, 8 + r.int(64))));
  },
  metadata: (b, r) => editHeader(b, r, (json) => {
    const meta = isObject(json.__metadata__) ? json.__metadata__ : (json.__metadata__ = {});
    const hex = () => Array.from({ length: 128 }, () => "0123456789abcdef"[r.int(16)]).join("");
    const [key, values] = r.pick([
      ["format", ["other", "wake-sleep ", "Wake-Sleep", "DELETE"]],
      ["format_version", ["2", "1.0", " 1", "DELETE"]],
      ["learning_rate", ["0", "-1", "NaN", "Infinity", "1e400", "", " 0.5", "0.5 ", "0x10", "0b1", "+1", "1_0", "0.5", "1e-3", ".5", "5.", "1e+2", "2.5E-1", "DELETE"]],
      ["rng_state", [hex(), hex().toUpperCase(), hex().slice(1), "0".repeat(128), "1".repeat(8) + "0".repeat(120), "DELETE"]],
      ["optimizer", ["{", '{"type":"nesterov"}', '{"type":"adam","beta1":1}', '{"type":"adam","extra":1}', '"adam"', '"sgd"', '{"type":"sgd"}',
        '{"type":"momentum","momentum":0.5}', '{"type":"adam","beta1":0.9,"beta2":0.999,"epsilon":1e-8,"momentum":0.9}', "null", "[]", "DELETE"]],
      ["optimizer_steps", ["[1,2]", "[1,2,-3]", "[1,2,3.5]", "[0,0,0]", "[1e300,0,0]", "x", "DELETE"]],
      ["epochs_trained", ["", "-1", "1.5", "1e3", "12", " 3", "0x1f", "9007199254740993", "007", "DELETE"]],
      ["extra_key", ["anything", "DELETE"]],
      ["__proto__", ["x"]],
    ]);
    const v = r.chance(0.05) ? r.pick([1, null, { a: 1 }, ["x"], true]) : r.pick(values);
    if (v === "DELETE") delete meta[key];
    else if (key === "__proto__") Object.defineProperty(meta, key, { value: v, enumerable: true, configurable: true, writable: true });
    else meta[key] = v;
  }),
  "tensor-set": (b, r) => {
    const s = split(b);
    if (!s || !s.json || tensorNames(s.json).length === 0) return MUTATORS["bit-flip"](b, r);
    const json = s.json, names = tensorNames(json);
    const op = r.int(5);
    if (op === 0) delete json[r.pick(names)]; // leaves a gap, or a missing tensor
    else if (op === 1) json[r.pick(["extra.bias", "gen.9.bias", "optim.wake_p.m.gen.top.bias", "gen.top.bias ", "__metadata"])] = { dtype: "F32", shape: [0], data_offsets: [0, 0] };
    else if (op === 2) { const a = r.pick(names), c = r.pick(names); [json[a], json[c]] = [json[c], json[a]]; } // valid when same shape
    else if (op === 3) { const a = r.pick(names); json[a.replace(/\d/, (d) => String((+d + 1) % 10))] = json[a]; delete json[a]; }
    else {
      // The same key twice in the text: JSON.parse keeps the last one.
      const a = r.pick(names);
      const text = JSON.stringify(json);
      const dup = `${JSON.stringify(a)}:${JSON.stringify({ dtype: "F32", shape: [1], data_offsets: [0, 4] })},`;
      return join(r.chance(0.5) ? text.replace("{", "{" + dup) : text.replace(/}$/, "," + dup.slice(0, -1) + "}"), s.data);
    }
    return join(JSON.stringify(json), s.data);
  },
  // Headers built to cost the decoder: arrays nested thousands deep (JSON.stringify of them in a
  // message would overflow the stack), names hundreds of kilobytes long, thousands of entries.
  "json-bomb": (b, r) => {
    const s = split(b);
    const data = s ? s.data : new Uint8Array(0);
    const json = s?.json ?? { __metadata__: { format: "wake-sleep", format_version: "1", layers: "[5,3,2]" } };
    // Mostly 5,000 to 60,000 deep; one in twenty fills the 1 MiB header (500,000 deep).
    const depth = r.chance(0.05) ? 500000 : r.between(5000, 60000);
    const deep = "[".repeat(depth) + "]".repeat(depth);
    const text = JSON.stringify(json);
    const name = r.pick(tensorNames(json).concat(["x"]));
    switch (r.int(6)) {
      case 0: return join(text.replace(/}$/, `,"bomb":{"dtype":${deep}}}`), data);
      case 1: return join(text.replace(/}$/, `,${JSON.stringify(name)}:{"dtype":"F32","shape":${deep},"data_offsets":[0,0]}}`), data);
      case 2: return join(text.replace('"__metadata__":{', `"__metadata__":{"deep":${deep},`), data);
      case 3: return join(text.replace(/}$/, `,${JSON.stringify("n".repeat(r.between(10000, 400000)))}:{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`), data);
      case 4: {
        const many = Array.from({ length: r.between(1000, 20000) }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(",");
        return join(text.replace(/}$/, `,${many}}`), data);
      }
      default: return join(text + " ".repeat(MAX_HEADER_BYTES - 1 - text.length + r.int(3)), data); // at, or one byte over, the header limit
    }
  },
  splice: (b, r) => {
    if (b.length < 2) return MUTATORS["byte-set"](b, r);
    const out = b.slice();
    const len = r.between(1, Math.min(64, b.length - 1));
    const from = r.int(b.length - len), to = r.int(b.length - len);
    out.set(b.subarray(from, from + len), to);
    return out;
  },
  "cross-over": (b, r, bases) => {
    const s = split(b), o = split(r.pick(bases).bytes);
    if (!s || !o) return MUTATORS["bit-flip"](b, r);
    return r.chance(0.5) ? join(s.text, o.data) : join(o.text, s.data);
  },
  tiny: (b, r) => Uint8Array.from({ length: r.int(17) }, (_, i) => (r.chance(0.5) && i < b.length ? b[i] : r.int(256))),
};
export const KINDS = Object.keys(MUTATORS);

/** Case i of seed: its base and mutations, from its own stream (so any case replays alone). */
export function makeCase(lib, bases, seed, i) {
  const r = rand(lib.mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0));
  const base = bases[r.int(bases.length)];
  const kinds = [r.pick(KINDS)];
  // A second mutation on top, except after a json-bomb (re-serialising its header would itself
  // overflow the stack).
  if (r.chance(0.25) && kinds[0] !== "json-bomb") kinds.push(r.pick(KINDS));
  let bytes = base.bytes;
  for (const k of kinds) bytes = MUTATORS[k](bytes, r, bases);
  return { base: base.name, kinds, bytes };
}

// ---------------------------------------------------------------------------------------------
// One case: load, then hold the result to the oracle.

// a: Uint32Array of bit patterns; f32: Float32Array. Equal as bits, so -0 and 0 differ.
function sameBits(a, f32) {
  if (a.length !== f32.length) return false;
  const b = new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
  return a.every((v, i) => v === b[i]);
}

function checkAccepted(m, model) {
  const problems = [];
  if (JSON.stringify(m.layers) !== JSON.stringify(model.layers)) problems.push(`layers ${JSON.stringify(m.layers)}, file says ${JSON.stringify(model.layers)}`);
  const params = m.parameters();
  for (const p of parameterTable(model.layers)) {
    const t = params.get(p.name);
    if (!t || !sameBits(model.tensors.get(p.name).bits, t.data)) problems.push(`parameter ${p.name} differs from the file`);
  }
  if (m.learningRate !== (model.learningRate ?? 0.01)) problems.push(`learningRate ${m.learningRate}, file says ${model.learningRate}`);
  if (m.epochsTrained !== (model.epochs ?? 0)) problems.push(`epochsTrained ${m.epochsTrained}, file says ${model.epochs}`);
  const saved = referenceDecode(m.save());
  if (!saved.ok) return [...problems, `save() wrote a file the oracle rejects: ${saved.reason}`];
  const s = saved.model;
  if (model.rng !== undefined && s.rng !== model.rng) problems.push("rng_state differs from the file");
  const withState = model.optimizer && model.optimizer.type !== "sgd";
  if (!withState && s.optimizer) problems.push(`save() has optimizer ${s.optimizer.type}, file says ${model.optimizer?.type ?? "none"}`);
  if (withState) {
    if (!s.optimizer || Object.keys(model.optimizer).some((k) => s.optimizer[k] !== model.optimizer[k])) problems.push(`optimizer ${JSON.stringify(s.optimizer)}, file says ${JSON.stringify(model.optimizer)}`);
    if (JSON.stringify(s.steps) !== JSON.stringify(model.steps)) problems.push(`optimizer_steps ${JSON.stringify(s.steps)}, file says ${JSON.stringify(model.steps)}`);
    for (const [name, t] of model.tensors) {
      const mine = s.tensors.get(name)?.bits ?? new Uint32Array(0);
      if (name.startsWith("optim.") && !(mine.length === t.bits.length && mine.every((v, i) => v === t.bits[i]))) problems.push(`optimiser state ${name} differs from the file`);
    }
  }
  return problems;
}

/**
 * Loads `bytes` and checks the outcome against the oracle. Returns { accepted, ms, problems }:
 * problems is empty when the library did what the oracle says it must.
 */
export async function runCase(lib, bytes) {
  const verdict = referenceDecode(bytes);
  const t0 = performance.now();
  let machine, error;
  try {
    machine = await lib.HelmholtzMachine.load(bytes);
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  const problems = [];
  if (machine) {
    if (!verdict.ok) problems.push(`accepted a file the oracle rejects (${verdict.reason})`);
    else problems.push(...checkAccepted(machine, verdict.model));
    machine.dispose();
  } else {
    if (!(error instanceof Error)) problems.push(`threw a non-Error: ${String(error)}`);
    else {
      if (!MESSAGE_PREFIX.test(error.message)) problems.push(`message does not say what is wrong: ${error.constructor.name}: ${error.message.slice(0, 200)}`);
      if (error.message.length > MAX_MESSAGE) problems.push(`message is ${error.message.length} characters long`);
    }
    if (verdict.ok) problems.push(`rejected a file the oracle accepts: ${String(error?.message ?? error).slice(0, 200)}`);
  }
  return { accepted: Boolean(machine), ms, problems, reason: verdict.ok ? undefined : verdict.reason };
}

/**
 * Runs cases [first, first + cases) of `seed`. onCase(i) is called before each case (the long
 * run's watchdog uses it). Returns the counts, the slowest case and up to 20 failures.
 */
export async function runFuzz(lib, { cases, seed, first = 0, onCase, onProgress } = {}) {
  const bases = await makeBases(lib);
  const stats = { cases: 0, rejected: 0, accepted: 0, maxMs: 0, slowest: undefined, failures: [], failureCount: 0, byKind: {} };
  for (let i = first; i < first + cases; i++) {
    onCase?.(i);
    const c = makeCase(lib, bases, seed, i);
    const result = await runCase(lib, c.bytes);
    stats.cases++;
    stats[result.accepted ? "accepted" : "rejected"]++;
    const kind = c.kinds.join("+");
    const k = (stats.byKind[c.kinds[0]] ??= { rejected: 0, accepted: 0 });
    k[result.accepted ? "accepted" : "rejected"]++;
    if (result.ms > stats.maxMs) {
      stats.maxMs = result.ms;
      stats.slowest = { case: i, kinds: kind, base: c.base, bytes: c.bytes.length };
    }
    if (result.problems.length > 0) {
      stats.failureCount++;
      if (stats.failures.length < 20) stats.failures.push({ case: i, kinds: kind, base: c.base, problems: result.problems });
    }
    onProgress?.(stats, i);
  }
  return stats;
}
