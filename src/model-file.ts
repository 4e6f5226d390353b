// The model file: safetensors with the tensor names of the spec and a wake-sleep stamp.
import { decodeSafetensors, encodeSafetensors, type Tensor } from "./safetensors.js";

export const FORMAT = "wake-sleep";
export const FORMAT_VERSION = "1";

export interface ParameterShape {
  name: string;
  /** Kernel's param_ptr kind: 0 generative bias (gTop at the top layer), 1 Gw, 2 Rw, 3 rb. */
  kind: number;
  layer: number;
  shape: number[];
}

export interface ModelFile {
  layers: number[];
  tensors: Map<string, Tensor>;
  learningRate?: number;
  /** xoshiro128+ state, 16 words. */
  rng?: Int32Array;
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

export function encodeModel(m: ModelFile): Uint8Array {
  const metadata: Record<string, string> = {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    layers: JSON.stringify(m.layers),
  };
  if (m.learningRate !== undefined) metadata.learning_rate = String(m.learningRate);
  if (m.rng) metadata.rng_state = Array.from(new Uint32Array(m.rng.buffer, m.rng.byteOffset, 16), (w) => w.toString(16).padStart(8, "0")).join("");
  return encodeSafetensors(parameterShapes(m.layers).map((p) => [p.name, m.tensors.get(p.name)!]), metadata);
}

/** Parses and checks a model file; `checkLayers` validates the sizes before any tensor is trusted. */
export function decodeModel(bytes: Uint8Array, checkLayers: (layers: unknown) => number[]): ModelFile {
  const { metadata, tensors } = decodeSafetensors(bytes);
  if (metadata.format !== FORMAT) throw new Error(`model file: __metadata__.format must be "${FORMAT}", got ${JSON.stringify(metadata.format)}`);
  if (metadata.format_version !== FORMAT_VERSION) {
    throw new Error(`model file: format_version ${JSON.stringify(metadata.format_version)} is not supported (this library reads version ${FORMAT_VERSION})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata.layers ?? "");
  } catch {
    throw new Error(`model file: __metadata__.layers must be a JSON array like "[784,200,50]", got ${JSON.stringify(metadata.layers)}`);
  }
  const layers = checkLayers(parsed);
  const expected = parameterShapes(layers);
  for (const name of tensors.keys()) {
    if (!expected.some((p) => p.name === name)) throw new Error(`model file: unexpected tensor ${name} for layers ${JSON.stringify(layers)}`);
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
  return { layers, tensors, learningRate: readRate(metadata.learning_rate), rng: readRng(metadata.rng_state) };
}

function readRate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`model file: learning_rate must be a finite number > 0, got ${JSON.stringify(text)}`);
  return v;
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
