// A data set as the commands see it: training and test rows, picture shape, and defaults;
// and the helpers that split and subsample rows.

export interface Split {
  /** Grey values in [0, 1] (Float32Array, when the set is grey) or 0/1 bytes. */
  values: Float32Array | Uint8Array;
  rows: number;
  labels?: Uint8Array;
}

export interface Dataset {
  /** What --data was: mnist, fashion-mnist, bars, shifter, or the path. */
  name: string;
  /** One line on what the rows are. */
  description: string;
  /** How the training and test rows were formed. */
  split: string;
  width: number;
  /** Height and width of one row as a picture. */
  shape: [number, number];
  /** True when the values are grey levels that must be binarized. */
  grey: boolean;
  train: Split;
  test: Split;
  defaults: { layers: number[]; epochs: number; learningRate: number };
}

/** The rows `pick` (indices) of `values`, with their labels. */
function takeRows(values: Float32Array | Uint8Array, width: number, pick: number[], labels?: Uint8Array): Split {
  const out = values instanceof Float32Array ? new Float32Array(pick.length * width) : new Uint8Array(pick.length * width);
  pick.forEach((r, i) => out.set(values.subarray(r * width, (r + 1) * width), i * width));
  return { values: out, rows: pick.length, labels: labels ? Uint8Array.from(pick, (r) => labels[r]) : undefined };
}

/** At most `limit` rows, spread evenly over the split (so every class of a class-ordered file appears). */
export function subset(split: Split, limit: number | undefined, width: number): Split {
  if (limit === undefined || limit >= split.rows) return split;
  const pick = Array.from({ length: limit }, (_, i) => Math.floor((i * split.rows) / limit));
  return takeRows(split.values, width, pick, split.labels);
}

/** The picture shape for rows of `width`: square when it can be, else one row. */
export function guessShape(width: number): [number, number] {
  if (width === 32) return [4, 8];
  const side = Math.round(Math.sqrt(width));
  return side * side === width ? [side, side] : [1, width];
}

/** The fixed split used for a single file: row i is a test row when i % 5 == 4. */
export function splitEveryFifth(values: Float32Array | Uint8Array, rows: number, width: number, labels?: Uint8Array): { train: Split; test: Split } {
  const all = Array.from({ length: rows }, (_, i) => i);
  return {
    train: takeRows(values, width, all.filter((i) => i % 5 !== 4), labels),
    test: takeRows(values, width, all.filter((i) => i % 5 === 4), labels),
  };
}

export const FIFTH_SPLIT = "fixed: row i is a test row when i % 5 == 4, a training row otherwise";
