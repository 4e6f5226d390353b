// Small models and data sets for the tests.
import { HelmholtzMachine } from "../../src/index.js";
import { encodeModel, parameterShapes } from "../../src/model-file.js";
import { mulberry32 } from "../../src/problems/random.js";

/** rows x width random 0/1 bytes with P(1) = density, from a seeded stream. */
export function randomBinary(rows: number, width: number, seed: number, density = 0.3): Uint8Array {
  const u = mulberry32(seed);
  return Uint8Array.from({ length: rows * width }, () => (u() < density ? 1 : 0));
}

/** Every binary vector of length n, as 2^n rows. */
export function allBinaryVectors(n: number): Uint8Array {
  const out = new Uint8Array(n << n);
  for (let v = 0; v < 1 << n; v++) for (let j = 0; j < n; j++) out[v * n + j] = (v >> j) & 1;
  return out;
}

/** A machine whose parameters are set by `value(name, index)`, via a model file. */
export async function machineWith(layers: number[], value: (name: string, i: number) => number): Promise<HelmholtzMachine> {
  const tensors = new Map(
    parameterShapes(layers).map((p) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      return [p.name, { shape: p.shape, data: Float32Array.from({ length: size }, (_, i) => value(p.name, i)) }] as const;
    }),
  );
  return HelmholtzMachine.load(encodeModel({ layers, tensors }));
}

export const sigma = (a: number) => 1 / (1 + Math.exp(-a));
