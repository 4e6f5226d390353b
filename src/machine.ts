// The Helmholtz machine: a top-down generative sigmoid belief net P and a bottom-up recognition
// net Q over the same layers of binary units, trained by wake-sleep (Hinton et al., 1995).
import { WasmMemory, MAX_MEMORY_BYTES, type Kernels } from "./wasm.js";
import { toRows, toVector, type Data, type Rows, type Vector } from "./data.js";
import { boolean, integerIn, options, positiveFinite, show } from "./validate.js";
import { decodeModel, encodeModel, isGenerative, parameterShapes, stateShapes, SOURCES, type ParameterShape, type StateShape } from "./model-file.js";
import { ThreadPool, availableThreads, threadsUnavailable, type ChunkJob } from "./threads.js";
import type { Recruit } from "./recruit.js";
import { DEFAULT_OPTIMIZER, optimizerSlots, parseThreads, planTraining, sameOptimizer, type EpochStats, type FitOptions, type Optimizer, type TrainingPlan } from "./training.js";
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
const OPTIMIZER_CODES = { sgd: 0, momentum: 1, adam: 2 } as const;
// Contributions a gradient accumulator holds between flushes (assembly/accumulate.ts): enough to
// share each gradient row's pass among many, few enough that the held deltas stay in cache.
const ACCUMULATOR_CAPACITY = 64;

/** Everything training changes: random state, parameters, optimiser state and counters. */
interface Snapshot {
  core: Uint8Array;
  state: Uint8Array;
  steps: number[];
  epochsTrained: number;
}

export class HelmholtzMachine {
  /** Units per layer, visible first. */
  readonly layers: readonly number[];
  private mem: WasmMemory | undefined;
  private readonly desc: number;
  private readonly trainer: number;
  private rate: number;
  private optimizer: Optimizer = { ...DEFAULT_OPTIMIZER };
  private epochs = 0;
  private busy = false;
  private pool: ThreadPool | undefined;

  private constructor(mem: WasmMemory, layers: number[], desc: number, trainer: number, learningRate: number) {
    this.mem = mem;
    this.layers = Object.freeze(layers.slice());
    this.desc = desc;
    this.trainer = trainer;
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
    const m = await HelmholtzMachine.allocate(file.layers, file.learningRate ?? 0.01);
    for (const p of parameterShapes(file.layers)) m.writeTensor(p, 0, file.tensors.get(p.name)!);
    if (file.optimizer) {
      m.useOptimizer(file.optimizer);
      for (const s of stateShapes(file.layers, file.optimizer)) m.writeTensor(s.parameter, m.stateOffset(s), file.tensors.get(s.name)!);
      file.steps!.forEach((n, source) => m.k.trainer_set_steps(m.trainer, source, n));
    }
    m.epochs = file.epochsTrained ?? 0;
    if (file.rng) m.mem!.writeI32(m.k.rng_ptr(m.desc), file.rng);
    else m.k.rng_seed(m.k.rng_ptr(m.desc), 0, 0);
    return m;
  }

  private static async allocate(layers: number[], learningRate: number): Promise<HelmholtzMachine> {
    const mem = await WasmMemory.create();
    const end = machineEnd(mem, layers);
    const trainer = align16(end);
    mem.ensure(trainer + mem.kernels.trainer_bytes(), `layers ${JSON.stringify(layers)}`);
    mem.writeI32(mem.heapBase, layers);
    const desc = mem.kernels.layout_machine(mem.heapBase, layers.length - 1);
    return new HelmholtzMachine(mem, layers, desc, trainer, learningRate);
  }

  /** Learning rate ε used by wake(), sleep() and fit() unless fit is given one. */
  get learningRate(): number {
    return this.rate;
  }
  set learningRate(value: number) {
    this.rate = positiveFinite("learningRate", value);
  }

  /** The SIMD build this machine runs on (initWasm({ simd }) chooses it for new machines). */
  get simd(): "plain" | "relaxed" {
    return this.k.relaxed_simd() === 1 ? "relaxed" : "plain";
  }

  /** Epochs completed by fit() over the machine's life (the clock of learningRateDecay). */
  get epochsTrained(): number {
    return this.epochs;
  }

