// Data sets made of IDX files: Fashion-MNIST where Debian installs it, any directory in the
// MNIST layout, or a single IDX file of images.
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CliError } from "../errors.js";
import { readIdx, type Idx } from "./idx.js";
import { FIFTH_SPLIT, guessShape, splitEveryFifth, type Dataset, type Split } from "./split.js";

/** Where Debian's package dataset-fashion-mnist installs the files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
/** Overrides FASHION_MNIST_DIR (for a copy elsewhere, and for tests). */
export const FASHION_MNIST_ENV = "WAKE_SLEEP_FASHION_MNIST_DIR";

const FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** The file `name` or `name.gz` in `dir`, if either exists. */
function find(dir: string, name: string): string | undefined {
  for (const candidate of [join(dir, name + ".gz"), join(dir, name)]) if (existsSync(candidate)) return candidate;
  return undefined;
}

export function fashionDataset(): Dataset {
  const dir = process.env[FASHION_MNIST_ENV] || FASHION_MNIST_DIR;
  if (!find(dir, FILES.trainImages) || !find(dir, FILES.testImages)) {
    throw new CliError(
      `Fashion-MNIST is not in ${dir}. Install it with: sudo apt-get install dataset-fashion-mnist (Debian/Ubuntu), ` +
        `or pass --data DIR for a directory holding ${FILES.trainImages}.gz and ${FILES.testImages}.gz`,
    );
  }
  const d = idxDirectoryDataset(dir);
  return { ...d, name: "fashion-mnist", description: `Fashion-MNIST from ${dir} (28x28 grey images of clothing, 10 classes)` };
}

/** A directory with train-images-idx3-ubyte[.gz] and t10k-images-idx3-ubyte[.gz] (labels optional). */
export function idxDirectoryDataset(dir: string): Dataset {
  const trainPath = find(dir, FILES.trainImages);
  const testPath = find(dir, FILES.testImages);
  if (!trainPath || !testPath) {
    throw new CliError(`${dir}: a data directory must hold ${FILES.trainImages}[.gz] and ${FILES.testImages}[.gz] (IDX files, as MNIST ships them)`);
  }
  const train = imagesWithLabels(trainPath, find(dir, FILES.trainLabels));
  const test = imagesWithLabels(testPath, find(dir, FILES.testLabels));
  if (train.width !== test.width) throw new CliError(`${testPath}: images have ${test.width} pixels, but ${trainPath} has ${train.width}`);
  return {
    name: dir,
    description: `IDX files in ${dir}: ${train.split.rows} training and ${test.split.rows} test images of ${train.shape.join("x")}`,
    split: `the files' own: ${basename(trainPath)} for training, ${basename(testPath)} for testing`,
    width: train.width,
    shape: train.shape,
    grey: true,
    train: train.split,
    test: test.split,
    defaults: { layers: [train.width, 200, 50], epochs: 5, learningRate: 0.01 },
  };
}

/** One IDX file of images, split by row number; labels from a sibling ...labels-idx1... file if there is one. */
export function idxFileDataset(path: string): Dataset {
  const labelName = basename(path).replace("images", "labels").replace("idx3", "idx1");
  const labelPath = labelName !== basename(path) && existsSync(join(dirname(path), labelName)) ? join(dirname(path), labelName) : undefined;
  const all = imagesWithLabels(path, labelPath);
  if (all.split.rows < 5) throw new CliError(`${path}: ${all.split.rows} images; at least 5 are needed for the train/test split (row i is a test row when i % 5 == 4)`);
  const { train, test } = splitEveryFifth(all.split.values, all.split.rows, all.width, all.split.labels);
  return {
    name: path,
    description: `IDX file ${path}: ${all.split.rows} images of ${all.shape.join("x")}`,
    split: FIFTH_SPLIT,
    width: all.width,
    shape: all.shape,
    grey: true,
    train,
    test,
    defaults: { layers: [all.width, 200, 50], epochs: 10, learningRate: 0.01 },
  };
}

function imagesWithLabels(imagesPath: string, labelsPath: string | undefined): { split: Split; width: number; shape: [number, number] } {
  const images = readIdx(imagesPath);
  const { rows, width, shape } = imageDims(images, imagesPath);
  const values = new Float32Array(images.data.length);
  for (let i = 0; i < values.length; i++) values[i] = images.data[i] / 255;
  let labels: Uint8Array | undefined;
  if (labelsPath) {
    const l = readIdx(labelsPath);
    if (l.dims.length !== 1 || l.dims[0] !== rows) throw new CliError(`${labelsPath}: expected ${rows} labels (one dimension), got dimensions ${l.dims.join("x")}`);
    labels = l.data;
  }
  return { split: { values, rows, labels }, width, shape };
}

function imageDims(idx: Idx, path: string): { rows: number; width: number; shape: [number, number] } {
  const [rows, ...rest] = idx.dims;
  if (rows === 0) throw new CliError(`${path}: the IDX file holds no images (dimensions ${idx.dims.join("x")})`);
  if (rest.length === 2 && rest[0] * rest[1] > 0) return { rows, width: rest[0] * rest[1], shape: [rest[0], rest[1]] };
  if (rest.length === 1 && rest[0] > 0) return { rows, width: rest[0], shape: guessShape(rest[0]) };
  throw new CliError(`${path}: IDX images must have dimensions rows x height x width or rows x width, got ${idx.dims.join("x")}`);
}
