// The data options every command shares: --data, --limit, --binarize, --threshold.
import type { HelmholtzMachine } from "wake-sleep";
import { intOption, numberOption, stringOption, type OptionSpec, type Parsed } from "./args.js";
import { checkBinarizationOptions, chooseBinarization, describeBinarization, type Binarization } from "./data/binarization.js";
import { resolveData, type Dataset } from "./data/dataset.js";
import { subset } from "./data/split.js";
import { CliError } from "./errors.js";
import type { RunInfo } from "./run-info.js";

export const DATA_OPTIONS: OptionSpec = {
  data: { type: "string" },
  limit: { type: "string" },
  binarize: { type: "string" },
  threshold: { type: "string" },
};

export const DATA_HELP = `Data options:
  --data NAME|PATH     mnist (default), fashion-mnist, bars, shifter, an IDX file (gzipped or not),
                       a directory of MNIST-style IDX files, or a CSV file of 0/1 rows
  --limit N            use at most N training rows and N test rows, spread evenly over each set
  --binarize MODE      for grey data: threshold (default) or dynamic (resample pixels each time a row is shown)
  --threshold T        for --binarize threshold: a pixel is 1 where grey > T (default 0.5)`;

export interface ChosenData {
  dataset: Dataset;
  binarization: Binarization;
  limit?: number;
  /** Where the choice came from, for the printout. */
  source: string;
}

/** The data the options ask for; without --data, the data of `run` (the metrics.json beside a model), else mnist. */
export function chooseData(p: Parsed, run?: RunInfo): ChosenData {
  const given = stringOption(p, "data");
  const fromRun = given === undefined && run?.data !== undefined;
  const spec = given ?? run?.data ?? "mnist";
  const limit = intOption(p, "limit", 1, 2 ** 31 - 1) ?? (fromRun ? run?.limit : undefined);
  const mode = stringOption(p, "binarize") ?? (fromRun ? run?.binarize : undefined);
  const threshold = numberOption(p, "threshold", 1, true) ?? (fromRun && mode !== "dynamic" ? run?.threshold : undefined);
  checkBinarizationOptions(mode, threshold);
  const full = resolveData(spec);
  const dataset = { ...full, train: subset(full.train, limit, full.width), test: subset(full.test, limit, full.width) };
  const binarization = chooseBinarization(dataset, mode, threshold);
  return { dataset, binarization, limit, source: fromRun ? ` (as recorded in ${run!.path})` : "" };
}

export function describeData(d: ChosenData): string[] {
  const { dataset } = d;
  return [
    `data: ${dataset.name}${d.source}: ${dataset.description}`,
    `split: ${dataset.split}; using ${dataset.train.rows} training rows and ${dataset.test.rows} test rows${d.limit !== undefined ? ` (--limit ${d.limit})` : ""} of ${dataset.width} values`,
    `binarization: ${describeBinarization(d.binarization)}`,
  ];
}

/** A model can only see rows as wide as its visible layer. */
export function checkModelFitsData(machine: HelmholtzMachine, dataset: Dataset): void {
  if (machine.layers[0] !== dataset.width) {
    throw new CliError(`the model has ${machine.layers[0]} visible units but ${dataset.name} rows have ${dataset.width} values; pass the --data it was trained on`);
  }
}