  private checkUsable(): Kernels {
    if (this.mem === undefined) throw new Error("this HelmholtzMachine has been disposed");
    if (this.busy) throw new Error("this HelmholtzMachine is busy in fit(); await it first");
    return this.mem.kernels;
  }
  private get k(): Kernels {
    return this.checkUsable();
  }

  /** Wake phase on one vector: recognise it, then a delta-rule step on the generative weights.
   *  Returns the sample's description length log2 Q(h|x) - log2 P(h, x), in bits. */
  wake(x: Vector): number {
    const k = this.k;
    const rows = toVector("x", x, this.layers[0]);
    k.load_row(this.desc, this.putRows(rows, this.workStart), kindOf(rows.values instanceof Float32Array));
    return k.wake_step(this.desc, this.rate, true);
  }

  /** Sleep phase: dream a fantasy from P, then a delta-rule step on the recognition weights. */
  sleep(): void {
    this.k.sleep_step(this.desc, this.rate);
  }

  /**
   * Trains on `data`: online wake-sleep by default (one wake and one sleep step per row), or
   * minibatch, reweighted wake-sleep and other optimisers as the options say. Resolves to
   * per-epoch statistics. If the parameters stop being finite, training stops with an Error and
   * the machine is rolled back to its state before the failing chunk of rows.
   */
  async fit(data: Data, opts?: FitOptions): Promise<EpochStats[]> {
    this.checkUsable();
    const plan = planTraining(opts, this.rate);
    const rows = toRows("data", data, this.layers[0]);
    const valid = plan.validation && toRows("validation.data", plan.validation.data, this.layers[0]);
    this.busy = true;
    try {
      return await this.train(plan, rows, valid);
    } finally {
      this.busy = false;
    }
  }

