// The spec's toy problems as data sets: fixed sizes and fixed seeds, so every run sees the same rows.
import { bars } from "wake-sleep";
import { shifterSample, SHIFTER_COLS, SHIFTER_ROWS, SHIFTER_WIDTH } from "./shifter.js";
import type { Dataset } from "./split.js";

export const GENERATED_TRAIN_ROWS = 10_000;
export const GENERATED_TEST_ROWS = 2_000;
const TRAIN_SEED = 1;
const TEST_SEED = 2;

const split = `${GENERATED_TRAIN_ROWS} training rows generated with seed ${TRAIN_SEED}, ${GENERATED_TEST_ROWS} test rows with seed ${TEST_SEED}`;

/** Bars (Hinton et al. 1995): 4x4, vertical with probability 2/3, each bar on with probability 0.2. */
export function barsDataset(): Dataset {
  // Labels: 0 vertical, 1 horizontal, read off the image (blank and full images count as vertical).
  const labelled = (values: Uint8Array) => {
    const labels = new Uint8Array(values.length / 16);
    for (let i = 0; i < labels.length; i++) {
      const img = values.subarray(i * 16, i * 16 + 16);
      const vertical = img.every((v, p) => v === img[p % 4]);
      labels[i] = vertical ? 0 : 1;
    }
    return { values, rows: labels.length, labels };
  };
  return {
    name: "bars",
    description: "bars (Hinton et al. 1995): 4x4 binary images",
    split,
    width: bars.width,
    shape: [4, 4],
    grey: false,
    train: labelled(bars.sample(GENERATED_TRAIN_ROWS, TRAIN_SEED)),
    test: labelled(bars.sample(GENERATED_TEST_ROWS, TEST_SEED)),
    defaults: { layers: [16, 8, 1], epochs: 200, learningRate: 0.1 },
  };
}

/** Shifter (Dayan et al. 1995): 4x8, the bottom rows a copy of the top rows shifted left or right. */
export function shifterDataset(): Dataset {
  const train = shifterSample(GENERATED_TRAIN_ROWS, TRAIN_SEED);
  const test = shifterSample(GENERATED_TEST_ROWS, TEST_SEED);
  return {
    name: "shifter",
    description: "shifter (Dayan et al. 1995): 4x8 binary images, label 0 = shifted left, 1 = right",
    split,
    width: SHIFTER_WIDTH,
    shape: [SHIFTER_ROWS, SHIFTER_COLS],
    grey: false,
    train: { ...train, rows: GENERATED_TRAIN_ROWS },
    test: { ...test, rows: GENERATED_TEST_ROWS },
    defaults: { layers: [32, 24, 1], epochs: 100, learningRate: 0.05 },
  };
}
