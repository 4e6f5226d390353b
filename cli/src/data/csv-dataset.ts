import { CliError } from "../errors.js";
import { readCsv } from "./csv.js";
import { FIFTH_SPLIT, guessShape, splitEveryFifth, type Dataset } from "./split.js";

/** A CSV file of 0/1 rows, split by row number. */
export function csvDataset(path: string): Dataset {
  const table = readCsv(path);
  if (table.rows < 5) throw new CliError(`${path}: ${table.rows} rows; at least 5 are needed for the train/test split (row i is a test row when i % 5 == 4)`);
  const { train, test } = splitEveryFifth(table.values, table.rows, table.width);
  return {
    name: path,
    description: `CSV file of 0/1 rows, ${table.rows} rows of ${table.width} values`,
    split: FIFTH_SPLIT,
    width: table.width,
    shape: guessShape(table.width),
    grey: false,
    train,
    test,
    defaults: { layers: [table.width, 200, 50], epochs: 10, learningRate: 0.01 },
  };
}