  private async train(plan: TrainingPlan, rows: Rows, valid: Rows | undefined): Promise<EpochStats[]> {
    const threads = await this.useThreads(plan);
    if (this.mem === undefined) throw new Error("this HelmholtzMachine was disposed during fit()");
    const k = this.mem.kernels;
    this.useOptimizer(plan.optimizer);
    const work = this.workStart;
    const order = align16(work + rows.values.byteLength);
    const scratch = align16(order + 4 * rows.rows);
    const latent = this.layers.slice(1).reduce((a, b) => a + b, 0);
    const rwsBytes = align16(plan.samples > 1 ? plan.samples * (latent + 8) + 8 : 0);
    const recruit = scratch + rwsBytes;
    const recruitBytes = plan.recruit ? align16(k.recruit_bytes(this.layers[1])) : 0;
    const accumulator = recruit + recruitBytes;
    const accCapacity = Math.min(ACCUMULATOR_CAPACITY, plan.batchSize * plan.samples);
    const accBytes = align16(k.accumulator_bytes(this.desc, accCapacity));
    const fast = plan.batchSize === 1 && plan.samples === 1 && plan.optimizer.type === "sgd" && plan.sleepQ && plan.rates.p === plan.rates.sleepQ;
    const groups = accumulator + accBytes;
    const groupsBytes = plan.batchSize * plan.samples > 1 ? this.groupsBytes : 0;
    // The online kernel's record for deferred updates of Gw[0] (assembly/deferred.ts; 0 bytes: none).
    const deferred = groups + groupsBytes;
    const deferredBytes = fast && !plan.recruit ? align16(k.deferred_bytes(this.desc)) : 0;
    // Chunks of whole batches, and with deferred updates of whole blocks, so that where a chunk
    // ends does not change the result.
    const unit = deferredBytes ? k.deferred_block() : plan.batchSize;
    const shards = threads > 1 ? this.placeShards(deferred + deferredBytes, threads, rwsBytes, plan, groupsBytes ? groups : 0) : undefined;
    const validAt = shards ? shards.end : deferred + deferredBytes;
    this.ensure(validAt, "data");
    this.putRows(rows, work);
    if (plan.recruit) this.startRecruiting(plan.recruit, recruit);
    const kind = kindOf(rows.values instanceof Float32Array);
    const stats: EpochStats[] = [];
    // The wake description length per row, where the plan sums it.
    const meanBits = (bits: number, n: number) => (plan.descriptionLength ? bits / n : Number.NaN);
    let best: { epoch: number; ll: number; snapshot: Snapshot } | undefined;
    for (let epoch = 1; epoch <= plan.epochs && !plan.signal?.aborted; epoch++) {
      const started = now();
      const decay = plan.decay ** Math.max(0, this.epochs - plan.hold);
      const rates = { p: plan.rates.p * decay, wakeQ: plan.rates.wakeQ * decay, sleepQ: plan.rates.sleepQ * decay };
      this.configureTrainer(plan, rates, scratch, accumulator, groupsBytes ? groups : 0);
      k.accumulator_layout(this.desc, accumulator, accCapacity);
      if (groupsBytes) k.groups_layout(this.desc, groups);
      k.make_order(this.desc, order, rows.rows, plan.shuffle);
      if (shards) this.layoutShards(shards);
      let bits = 0;
      let done = 0;
      let chunk = unit * Math.max(1, Math.round(64 / unit));
      let before: Snapshot | undefined;
      while (done < rows.rows) {
        if (plan.signal?.aborted) return stats;
        const n = Math.min(chunk, rows.rows - done);
        before = this.snapshot(before);
        const t0 = now();
        if (shards) bits += await this.runChunk(plan, shards, { first: done, count: n, data: work, kind, order });
        else {
          const rec = plan.recruit ? recruit : 0;
          bits += fast ? k.train_rows(this.desc, work, kind, order, done, n, rates.p, rec, deferredBytes ? deferred : 0, plan.descriptionLength) : k.train_batches(this.desc, this.trainer, work, kind, order, done, n, rec);
        }
        if (this.mem === undefined) throw new Error("this HelmholtzMachine was disposed during fit()");
        if (!k.all_finite(k.params_begin(this.desc), (k.params_end(this.desc) - k.params_begin(this.desc)) / 4)) {
          this.restore(before);
          throw new Error(`fit() diverged in epoch ${epoch} between rows ${done} and ${done + n}: the parameters became non-finite (a learning rate of ${rates.p} too high, or parameters near the f32 range?); the machine was rolled back to its state before those rows`);
        }
        done += n;
        chunk = unit * Math.max(1, Math.round(nextChunk(chunk, now() - t0) / unit));
        if (done < rows.rows) plan.onProgress?.({ epoch, epochs: plan.epochs, rowsDone: done, rows: rows.rows, descriptionLength: meanBits(bits, done), epochEnd: false });
        await yieldToEventLoop();
        if (this.mem === undefined) throw new Error("this HelmholtzMachine was disposed during fit()");
      }
      this.epochs++;
      const epochStats: EpochStats = { epoch, descriptionLength: meanBits(bits, rows.rows), rows: rows.rows, seconds: (now() - started) / 1000, threads };
      if (plan.recruit) epochStats.recruited = k.recruit_count(recruit);
      if (valid) {
        const ll = mean(this.estimate(valid, plan.validation!.samples, false, validAt));
        epochStats.validationLogLikelihood = ll;
        if (!best || ll > best.ll) best = { epoch, ll, snapshot: this.snapshot() };
      }
      stats.push(epochStats);
      plan.onProgress?.({ epoch, epochs: plan.epochs, rowsDone: rows.rows, rows: rows.rows, descriptionLength: epochStats.descriptionLength, epochEnd: true, validationLogLikelihood: epochStats.validationLogLikelihood });
      if (best && epoch - best.epoch >= plan.validation!.patience) break;
    }
    if (best) this.restore(best.snapshot);
    return stats;
  }

  // The recruitment record at `at` for this fit() call; with silentStart, layer 1 goes silent.
  private startRecruiting(r: Recruit, at: number): void {
    const k = this.mem!.kernels;
    k.recruit_configure(this.desc, at, r.rows, r.tau, r.maxResidualRate, r.grace, r.gainP, r.gainQ, r.bias, r.minPixels);
    if (r.silentStart) k.recruit_silence_all(this.desc, at);
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
    const rows = toVector("x", x, this.layers[0]);
    k.recognize_row(this.desc, this.putRows(rows, this.workStart), kindOf(rows.values instanceof Float32Array));
    return this.layers.slice(1).map((n, i) => Uint8Array.from(this.mem!.readF32(k.state_ptr(this.desc, i + 1), n)));
  }

