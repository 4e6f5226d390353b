// The model file: safetensors with the tensor names of the spec and a wake-sleep stamp, plus the
// training state (random stream, optimiser state and counters) so that training resumes exactly.
import { clip, decodeSafetensors, encodeSafetensors, quote, type Tensor } from "./safetensors.js";
import { optimizerSlots, parseOptimizer, type Optimizer } from "./training.js";

export const FORMAT = "wake-sleep";
export const FORMAT_VERSION = "1";
/**
 * The largest model file load() reads: 4 GiB, the wasm32 memory limit (65,536 pages of 64 KiB).
 * A machine holds every value of its file (and more), so a larger file could never fit; this
 * rejects it before any of it is parsed. Callers taking files from untrusted sources can set a
 * lower cap of their own by checking bytes.length before calling load().
 */
export const MAX_FILE_BYTES = 65536 * 65536;
/** The three update sources of the trainer, in the kernels' order, and the parameters each moves. */
export const SOURCES = [
  { name: "wake_p", generative: true },
  { name: "wake_q", generative: false },
  { name: "sleep_q", generative: false },
] as const;

export interface ParameterShape {
  name: string;
  /** Kernel's param_ptr kind: 0 generative bias (gTop at the top layer), 1 Gw, 2 Rw, 3 rb. */
  kind: number;
  layer: number;
  shape: number[];
}

export interface StateShape extends ParameterShape {
  /** The parameter it belongs to, its update source (index into SOURCES) and slot. */
  parameter: ParameterShape;
  source: number;
  slot: number;
}

export interface ModelFile {
  layers: number[];
  tensors: Map<string, Tensor>;
  learningRate?: number;
  /** xoshiro128+ state, 16 words. */
  rng?: Int32Array;
  optimizer?: Optimizer;
  /** Optimiser steps per update source. */
  steps?: number[];
  epochsTrained?: number;
}

/** Every parameter tensor in file order: gen.top.bias, then per l: gen.l.weight, gen.l.bias, rec.l.weight, rec.l.bias. */
export function parameterShapes(layers: readonly number[]): ParameterShape[] {
  const L = layers.length - 1;
  const out: ParameterShape[] = [{ name: "gen.top.bias", kind: 0, layer: L, shape: [layers[L]] }];
  for (let l = 0; l < L; l++) {
    out.push(
      { name: `gen.${l}.weight`, kind: 1, layer: l, shape: [layers[l + 1], layers[l]] },
      { name: `gen.${l}.bias`, kind: 0, layer: l, shape: [layers[l]] },
      { name: `rec.${l}.weight`, kind: 2, layer: l, shape: [layers[l], layers[l + 1]] },
      { name: `rec.${l}.bias`, kind: 3, layer: l + 1, shape: [layers[l + 1]] },
    );
  }
  return out;
}

export const isGenerative = (p: ParameterShape) => p.kind < 2;

/** The optimiser state tensors: optim.{source}.{slot}.{parameter}, shaped like the parameter. */
export function stateShapes(layers: readonly number[], optimizer: Optimizer): StateShape[] {
  const out: StateShape[] = [];
  SOURCES.forEach((source, s) =>
    optimizerSlots(optimizer.type).forEach((slot, k) => {
      for (const p of parameterShapes(layers).filter((q) => isGenerative(q) === source.generative)) {
        out.push({ ...p, name: `optim.${source.name}.${slot}.${p.name}`, parameter: p, source: s, slot: k });
      }
    }),
  );
  return out;
}

export function encodeModel(m: ModelFile): Uint8Array {
  const metadata: Record<string, string> = {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    layers: JSON.stringify(m.layers),
  };
  if (m.learningRate !== undefined) metadata.learning_rate = String(m.learningRate);
  if (m.rng) metadata.rng_state = Array.from(new Uint32Array(m.rng.buffer, m.rng.byteOffset, 16), (w) => w.toString(16).padStart(8, "0")).join("");
  if (m.optimizer) metadata.optimizer = JSON.stringify(m.optimizer);
  if (m.steps) metadata.optimizer_steps = JSON.stringify(m.steps);
  if (m.epochsTrained !== undefined) metadata.epochs_trained = String(m.epochsTrained);
  const names = [...parameterShapes(m.layers), ...(m.optimizer ? stateShapes(m.layers, m.optimizer) : [])].map((p) => p.name);
  return encodeSafetensors(names.map((name) => [name, m.tensors.get(name)!]), metadata);
}

