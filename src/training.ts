// fit()'s options: their meaning, their defaults, and their checks.
import type { Data } from "./data.js";
import { parseRecruit, type Recruit, type RecruitOptions } from "./recruit.js";
import { boolean, integerIn, options, positiveFinite, show } from "./validate.js";

export type OptimizerName = "sgd" | "momentum" | "adam";
export type OptimizerOptions =
  | OptimizerName
  | { type: "sgd" }
  | { type: "momentum"; momentum?: number }
  | { type: "adam"; beta1?: number; beta2?: number; epsilon?: number };

export interface FitOptions {
  /** Passes over the data; default 1. */
  epochs?: number;
  /** ε of every update unless `learningRates` says otherwise; default the machine's learningRate. */
  learningRate?: number;
  /** Separate rates for the wake update of P, the wake update of Q (RWS) and the sleep update of Q. */
  learningRates?: { p?: number; wakeQ?: number; sleepQ?: number };
  /** Multiply the rates by this factor after every epoch the machine has trained (exponential decay); default 1. */
  learningRateDecay?: number;
  /** Delays the decay: epoch e of the machine's life (from 0) runs at rate x decay^max(0, e - hold); default 0. */
  learningRateHold?: number;
  /**
   * Rows per update: a wake phase on the batch's rows with every parameter fixed, then the mean of
   * their updates applied to P; then as many sleep steps (fantasies of the updated P), then the
   * mean of theirs applied to Q. Default 1 (online, the paper's rule).
   */
  batchSize?: number;
  /** "ws": classic wake-sleep (default). "rws": reweighted wake-sleep with K = samples. */
  algorithm?: "ws" | "rws";
  /** RWS: samples from Q per row (K); default 5. */
  samples?: number;
  /** RWS: the wake update of Q; default true for "rws" (always off for "ws"). */
  wakeQ?: boolean;
  /** The sleep update of Q; default true. */
  sleepQ?: boolean;
  /** "sgd" (the paper's rule, default), "momentum" (μ = 0.9) or "adam" (β = 0.9, 0.999, ε = 1e-8), or an object with the constants. */
  optimizer?: OptimizerOptions;
  /** Visit rows in a fresh random order each epoch; default true. */
  shuffle?: boolean;
  /** Score a held-out set after every epoch; stop when it has not improved for `patience` epochs and keep the best. */
  validation?: { data: Data; samples?: number; patience?: number };
  /** Called after each chunk of rows and at the end of each epoch. */
  onProgress?: (progress: FitProgress) => void;
  /** Stops training at the next chunk boundary; fit then resolves with the epochs completed. */
  signal?: AbortSignal;
  /**
   * Worker threads for minibatch training (batchSize >= threads): each takes a fixed slice of every
   * batch, so results depend on the seed and the thread count. Default 1; "auto": one per logical
   * processor (at most batchSize). Where threads are unavailable (no SharedArrayBuffer, or a page
   * that is not cross-origin isolated) training uses 1 thread, warns once, and EpochStats.threads says so.
   */
  threads?: number | "auto";
  /**
   * Recruit idle units of layer 1 on data the model leaves unexplained, after each wake step
   * (online classic wake-sleep with SGD only): `true` for the defaults, or the settings. A
   * data-driven re-initialisation of units, not part of the 1995 algorithm; see RecruitOptions.
   */
  recruit?: boolean | RecruitOptions;
  /**
   * Estimate the description length as training goes (EpochStats and FitProgress
   * descriptionLength); default true. false skips the log-probabilities of the wake samples
   * that only the estimate reads (for [784, 200, 50], online training ×1.06 and minibatches
   * ×1.04 faster) and reports NaN; the samples and the updates are the same, bit for bit.
   */
  descriptionLength?: boolean;
}

export interface FitProgress {
  epoch: number;
  epochs: number;
  /** Rows of this epoch done so far, of `rows`. */
  rowsDone: number;
  rows: number;
  /** Mean wake-phase description length over this epoch's rows so far, in bits (NaN with descriptionLength: false). */
  descriptionLength: number;
  /** True on the last call of an epoch. */
  epochEnd: boolean;
  /** On the last call of an epoch with a validation set: its mean log-likelihood in nats. */
  validationLogLikelihood?: number;
}