  /** P(visible = 1 | h1) with h1 sampled from Q(.|x) in one recognition pass. */
  reconstruct(x: Vector): Float32Array {
    const k = this.k;
    const rows = toVector("x", x, this.layers[0]);
    k.reconstruct_row(this.desc, this.putRows(rows, this.workStart), kindOf(rows.values instanceof Float32Array));
    return this.mem!.readF32(k.prob_ptr(this.desc, 0), this.layers[0]);
  }

  /** Per row, the description length F(d) = E_Q[log2 Q(h|d) - log2 P(h, d)] in bits, by `samples` draws (default 10). */
  descriptionLength(data: Data, opts?: SampleOptions): Float64Array {
    const k = this.k;
    const o = options<SampleOptions>("options", opts, ["samples"]);
    const K = o.samples === undefined ? 10 : integerIn("samples", o.samples, 1, LIMITS.maxSamples);
    const rows = toRows("data", data, this.layers[0]);
    const { ptr, out, work } = this.binaryRowsWithOutput(rows, this.groupsBytes, this.workStart);
    k.groups_layout(this.desc, work);
    k.description_length_rows(this.desc, ptr, rows.rows, K, out, work);
    return this.mem!.readF64(out, rows.rows);
  }

  /** Per row, log P(d) in nats: importance-sampled with K = samples (default 1000) draws from Q, or exact. */
  logLikelihood(data: Data, opts?: LikelihoodOptions): Float64Array {
    this.checkUsable();
    const { K, exact } = this.likelihoodOptions(options<LikelihoodOptions>("options", opts, ["samples", "exact"]));
    return this.estimate(toRows("data", data, this.layers[0]), K, exact, this.workStart);
  }

  /**
   * logLikelihood() on worker threads (`threads`, default "auto": one per logical processor, at
   * most one per row; 1 where threads are unavailable). The rows are cut into contiguous slices,
   * one per thread, each sampled from its own stream seeded from the machine's, so the estimate
   * depends on the seed and the thread count (the exact one does not).
   */
  async logLikelihoodAsync(data: Data, opts?: LikelihoodOptions & { threads?: number | "auto" }): Promise<Float64Array> {
    this.checkUsable();
    const o = options<LikelihoodOptions & { threads: number | "auto" }>("options", opts, ["samples", "exact", "threads"]);
    const { K, exact } = this.likelihoodOptions(o);
    const rows = toRows("data", data, this.layers[0]);
    const asked = o.threads === undefined ? "auto" : parseThreads(o.threads);
    this.busy = true;
    try {
      const threads = await this.startPool(Math.min(asked === "auto" ? await availableThreads() : asked, rows.rows), "logLikelihoodAsync() runs");
      if (this.mem === undefined) throw new Error("this HelmholtzMachine was disposed during logLikelihoodAsync()");
      if (threads === 1) return this.estimate(rows, K, exact, this.workStart);
      const k = this.mem.kernels;
      const { ptr, out, work } = this.binaryRowsWithOutput(rows, 0, this.workStart);
      const workBytes = align16(exact ? 16 * Math.ceil(rows.rows / threads) : 8 * K);
      const groupsBytes = exact ? 0 : this.groupsBytes;
      const shards: number[] = [], works: number[] = [], groups: number[] = [];
      let at = align16(work);
      for (let t = 0; t < threads; t++) {
        shards.push(at);
        works.push(align16(at + k.shard_bytes(this.desc)));
        groups.push(exact ? 0 : works[t] + workBytes);
        at = works[t] + workBytes + groupsBytes;
      }
      this.ensure(at, "data");
      shards.forEach((s, t) => {
        k.layout_shard(this.desc, s);
        k.seed_shard(this.desc, s);
        if (!exact) k.groups_layout(s, groups[t]);
      });
      await this.pool!.run({ estimate: true, data: ptr, n0: this.layers[0], rows: rows.rows, samples: exact ? 0 : K, out, shards, work: works, groups });
      if (this.mem === undefined) throw new Error("this HelmholtzMachine was disposed during logLikelihoodAsync()");
      return this.mem.readF64(out, rows.rows);
    } finally {
      this.busy = false;
    }
  }

