// The Helmholtz machine: a top-down generative sigmoid belief net P and a bottom-up recognition
// net Q over the same layers of binary units, trained by wake-sleep (Hinton et al., 1995).
import { WasmMemory, MAX_MEMORY_BYTES } from "./wasm.js";
import { toRows, toVector, type Data, type Rows, type Vector } from "./data.js";
import { boolean, integerIn, options, positiveFinite, show } from "./validate.js";
import { decodeModel, encodeModel, parameterShapes } from "./model-file.js";
import type { Tensor } from "./safetensors.js";

export interface CreateOptions {
  /** Units per layer, visible first: [n0, n1, ..., nL], L >= 1. */
  layers: number[];
  /** Seed of the random stream (integer in [0, 2^53)); default 0. */
  seed?: number;
  /** Learning rate ε of the delta rules; default 0.01. */
  learningRate?: number;
  /** Weights start as N(0, initScale²), biases as 0; default 0.01. */
  initScale?: number;
}

export interface FitOptions {
  /** Passes over the data; default 1. */
  epochs?: number;
  /** ε for this fit; default the machine's learningRate. */
  learningRate?: number;
  /** Visit rows in a fresh random order each epoch; default true. */
  shuffle?: boolean;
  /** Called as training proceeds, after each chunk of rows and at the end of each epoch. */
  onProgress?: (progress: FitProgress) => void;
  /** Stops training at the next chunk boundary; fit then resolves with the epochs completed. */
  signal?: AbortSignal;
}

export interface FitProgress {
  epoch: number;
  epochs: number;
  /** Rows of this epoch done so far, of `rows`. */
  rowsDone: number;
  rows: number;
  /** Mean wake-phase description length over this epoch's rows so far, in bits. */
  descriptionLength: number;
  /** True on the last call of an epoch. */
  epochEnd: boolean;
}

export interface EpochStats {
  epoch: number;
  /** Mean over the epoch of the one-sample wake estimate of F(d), in bits (the model changes as it goes). */
  descriptionLength: number;
  rows: number;
  seconds: number;
}

export interface SampleOptions {
  /** Samples h ~ Q(.|d) per row. */
  samples?: number;
}

export interface LikelihoodOptions extends SampleOptions {
  /** Enumerate every latent configuration instead of sampling (at most 20 latent units). */
  exact?: boolean;
}

/** Limits the library enforces before any allocation. */
export const LIMITS = {
  maxLayers: 64,
  maxUnits: 1 << 24,
  maxExactLatent: 20,
  maxSamples: 1 << 20,
} as const;

const ROW_BINARY = 0;
const ROW_PROB = 1;

export class HelmholtzMachine {
  /** Units per layer, visible first. */
  readonly layers: readonly number[];
  private mem: WasmMemory | undefined;
  private readonly desc: number;
  private readonly workStart: number;
  private rate: number;
  private busy = false;

  private constructor(mem: WasmMemory, layers: number[], desc: number, workStart: number, learningRate: number) {
    this.mem = mem;
    this.layers = Object.freeze(layers.slice());
    this.desc = desc;
    this.workStart = workStart;
    this.rate = learningRate;
  }

  /** A new machine with Gaussian weights drawn from the seeded stream. */
  static async create(opts: CreateOptions): Promise<HelmholtzMachine> {
    if (opts === undefined) throw new TypeError("options must be an options object with layers, got undefined");
    const o = options<CreateOptions>("options", opts, ["layers", "seed", "learningRate", "initScale"]);
    const layers = checkLayers(o.layers);
    const seed = o.seed === undefined ? 0 : integerIn("seed", o.seed, 0, Number.MAX_SAFE_INTEGER);
    const learningRate = o.learningRate === undefined ? 0.01 : positiveFinite("learningRate", o.learningRate);
    const initScale = o.initScale === undefined ? 0.01 : positiveFinite("initScale", o.initScale);
    const m = await HelmholtzMachine.allocate(layers, learningRate);
    m.k.machine_init(m.desc, seed % 2 ** 32, Math.floor(seed / 2 ** 32), initScale);
    return m;
  }

