// Training recipes of `wake-sleep train`: what fit() is asked to do beyond the rows and epochs.
import type { FitOptions, HelmholtzMachine } from "wake-sleep";
import { CliError } from "./errors.js";
import type { Dataset } from "./data/split.js";

export const RECIPES = ["classic", "recruit"] as const;
export type RecipeName = (typeof RECIPES)[number];

export interface Recipe {
  name: RecipeName;
  /** One line for the console and metrics.json. */
  description: string;
  learningRate: number;
  epochs: number;
  /** Initial parameters written into a new machine. */
  initialize(machine: HelmholtzMachine): void;
  /** fit()'s extra options, for a run whose machine has trained `epochsDone` epochs of `rowsPerEpoch` rows. */
  fitOptions(epochsDone: number, rowsPerEpoch: number): Partial<FitOptions>;
}

// The bars recipe that reaches the paper's 0.10 bits (bench/QUALITY.md §5): online classic
// wake-sleep at ε 0.02 from pixel biases -4, recruiting idle middle units on unexplained data
// during the first 10^6 examples, then ε x0.7 per 10^5 examples.
const RECRUIT_EXAMPLES = 1_000_000;
const DECAY_PER_EXAMPLES = { factor: 0.7, examples: 100_000 };
const PIXEL_BIAS = -4;

/** The recipe named by --recipe (default: "recruit" for bars, "classic" otherwise). */
export function chooseRecipe(name: string | undefined, dataset: Dataset): Recipe {
  const chosen = name ?? (dataset.name === "bars" ? "recruit" : "classic");
  if (!(RECIPES as readonly string[]).includes(chosen)) throw new CliError(`--recipe must be one of ${RECIPES.join(", ")}, got ${JSON.stringify(chosen)}`);
  if (chosen === "classic") {
    return {
      name: "classic",
      description: "classic online wake-sleep at a constant learning rate",
      learningRate: dataset.defaults.learningRate,
      epochs: dataset.defaults.epochs,
      initialize: () => undefined,
      fitOptions: () => ({}),
    };
  }
  if (dataset.name !== "bars") throw new CliError(`--recipe recruit is tuned for --data bars only, got --data ${dataset.name}`);
  const rows = dataset.train.rows;
  return {
    name: "recruit",
    description: `online wake-sleep from pixel biases ${PIXEL_BIAS}, recruiting idle middle units on unexplained rows for the first ${RECRUIT_EXAMPLES.toLocaleString("en-US")} examples, then the rate x${DECAY_PER_EXAMPLES.factor} per ${DECAY_PER_EXAMPLES.examples.toLocaleString("en-US")} examples`,
    learningRate: 0.02,
    epochs: 2 * Math.round(RECRUIT_EXAMPLES / rows),
    initialize(machine) {
      const n = machine.layers[0];
      machine.setParameters({ "gen.0.bias": { shape: [n], data: new Float32Array(n).fill(PIXEL_BIAS) } });
    },
    fitOptions(epochsDone) {
      const left = RECRUIT_EXAMPLES - epochsDone * rows;
      return {
        learningRateHold: Math.round(RECRUIT_EXAMPLES / rows),
        learningRateDecay: DECAY_PER_EXAMPLES.factor ** (rows / DECAY_PER_EXAMPLES.examples),
        ...(left > 0 ? { recruit: { rows: left, silentStart: epochsDone === 0 } } : {}),
      };
    },
  };
}
