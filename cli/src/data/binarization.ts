// Turning grey data into the 0/1 rows the machine models: a fixed threshold, or dynamic
// binarization (the training rows go to fit() as probabilities and the library samples each
// pixel afresh every time a row is shown; the test rows are sampled once, with a fixed seed,
// so that every evaluation of every model sees the same test set).
import { CliError } from "../errors.js";
import { binarize } from "./mnist.js";
import { mulberry32 } from "wake-sleep";
import type { Dataset, Split } from "./split.js";

export type Binarization =
  | { mode: "threshold"; threshold: number }
  | { mode: "dynamic"; testSeed: number }
  | { mode: "none" };

export const DEFAULT_THRESHOLD = 0.5;
export const DYNAMIC_TEST_SEED = 12345;
export const BINARIZE_MODES = ["threshold", "dynamic"] as const;

/** Checks --binarize and --threshold on their own (before any data is read). */
export function checkBinarizationOptions(mode: string | undefined, threshold: number | undefined): void {
  if (mode !== undefined && !(BINARIZE_MODES as readonly string[]).includes(mode)) {
    throw new CliError(`--binarize must be ${BINARIZE_MODES.join(" or ")}, got ${JSON.stringify(mode)}`);
  }
  if (mode === "dynamic" && threshold !== undefined) throw new CliError("--threshold applies to --binarize threshold, not to --binarize dynamic");
  if (threshold !== undefined && threshold >= 1) throw new CliError(`--threshold must be below 1 (a pixel is 1 where grey > threshold), got ${threshold}`);
}

/** The binarization for `data` from --binarize / --threshold (both optional). */
export function chooseBinarization(data: Dataset, mode: string | undefined, threshold: number | undefined): Binarization {
  checkBinarizationOptions(mode, threshold);
  if (!data.grey) return { mode: "none" };
  if (mode === "dynamic") return { mode: "dynamic", testSeed: DYNAMIC_TEST_SEED };
  return { mode: "threshold", threshold: threshold ?? DEFAULT_THRESHOLD };
}

export function describeBinarization(b: Binarization): string {
  switch (b.mode) {
    case "threshold":
      return `fixed threshold: a pixel is 1 where grey > ${b.threshold}`;
    case "dynamic":
      return `dynamic: each training pixel is sampled as Bernoulli(grey) afresh every time its row is shown; the test rows are sampled once with seed ${b.testSeed}`;
    case "none":
      return "none: the data are already 0/1";
  }
}

/** Rows for fit(): 0/1 bytes, or grey probabilities when binarization is dynamic. */
export function trainingRows(split: Split, b: Binarization): Uint8Array | Float32Array {
  if (b.mode === "dynamic") return split.values as Float32Array;
  return evaluationRows(split, b);
}

/** 0/1 rows for evaluation and pictures. */
export function evaluationRows(split: Split, b: Binarization): Uint8Array {
  const v = split.values;
  switch (b.mode) {
    case "none":
      return v instanceof Uint8Array ? v : Uint8Array.from(v);
    case "threshold":
      return binarize(v as Float32Array, b.threshold);
    case "dynamic": {
      const u = mulberry32(b.testSeed);
      return Uint8Array.from(v, (p) => (u() < p ? 1 : 0));
    }
  }
}