  private likelihoodOptions(o: Partial<LikelihoodOptions>): { K: number; exact: boolean } {
    const exact = o.exact === undefined ? false : boolean("exact", o.exact);
    const latent = this.layers.slice(1).reduce((a, b) => a + b, 0);
    if (exact && latent > LIMITS.maxExactLatent) {
      throw new RangeError(`exact log-likelihood enumerates 2^${latent} latent configurations; at most ${LIMITS.maxExactLatent} latent units are allowed, got ${latent}`);
    }
    return { K: o.samples === undefined ? 1000 : integerIn("samples", o.samples, 1, LIMITS.maxSamples), exact };
  }

  /** The parameters as named tensors (copies), in the safetensors names of save(). */
  parameters(): Map<string, Tensor> {
    this.checkUsable();
    return new Map(parameterShapes(this.layers).map((p) => [p.name, this.readTensor(p, 0)]));
  }

  /**
   * Replaces the named parameters (names and shapes as in parameters(); the others keep their
   * values). Every tensor is checked (known name, shape, Float32Array of finite values) before
   * any is written, so a failed call changes nothing.
   */
  setParameters(tensors: Map<string, Tensor> | Record<string, Tensor>): void {
    this.checkUsable();
    const entries = tensors instanceof Map ? [...tensors.entries()] : typeof tensors === "object" && tensors !== null ? Object.entries(tensors) : undefined;
    if (!entries) throw new TypeError(`tensors must be a Map or an object of named tensors, got ${show(tensors)}`);
    const shapes = parameterShapes(this.layers);
    const writes = entries.map(([name, t]) => {
      const p = shapes.find((q) => q.name === name);
      if (!p) throw new TypeError(`tensors has an unknown parameter ${JSON.stringify(name)}; known: ${shapes.map((q) => q.name).join(", ")}`);
      if (typeof t !== "object" || t === null || !(t.data instanceof Float32Array) || !Array.isArray(t.shape)) {
        throw new TypeError(`tensors[${JSON.stringify(name)}] must be { shape, data: Float32Array }, got ${show(t)}`);
      }
      if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i]) || t.data.length !== p.shape.reduce((a, b) => a * b, 1)) {
        throw new RangeError(`tensors[${JSON.stringify(name)}] must have shape ${JSON.stringify(p.shape)} and ${p.shape.reduce((a, b) => a * b, 1)} values, got shape ${JSON.stringify(t.shape)} with ${t.data.length}`);
      }
      const bad = t.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`tensors[${JSON.stringify(name)}] holds a non-finite value ${t.data[bad]} at index ${bad}`);
      return { p, t };
    });
    for (const { p, t } of writes) this.writeTensor(p, 0, t);
  }

  /** The model as a safetensors file: parameters, layer sizes, learning rate, random state and optimiser state. */
  save(): Uint8Array {
    const k = this.k;
    const tensors = this.parameters();
    const withState = this.optimizer.type !== "sgd";
    if (withState) for (const s of stateShapes(this.layers, this.optimizer)) tensors.set(s.name, this.readTensor(s.parameter, this.stateOffset(s)));
    return encodeModel({
      layers: [...this.layers],
      tensors,
      learningRate: this.rate,
      rng: new Int32Array(this.mem!.readBytes(k.rng_ptr(this.desc), 64).buffer),
      optimizer: withState ? this.optimizer : undefined,
      steps: withState ? SOURCES.map((_, s) => k.trainer_steps(this.trainer, s)) : undefined,
      epochsTrained: this.epochs,
    });
  }

  /** Releases the wasm instance; any later call throws. */
  dispose(): void {
    this.mem = undefined;
    this.pool?.terminate();
    this.pool = undefined;
  }

  /** True once dispose() has been called. */
  get disposed(): boolean {
    return this.mem === undefined;
  }

  // The thread count for this fit: the plan's, checked against the batch size and the runtime.
  private async useThreads(plan: TrainingPlan): Promise<number> {
    const threads = plan.threads === "auto" ? Math.min(await availableThreads(), plan.batchSize) : plan.threads;
    if (threads > plan.batchSize) {
      throw new RangeError(`threads (${threads}) must not exceed batchSize (${plan.batchSize}): each thread trains on a slice of every batch`);
    }
    return this.startPool(threads, "fit() trains");
  }

  // `threads`, or 1 where the runtime has none (with a warning, once). Over 1, the machine moves to
  // shared memory (once) and a pool of that size is started.
  private async startPool(threads: number, who: string): Promise<number> {
    const unavailable = threads > 1 ? threadsUnavailable() : undefined;
    if (unavailable) {
      warnOnce(`wake-sleep: ${who} on 1 thread instead of ${threads}: ${unavailable}`);
      return 1;
    }
    if (threads > 1 && this.pool?.size !== threads) {
      this.pool?.terminate();
      this.pool = undefined;
      if (!this.mem!.shareable) this.mem = await WasmMemory.shared(this.mem!);
      this.pool = await ThreadPool.start(threads, this.mem!.module, this.mem!.memory);
    }
    return threads;
  }

  // Room from `at` for the threads' barrier, the shard list (shards, then their trainer records),
  // the shards' wake bits and per shard (one per thread) a shard, a trainer record, RWS scratch
  // of `rwsBytes`, a gradient accumulator for its slice of a batch and, with grouped-pass record
  // `groups` (0: none), a view of it (assembly/groups.ts).
  private placeShards(at: number, count: number, rwsBytes: number, plan: TrainingPlan, groups: number): Shards {
    const k = this.mem!.kernels;
    const control = align16(at);
    const list = control + 16;
    const bits = align16(list + 8 * count);
    const capacity = Math.min(ACCUMULATOR_CAPACITY, Math.ceil(plan.batchSize / count) * plan.samples);
    const accBytes = align16(k.accumulator_bytes(this.desc, capacity));
    let p = bits + 8 * count;
    const viewBytes = groups ? align16(k.groups_view_bytes(this.desc)) : 0;
    const shard: number[] = [], trainer: number[] = [], scratch: number[] = [], accumulator: number[] = [], view: number[] = [];
    for (let u = 0; u < count; u++) {
      shard.push(p);
      p = align16(p + k.shard_bytes(this.desc));
      trainer.push(p);
      p = align16(p + k.trainer_bytes());
      scratch.push(p);
      p += rwsBytes;
      accumulator.push(p);
      p += accBytes;
      view.push(p);
      p += viewBytes;
    }
    return { control, list, bits, capacity, groups, shard, trainer, scratch, accumulator, view, end: p };
  }

  // Fresh shards for an epoch: zeroed gradients, the epoch's trainer settings, streams seeded
  // from the machine's.
  private layoutShards(s: Shards): void {
    const k = this.mem!.kernels;
    s.shard.forEach((at, u) => {
      k.layout_shard(this.desc, at);
      k.accumulator_layout(at, s.accumulator[u], s.capacity);
      k.trainer_copy(this.trainer, s.trainer[u], s.scratch[u], s.accumulator[u], 0);
      if (s.groups) k.groups_view_layout(this.desc, s.view[u], s.groups);
      k.seed_shard(this.desc, at);
    });
    this.mem!.writeI32(s.list, [...s.shard, ...s.trainer]);
    this.mem!.writeI32(s.control, [0, 0, 0, 0]);
  }

  // One chunk on the worker threads; returns its summed wake bits, in shard order. Grouped-pass
  // tables (the trainer's record), when a batch has passes enough to pay for them, are built here
  // on the machine and shared by the shards; the threads table again the rows of Gw each steps.
  private async runChunk(plan: TrainingPlan, s: Shards, rows: Pick<ChunkJob, "first" | "count" | "data" | "kind" | "order">): Promise<number> {
    const k = this.mem!.kernels;
    k.trainer_tables_begin(this.desc, this.trainer, Math.min(plan.batchSize, rows.count));
    s.shard.forEach((shard, u) => k.groups_share(this.desc, shard, s.view[u]));
    k.groups_release(this.desc);
    this.mem!.writeBytes(s.bits, new Uint8Array(8 * s.shard.length));
    try {
      await this.pool!.run({
        ...rows, batch: plan.batchSize, wakeQ: plan.wakeQ, sleepQ: plan.sleepQ,
        desc: this.desc, trainer: this.trainer, list: s.list, control: s.control, bits: s.bits, shards: s.shard, shardTrainers: s.trainer,
      });
    } finally {
      if (this.mem !== undefined) for (const shard of s.shard) k.groups_release(shard);
    }
    return this.mem === undefined ? 0 : this.mem.readF64(s.bits, s.shard.length).reduce((a, b) => a + b, 0);
  }

  // Bytes of a grouped-pass record (assembly/groups.ts), for phases of many passes at fixed parameters.
  private get groupsBytes(): number {
    return align16(this.mem!.kernels.groups_bytes(this.desc));
  }

  // Memory after the machine: the trainer record, the optimiser state, then the work area.
  private get regionBytes(): { p: number; q: number } {
    const k = this.mem!.kernels;
    return { p: k.q_begin(this.desc) - k.params_begin(this.desc), q: k.params_end(this.desc) - k.q_begin(this.desc) };
  }
  private get stateBase(): number {
    return align16(this.trainer + this.mem!.kernels.trainer_bytes());
  }
  private statePointers(): number[] {
    const slots = optimizerSlots(this.optimizer.type).length;
    const { p, q } = this.regionBytes;
    return [this.stateBase, this.stateBase + slots * p, this.stateBase + slots * (p + q)];
  }
  private get stateEnd(): number {
    return this.statePointers()[2] + optimizerSlots(this.optimizer.type).length * this.regionBytes.q;
  }
  private get workStart(): number {
    return align16(this.stateEnd);
  }
  // Bytes from a parameter to its optimiser state tensor.
  private stateOffset(s: StateShape): number {
    const k = this.mem!.kernels;
    const region = isGenerative(s.parameter) ? this.regionBytes.p : this.regionBytes.q;
    const regionBegin = isGenerative(s.parameter) ? k.params_begin(this.desc) : k.q_begin(this.desc);
    return this.statePointers()[s.source] + s.slot * region - regionBegin;
  }

  // Switches optimiser; a different one (or other constants) starts from zeroed state.
  private useOptimizer(optimizer: Optimizer): void {
    if (sameOptimizer(optimizer, this.optimizer)) return;
    this.optimizer = optimizer;
    this.ensure(this.stateEnd, "optimiser state");
    this.mem!.writeBytes(this.stateBase, new Uint8Array(this.stateEnd - this.stateBase));
    SOURCES.forEach((_, s) => this.mem!.kernels.trainer_set_steps(this.trainer, s, 0));
  }

  private configureTrainer(plan: TrainingPlan, rates: TrainingPlan["rates"], scratch: number, accumulator: number, groups: number): void {
    const o = plan.optimizer;
    const [sp, swq, ssq] = this.statePointers();
    this.mem!.kernels.trainer_configure(this.trainer, plan.batchSize, plan.samples, plan.wakeQ, plan.sleepQ, OPTIMIZER_CODES[o.type],
      o.momentum, o.beta1, o.beta2, o.epsilon, scratch, rates.p, rates.wakeQ, rates.sleepQ, sp, swq, ssq, accumulator, groups, plan.descriptionLength);
  }

  // The trained state; into `reuse`'s buffers when their sizes still fit (a fresh copy costs page
  // faults on every chunk of a fit).
  private snapshot(reuse?: Snapshot): Snapshot {
    const k = this.mem!.kernels;
    const rng = k.rng_ptr(this.desc);
    const coreBytes = k.params_end(this.desc) - rng, stateBytes = this.stateEnd - this.stateBase;
    const copy = (ptr: number, bytes: number, old?: Uint8Array) =>
      old?.length === bytes ? this.mem!.readBytesInto(ptr, old) : this.mem!.readBytes(ptr, bytes);
    return {
      core: copy(rng, coreBytes, reuse?.core),
      state: copy(this.stateBase, stateBytes, reuse?.state),
      steps: SOURCES.map((_, s) => k.trainer_steps(this.trainer, s)),
      epochsTrained: this.epochs,
    };
  }

  private restore(s: Snapshot): void {
    const k = this.mem!.kernels;
    this.mem!.writeBytes(k.rng_ptr(this.desc), s.core);
    this.mem!.writeBytes(this.stateBase, s.state);
    s.steps.forEach((n, source) => k.trainer_set_steps(this.trainer, source, n));
    this.epochs = s.epochsTrained;
  }

  private readTensor(p: ParameterShape, offset: number): Tensor {
    const [rows, cols] = p.shape.length === 2 ? p.shape : [1, p.shape[0]];
    const base = this.mem!.kernels.param_ptr(this.desc, p.kind, p.layer) + offset;
    const data = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) data.set(this.mem!.readF32(base + 4 * r * stride(cols), cols), r * cols);
    return { shape: p.shape, data };
  }

  private writeTensor(p: ParameterShape, offset: number, t: Tensor): void {
    const [rows, cols] = p.shape.length === 2 ? p.shape : [1, p.shape[0]];
    const base = this.mem!.kernels.param_ptr(this.desc, p.kind, p.layer) + offset;
    for (let r = 0; r < rows; r++) this.mem!.writeF32(base + 4 * r * stride(cols), t.data.subarray(r * cols, (r + 1) * cols));
  }

  private ensure(end: number, what: string): void {
    this.mem!.ensure(end, what);
  }

  // Copies rows to `at` in wasm memory and returns `at`.
  private putRows(rows: Rows, at: number): number {
    this.ensure(at + rows.values.byteLength, "data");
    if (rows.values instanceof Uint8Array) this.mem!.writeBytes(at, rows.values);
    else this.mem!.writeF32(at, rows.values);
    return at;
  }

  // Per-row log-likelihood (importance-sampled with K draws, or exact) with work space from `at`.
  private estimate(rows: Rows, K: number, exact: boolean, at: number): Float64Array {
    const k = this.mem!.kernels;
    const logw = align16(8 * K);
    const { ptr, out, work } = this.binaryRowsWithOutput(rows, exact ? 16 * rows.rows : logw + this.groupsBytes, at);
    if (exact) k.exact_log_likelihood_rows(this.desc, ptr, rows.rows, out, work);
    else {
      k.groups_layout(this.desc, work + logw);
      k.log_likelihood_rows(this.desc, ptr, rows.rows, K, out, work, work + logw);
    }
    return this.mem!.readF64(out, rows.rows);
  }

  // Binary rows for the estimators (probability rows sampled once), an f64 output per row,
  // and `scratch` bytes of work space, from `at`.
  private binaryRowsWithOutput(rows: Rows, scratch: number, at: number): { ptr: number; out: number; work: number } {
    const out = align16(at + rows.rows * this.layers[0]);
    const work = align16(out + 8 * rows.rows);
    const probs = align16(work + scratch);
    this.ensure(rows.values instanceof Float32Array ? probs + rows.values.byteLength : probs, "data");
    if (rows.values instanceof Uint8Array) this.mem!.writeBytes(at, rows.values);
    else {
      this.mem!.writeF32(probs, rows.values);
      this.mem!.kernels.binarize_rows(this.desc, probs, rows.rows, at);
    }
    return { ptr: at, out, work };
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

// The first byte past a machine of these layers in this instance's layout (which depends on the
// module's static data, so it is asked of the instance that will hold the machine); checked
// against the wasm limit before any memory is grown.
function machineEnd(mem: WasmMemory, layers: number[]): number {
  mem.writeI32(mem.heapBase, layers);
  const end = mem.kernels.machine_end(mem.heapBase, layers.length - 1);
  if (end > MAX_MEMORY_BYTES) {
    throw new RangeError(`layers ${JSON.stringify(layers)} need ${end} bytes of wasm memory, more than the limit of ${MAX_MEMORY_BYTES}`);
  }
  return end;
}

interface Shards {
  control: number;
  list: number;
  bits: number;
  capacity: number;
  groups: number;
  shard: number[];
  trainer: number[];
  scratch: number[];
  accumulator: number[];
  view: number[];
  end: number;
}

let warned = false;
function warnOnce(message: string): void {
  if (!warned) console.warn(message);
  warned = true;
}

const kindOf = (probabilities: boolean) => (probabilities ? ROW_PROB : ROW_BINARY);
const stride = (cols: number) => (cols + 3) & ~3;
const align16 = (x: number) => Math.ceil(x / 16) * 16;
const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
const now = () => globalThis.performance.now();

// Aim for chunks of about 50 ms: long enough to amortise the crossing, short enough to stay responsive.
function nextChunk(chunk: number, ms: number): number {
  const target = ms > 0 ? Math.round((chunk * 50) / ms) : chunk * 2;
  return Math.max(1, Math.min(chunk * 2, target));
}

// Lets timers, I/O and messages run between chunks without the 4 ms clamp of nested setTimeout(0):
// setImmediate in Node, a MessageChannel round trip in browsers and workers.
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === "function") return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