export interface EpochStats {
  epoch: number;
  /** Mean over the epoch of the wake phase's estimate of F(d), in bits (the model changes as it goes); NaN with descriptionLength: false. */
  descriptionLength: number;
  rows: number;
  seconds: number;
  /** Mean importance-sampled log-likelihood of the validation set after this epoch, in nats. */
  validationLogLikelihood?: number;
  /** Threads that trained this epoch (1 where more were asked for but are unavailable). */
  threads: number;
  /** With `recruit`: units initialised on a residual so far in this fit() call. */
  recruited?: number;
}

export interface Optimizer {
  type: OptimizerName;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface TrainingPlan {
  epochs: number;
  rates: { p: number; wakeQ: number; sleepQ: number };
  decay: number;
  hold: number;
  batchSize: number;
  samples: number;
  wakeQ: boolean;
  sleepQ: boolean;
  optimizer: Optimizer;
  shuffle: boolean;
  validation?: { data: Data; samples: number; patience: number };
  onProgress?: (progress: FitProgress) => void;
  signal?: AbortSignal;
  threads: number | "auto";
  recruit?: Recruit;
  descriptionLength: boolean;
}

const FIT_KEYS = ["epochs", "learningRate", "learningRates", "learningRateDecay", "learningRateHold", "batchSize", "algorithm", "samples",
  "wakeQ", "sleepQ", "optimizer", "shuffle", "validation", "onProgress", "signal", "threads", "recruit",
  "descriptionLength"] as const;

export function planTraining(opts: unknown, machineRate: number): TrainingPlan {
  const o = options<FitOptions>("options", opts, FIT_KEYS);
  const algorithm = o.algorithm ?? "ws";
  if (algorithm !== "ws" && algorithm !== "rws") throw new TypeError(`algorithm must be "ws" or "rws", got ${show(algorithm)}`);
  const rws = algorithm === "rws";
  if (!rws && o.samples !== undefined && o.samples !== 1) throw new RangeError(`samples must be 1 for algorithm "ws" (use "rws" for K > 1), got ${show(o.samples)}`);
  if (!rws && o.wakeQ === true) throw new TypeError(`wakeQ is an update of reweighted wake-sleep; use algorithm "rws"`);
  const base = o.learningRate === undefined ? machineRate : positiveFinite("learningRate", o.learningRate);
  const r = options<{ p: number; wakeQ: number; sleepQ: number }>("learningRates", o.learningRates, ["p", "wakeQ", "sleepQ"]);
  const rate = (name: "p" | "wakeQ" | "sleepQ") => (r[name] === undefined ? base : positiveFinite(`learningRates.${name}`, r[name]));
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") throw new TypeError(`onProgress must be a function, got ${show(o.onProgress)}`);
  if (o.signal !== undefined && !(typeof o.signal === "object" && o.signal !== null && "aborted" in o.signal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${show(o.signal)}`);
  }
  const decay = o.learningRateDecay === undefined ? 1 : positiveFinite("learningRateDecay", o.learningRateDecay);
  if (decay > 1) throw new RangeError(`learningRateDecay must be in (0, 1], got ${decay}`);
  const plan: TrainingPlan = {
    epochs: o.epochs === undefined ? 1 : integerIn("epochs", o.epochs, 1, 1e9),
    rates: { p: rate("p"), wakeQ: rate("wakeQ"), sleepQ: rate("sleepQ") },
    decay,
    hold: o.learningRateHold === undefined ? 0 : integerIn("learningRateHold", o.learningRateHold, 0, 1e9),
    batchSize: o.batchSize === undefined ? 1 : integerIn("batchSize", o.batchSize, 1, 1 << 20),
    samples: rws ? (o.samples === undefined ? 5 : integerIn("samples", o.samples, 1, 1 << 16)) : 1,
    wakeQ: rws ? (o.wakeQ === undefined ? true : boolean("wakeQ", o.wakeQ)) : false,
    sleepQ: o.sleepQ === undefined ? true : boolean("sleepQ", o.sleepQ),
    optimizer: parseOptimizer(o.optimizer),
    shuffle: o.shuffle === undefined ? true : boolean("shuffle", o.shuffle),
    validation: o.validation === undefined ? undefined : parseValidation(o.validation),
    onProgress: o.onProgress,
    signal: o.signal,
    threads: parseThreads(o.threads),
    recruit: parseRecruit(o.recruit),
    descriptionLength: o.descriptionLength === undefined ? true : boolean("descriptionLength", o.descriptionLength),
  };
  if (plan.recruit) checkRecruitable(plan, algorithm);
  return plan;
}

// Recruitment runs between the wake and the sleep step of online classic wake-sleep with SGD.
function checkRecruitable(plan: TrainingPlan, algorithm: string): void {
  const why = algorithm !== "ws" ? `algorithm ${show(algorithm)}` : plan.batchSize !== 1 ? `batchSize ${plan.batchSize}`
    : plan.optimizer.type !== "sgd" ? `optimizer ${show(plan.optimizer.type)}` : undefined;
  if (why) throw new RangeError(`recruit works with online classic wake-sleep only (algorithm "ws", batchSize 1, optimizer "sgd"), got ${why}`);
}

export function parseThreads(value: unknown): number | "auto" {
  if (value === undefined) return 1;
  if (value === "auto") return value;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw new RangeError(`threads must be an integer in [1, ${MAX_THREADS}] or "auto", got ${show(value)}`);
  }
  return value;
}

/** The most worker threads fit() starts. */
export const MAX_THREADS = 64;

export const DEFAULT_OPTIMIZER: Optimizer = { type: "sgd", momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export function parseOptimizer(value: unknown, name = "optimizer"): Optimizer {
  if (value === undefined) return { ...DEFAULT_OPTIMIZER };
  const o = typeof value === "string" ? { type: value } : options<Record<string, unknown>>(name, value, ["type", "momentum", "beta1", "beta2", "epsilon"]);
  if (o.type !== "sgd" && o.type !== "momentum" && o.type !== "adam") {
    throw new TypeError(`${name} must be "sgd", "momentum" or "adam" (or { type, ... }), got ${show(value)}`);
  }
  const unit = (key: "momentum" | "beta1" | "beta2") => {
    const v = o[key] === undefined ? DEFAULT_OPTIMIZER[key] : positiveFinite(`${name}.${key}`, o[key]);
    if (v >= 1) throw new RangeError(`${name}.${key} must be in (0, 1), got ${v}`);
    return v;
  };
  return {
    type: o.type,
    momentum: unit("momentum"),
    beta1: unit("beta1"),
    beta2: unit("beta2"),
    epsilon: o.epsilon === undefined ? DEFAULT_OPTIMIZER.epsilon : positiveFinite(`${name}.epsilon`, o.epsilon),
  };
}

function parseValidation(value: unknown): { data: Data; samples: number; patience: number } {
  const v = options<{ data: Data; samples: number; patience: number }>("validation", value, ["data", "samples", "patience"]);
  if (v.data === undefined) throw new TypeError("validation.data is required");
  return {
    data: v.data,
    samples: v.samples === undefined ? 100 : integerIn("validation.samples", v.samples, 1, 1 << 20),
    patience: v.patience === undefined ? Number.POSITIVE_INFINITY : integerIn("validation.patience", v.patience, 1, 1e9),
  };
}

export function sameOptimizer(a: Optimizer, b: Optimizer): boolean {
  return a.type === b.type && (a.type === "sgd" || (a.type === "momentum" ? a.momentum === b.momentum : a.beta1 === b.beta1 && a.beta2 === b.beta2 && a.epsilon === b.epsilon));
}

/** f32 slots of optimiser state per parameter. */
export function optimizerSlots(type: OptimizerName): string[] {
  return type === "adam" ? ["m", "v"] : type === "momentum" ? ["velocity"] : [];
}