  /** A machine from a safetensors file written by save() (or by any tool, in the same layout). */
  static async load(bytes: Uint8Array): Promise<HelmholtzMachine> {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array, got ${show(bytes)}`);
    const file = decodeModel(bytes, (layers) => checkLayers(layers, "the file's layers"));
    await planMemory(file.layers);
    const m = await HelmholtzMachine.allocate(file.layers, file.learningRate ?? 0.01);
    for (const [name, t] of file.tensors) m.writeTensor(name, t);
    if (file.rng) m.mem!.writeI32(m.k.rng_ptr(m.desc), file.rng);
    else m.k.rng_seed(m.k.rng_ptr(m.desc), 0, 0);
    return m;
  }

  private static async allocate(layers: number[], learningRate: number): Promise<HelmholtzMachine> {
    const end = await planMemory(layers);
    const mem = await WasmMemory.create();
    mem.ensure(end, `layers ${JSON.stringify(layers)}`);
    mem.writeI32(mem.heapBase, layers);
    const desc = mem.kernels.layout_machine(mem.heapBase, layers.length - 1);
    return new HelmholtzMachine(mem, layers, desc, align16(end), learningRate);
  }

  /** Learning rate ε used by wake(), sleep() and fit() unless fit is given one. */
  get learningRate(): number {
    return this.rate;
  }
  set learningRate(value: number) {
    this.rate = positiveFinite("learningRate", value);
  }

  private get k() {
    if (this.mem === undefined) throw new Error("this HelmholtzMachine has been disposed");
    if (this.busy) throw new Error("this HelmholtzMachine is busy in fit(); await it first");
    return this.mem.kernels;
  }

  /** Wake phase on one vector: recognise it, then a delta-rule step on the generative weights.
   *  Returns the sample's description length log2 Q(h|x) - log2 P(h, x), in bits. */
  wake(x: Vector): number {
    const k = this.k;
    const row = this.put(toVector("x", x, this.layers[0]), this.workStart);
    k.load_row(this.desc, row.ptr, row.kind);
    return k.wake_step(this.desc, this.rate);
  }

  /** Sleep phase: dream a fantasy from P, then a delta-rule step on the recognition weights. */
  sleep(): void {
    this.k.sleep_step(this.desc, this.rate);
  }

  /** Online wake-sleep: per row one wake step and one sleep step. Resolves to per-epoch statistics. */
  async fit(data: Data, opts?: FitOptions): Promise<EpochStats[]> {
    const k = this.k;
    const o = options<FitOptions>("options", opts, ["epochs", "learningRate", "shuffle", "onProgress", "signal"]);
    const epochs = o.epochs === undefined ? 1 : integerIn("epochs", o.epochs, 1, 1e9);
    const eps = o.learningRate === undefined ? this.rate : positiveFinite("learningRate", o.learningRate);
    const shuffle = o.shuffle === undefined ? true : boolean("shuffle", o.shuffle);
    if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw new TypeError(`onProgress must be a function, got ${show(o.onProgress)}`);
    const rows = toRows("data", data, this.layers[0]);
    const order = align16(this.workStart + rows.values.byteLength);
    this.ensure(order + 4 * rows.rows, "data");
    const put = this.put(rows, this.workStart);
    const stats: EpochStats[] = [];
    this.busy = true;
    try {
      for (let epoch = 1; epoch <= epochs && !o.signal?.aborted; epoch++) {
        const started = now();
        k.make_order(this.desc, order, rows.rows, shuffle);
        let bits = 0;
        let done = 0;
        let chunk = 64;
        while (done < rows.rows) {
          if (o.signal?.aborted) return stats;
          const n = Math.min(chunk, rows.rows - done);
          const t0 = now();
          bits += k.train_rows(this.desc, put.ptr, put.kind, order, done, n, eps);
          done += n;
          chunk = nextChunk(chunk, now() - t0);
          o.onProgress?.({ epoch, epochs, rowsDone: done, rows: rows.rows, descriptionLength: bits / done, epochEnd: done === rows.rows });
          await yieldToEventLoop();
          if (this.mem === undefined) throw new Error("this HelmholtzMachine was disposed during fit()");
        }
        stats.push({ epoch, descriptionLength: bits / rows.rows, rows: rows.rows, seconds: (now() - started) / 1000 });
      }
      return stats;
    } finally {
      this.busy = false;
    }
  }

  /** `count` fantasies from the generative model, as count x layers[0] bytes of 0/1. */
  dream(count: number): Uint8Array {
    const k = this.k;
    integerIn("count", count, 1, 2 ** 31 - 1);
    const bytes = count * this.layers[0];
    this.ensure(this.workStart + bytes, "dream(count)");
    k.dream_rows(this.desc, count, this.workStart);
    return this.mem!.readBytes(this.workStart, bytes);
  }

  /** One sample of each hidden layer's states from Q(.|x): an array of 0/1 per hidden layer. */
  recognize(x: Vector): Uint8Array[] {
    const k = this.k;
    const row = this.put(toVector("x", x, this.layers[0]), this.workStart);
    k.recognize_row(this.desc, row.ptr, row.kind);
    return this.layers.slice(1).map((n, i) => Uint8Array.from(this.mem!.readF32(k.state_ptr(this.desc, i + 1), n)));
  }

  /** P(visible = 1 | h1) with h1 sampled from Q(.|x) in one recognition pass. */
  reconstruct(x: Vector): Float32Array {
    const k = this.k;
    const row = this.put(toVector("x", x, this.layers[0]), this.workStart);
    k.reconstruct_row(this.desc, row.ptr, row.kind);
    return this.mem!.readF32(k.prob_ptr(this.desc, 0), this.layers[0]);
  }

  /** Per row, the description length F(d) = E_Q[log2 Q(h|d) - log2 P(h, d)] in bits, by `samples` draws (default 10). */
  descriptionLength(data: Data, opts?: SampleOptions): Float64Array {
    const k = this.k;
    const o = options<SampleOptions>("options", opts, ["samples"]);
    const K = o.samples === undefined ? 10 : integerIn("samples", o.samples, 1, LIMITS.maxSamples);
    const rows = toRows("data", data, this.layers[0]);
    const { ptr, out } = this.binaryRowsWithOutput(rows, 0);
    k.description_length_rows(this.desc, ptr, rows.rows, K, out);
    return this.mem!.readF64(out, rows.rows);
  }

  /** Per row, log P(d) in nats: importance-sampled with K = samples (default 1000) draws from Q, or exact. */
  logLikelihood(data: Data, opts?: LikelihoodOptions): Float64Array {
    const k = this.k;
    const o = options<LikelihoodOptions>("options", opts, ["samples", "exact"]);
    const exact = o.exact === undefined ? false : boolean("exact", o.exact);
    const latent = this.layers.slice(1).reduce((a, b) => a + b, 0);
    if (exact && latent > LIMITS.maxExactLatent) {
      throw new RangeError(`exact log-likelihood enumerates 2^${latent} latent configurations; at most ${LIMITS.maxExactLatent} latent units are allowed, got ${latent}`);
    }
    const K = o.samples === undefined ? 1000 : integerIn("samples", o.samples, 1, LIMITS.maxSamples);
    const rows = toRows("data", data, this.layers[0]);
    const { ptr, out, work } = this.binaryRowsWithOutput(rows, exact ? 16 * rows.rows : 8 * K);
    if (exact) k.exact_log_likelihood_rows(this.desc, ptr, rows.rows, out, work);
    else k.log_likelihood_rows(this.desc, ptr, rows.rows, K, out, work);
    return this.mem!.readF64(out, rows.rows);
  }

  /** The parameters as named tensors (copies), in the safetensors names of save(). */
  parameters(): Map<string, Tensor> {
    const k = this.k;
    const out = new Map<string, Tensor>();
    for (const p of parameterShapes(this.layers)) {
      const [rows, cols] = p.shape.length === 2 ? p.shape : [1, p.shape[0]];
      const base = k.param_ptr(this.desc, p.kind, p.layer);
      const stride = (cols + 3) & ~3;
      const data = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) data.set(this.mem!.readF32(base + 4 * r * stride, cols), r * cols);
      out.set(p.name, { shape: p.shape, data });
    }
    return out;
  }

  /** The model as a safetensors file: parameters, layer sizes, learning rate and random state. */
  save(): Uint8Array {
    const k = this.k;
    const rng = new Int32Array(this.mem!.readBytes(k.rng_ptr(this.desc), 64).buffer);
    return encodeModel({ layers: [...this.layers], tensors: this.parameters(), learningRate: this.rate, rng });
  }

  /** Releases the wasm instance; any later call throws. */
  dispose(): void {
    this.mem = undefined;
  }

  /** True once dispose() has been called. */
  get disposed(): boolean {
    return this.mem === undefined;
  }

  private writeTensor(name: string, t: Tensor): void {
    const p = parameterShapes(this.layers).find((q) => q.name === name)!;
    const [rows, cols] = p.shape.length === 2 ? p.shape : [1, p.shape[0]];
    const base = this.k.param_ptr(this.desc, p.kind, p.layer);
    const stride = (cols + 3) & ~3;
    for (let r = 0; r < rows; r++) this.mem!.writeF32(base + 4 * r * stride, t.data.subarray(r * cols, (r + 1) * cols));
  }

  private ensure(end: number, what: string): void {
    this.mem!.ensure(end, what);
  }

  // Copies rows to `at` in wasm memory; returns where and how the kernels should read them.
  private put(rows: Rows, at: number): { ptr: number; kind: number } {
    this.ensure(at + rows.values.byteLength, "data");
    if (rows.values instanceof Uint8Array) this.mem!.writeBytes(at, rows.values);
    else this.mem!.writeF32(at, rows.values);
    return { ptr: at, kind: rows.values instanceof Uint8Array ? ROW_BINARY : ROW_PROB };
  }

  // Binary rows for the estimators (probability rows sampled once), an f64 output per row,
  // and `scratch` bytes of work space.
  private binaryRowsWithOutput(rows: Rows, scratch: number): { ptr: number; out: number; work: number } {
    const binary = this.workStart;
    const out = align16(binary + rows.rows * this.layers[0]);
    const work = align16(out + 8 * rows.rows);
    const probs = align16(work + scratch);
    const end = rows.values instanceof Float32Array ? probs + rows.values.byteLength : probs;
    this.ensure(end, "data");
    if (rows.values instanceof Uint8Array) this.mem!.writeBytes(binary, rows.values);
    else {
      this.mem!.writeF32(probs, rows.values);
      this.mem!.kernels.binarize_rows(this.desc, probs, rows.rows, binary);
    }
    return { ptr: binary, out, work };
  }
}

function checkLayers(value: unknown, name = "layers"): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of layer sizes like [784, 200, 50], got ${show(value)}`);
  if (value.length < 2 || value.length > LIMITS.maxLayers + 1) {
    throw new RangeError(`${name} must list 2 to ${LIMITS.maxLayers + 1} layer sizes (visible and at least one hidden), got ${value.length}`);
  }
  value.forEach((n, i) => integerIn(`${name}[${i}]`, n, 1, LIMITS.maxUnits));
  return value.slice();
}

// Bytes a machine of these layers needs, checked against the wasm limit before any allocation.
let planner: Promise<WasmMemory> | undefined;
async function planMemory(layers: number[]): Promise<number> {
  planner ??= WasmMemory.create();
  const mem = await planner;
  mem.writeI32(mem.heapBase, layers);
  const end = mem.kernels.machine_end(mem.heapBase, layers.length - 1);
  if (end > MAX_MEMORY_BYTES) {
    throw new RangeError(`layers ${JSON.stringify(layers)} need ${end} bytes of wasm memory, more than the limit of ${MAX_MEMORY_BYTES}`);
  }
  return end;
}

function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

function now(): number {
  return globalThis.performance.now();
}

// Aim for chunks of about 50 ms: long enough to amortise the crossing, short enough to stay responsive.
function nextChunk(chunk: number, ms: number): number {
  const target = ms > 0 ? Math.round((chunk * 50) / ms) : chunk * 2;
  return Math.max(1, Math.min(chunk * 2, target));
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