/** Parses and checks a model file; `checkLayers` validates the sizes before any tensor is trusted. */
export function decodeModel(bytes: Uint8Array, checkLayers: (layers: unknown) => number[]): ModelFile {
  if (bytes.length > MAX_FILE_BYTES) {
    throw new Error(`model file: ${bytes.length} bytes is more than the ${MAX_FILE_BYTES}-byte limit (a model must fit in 4 GiB of wasm memory)`);
  }
  const { metadata, tensors } = decodeSafetensors(bytes);
  if (metadata.format !== FORMAT) throw new Error(`model file: __metadata__.format must be "${FORMAT}", got ${quote(metadata.format)}`);
  if (metadata.format_version !== FORMAT_VERSION) {
    throw new Error(`model file: format_version ${quote(metadata.format_version)} is not supported (this library reads version ${FORMAT_VERSION})`);
  }
  const layers = shortMessage(() => checkLayers(readJson(metadata.layers, "layers", "[784,200,50]")));
  const optimizer = metadata.optimizer === undefined ? undefined : readOptimizer(metadata.optimizer);
  const expected = [...parameterShapes(layers), ...(optimizer ? stateShapes(layers, optimizer) : [])];
  for (const name of tensors.keys()) {
    if (!expected.some((p) => p.name === name)) throw new Error(`model file: unexpected tensor ${clip(name)} for layers ${JSON.stringify(layers)}`);
  }
  for (const p of expected) {
    const t = tensors.get(p.name);
    if (!t) throw new Error(`model file: tensor ${p.name} is missing`);
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new Error(`model file: tensor ${p.name} has shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(p.shape)}`);
    }
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`model file: tensor ${p.name} holds a non-finite value ${t.data[bad]} at index ${bad}`);
  }
  return {
    layers,
    tensors,
    learningRate: readPositive(metadata.learning_rate, "learning_rate"),
    rng: readRng(metadata.rng_state),
    optimizer,
    steps: optimizer ? readSteps(metadata.optimizer_steps) : undefined,
    epochsTrained: metadata.epochs_trained === undefined ? undefined : readCount(metadata.epochs_trained, "epochs_trained"),
  };
}

function readJson(text: string | undefined, key: string, example: string): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    throw new Error(`model file: __metadata__.${key} must be JSON like ${JSON.stringify(example)}, got ${quote(text)}`);
  }
}

function readOptimizer(text: string): Optimizer {
  try {
    return parseOptimizer(readJson(text, "optimizer", '{"type":"adam","beta1":0.9,...}'), "the file's optimizer");
  } catch (e) {
    throw new Error(`model file: ${clip((e as Error).message, MAX_MESSAGE)}`);
  }
}

function readSteps(text: string | undefined): number[] {
  const steps = readJson(text, "optimizer_steps", "[0,0,0]");
  if (!Array.isArray(steps) || steps.length !== SOURCES.length || !steps.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw new Error(`model file: __metadata__.optimizer_steps must be ${SOURCES.length} non-negative integers, got ${quote(text)}`);
  }
  return steps;
}

// Numbers are read in the decimal forms String(number) writes, nothing looser: Number() alone
// would also take "" (as 0), surrounding whitespace, "0x1f", "0b1" and "Infinity".
const DECIMAL_INTEGER = /^[0-9]+$/;
const DECIMAL_NUMBER = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function readCount(text: string, key: string): number {
  const v = DECIMAL_INTEGER.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v)) throw new Error(`model file: ${key} must be a non-negative integer in decimal digits, got ${quote(text)}`);
  return v;
}

function readPositive(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  const v = DECIMAL_NUMBER.test(text) ? Number(text) : NaN;
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`model file: ${key} must be a finite decimal number > 0, got ${quote(text)}`);
  return v;
}

const MAX_MESSAGE = 400;

// Runs a check whose message may quote the file (checkLayers shows a bad value in full) and cuts
// an over-long message, keeping the error's class.
function shortMessage<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof Error) e.message = clip(e.message, MAX_MESSAGE);
    throw e;
  }
}

function readRng(text: string | undefined): Int32Array | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9a-f]{128}$/.test(text)) throw new Error("model file: rng_state must be 128 lowercase hex digits");
  const words = new Uint32Array(16);
  for (let i = 0; i < 16; i++) words[i] = parseInt(text.slice(8 * i, 8 * i + 8), 16);
  for (let lane = 0; lane < 4; lane++) {
    if ([0, 4, 8, 12].every((w) => words[w + lane] === 0)) throw new Error(`model file: rng_state stream ${lane} is all zero, a state xoshiro128+ never leaves`);
  }
  return new Int32Array(words.buffer);
}
