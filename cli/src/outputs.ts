// The pictures of a run: dreams.png, reconstructions.png and curve.png, each written atomically.
import { join } from "node:path";
import type { HelmholtzMachine } from "wake-sleep";
import { writeFileAtomic } from "./atomic.js";
import type { Dataset } from "./data/split.js";
import { curvePng, type CurvePoint } from "./pictures/curve.js";
import { gridPng, pairsPng } from "./pictures/grid.js";

export const DREAMS = 64;
export const RECONSTRUCTIONS = 40;

/** Writes the three pictures into `folder`; returns their file names. */
export function writePictures(
  machine: HelmholtzMachine,
  folder: string,
  testRows: Uint8Array,
  data: Dataset,
  shape: [number, number],
  curve: CurvePoint[],
  epochMeans: CurvePoint[],
): string[] {
  writeFileAtomic(join(folder, "dreams.png"), gridPng(machine.dream(DREAMS), DREAMS, shape, 8));
  const rows = testRows.length / data.width;
  const count = Math.min(RECONSTRUCTIONS, rows);
  const real = new Uint8Array(count * data.width);
  const recon = new Float32Array(count * data.width);
  for (let i = 0; i < count; i++) {
    const r = Math.floor((i * rows) / count);
    const x = testRows.subarray(r * data.width, (r + 1) * data.width);
    real.set(x, i * data.width);
    recon.set(machine.reconstruct(x), i * data.width);
  }
  writeFileAtomic(join(folder, "reconstructions.png"), pairsPng(real, recon, count, shape, 5));
  writeFileAtomic(join(folder, "curve.png"), curvePng(curve, epochMeans));
  return ["dreams.png", "reconstructions.png", "curve.png"];
}
