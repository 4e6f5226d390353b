// Classification by description length (Hinton, Dayan, Frey & Neal 1995): one Helmholtz machine
// per class; a vector gets the label of the machine that describes it in the fewest bits.
import type { Data } from "./data.js";
import { HelmholtzMachine, type CreateOptions } from "./machine.js";
import type { EpochStats, FitOptions } from "./training.js";
import { integerIn, options, show } from "./validate.js";

export interface ScoreOptions {
  /** Samples from Q per row and class for the description length; default 10. */
  samples?: number;
}

export class DescriptionLengthClassifier {
  private models: HelmholtzMachine[] = [];

  /** `machine` configures every class's machine; class c is seeded with seed + c. */
  constructor(private readonly machine: CreateOptions) {
    options<CreateOptions>("options", machine, ["layers", "seed", "learningRate", "initScale"]);
  }

  /** The trained machines, one per class (label = index). */
  get machines(): readonly HelmholtzMachine[] {
    return this.models;
  }

  /** Trains one machine on each class's data (label = index in `dataByClass`). Resolves to each class's epoch statistics. */
  async fit(dataByClass: Data[], fit?: FitOptions): Promise<EpochStats[][]> {
    if (!Array.isArray(dataByClass) || dataByClass.length < 2) {
      throw new TypeError(`dataByClass must be an array with the data of at least 2 classes, got ${show(dataByClass)}`);
    }
    const seed = this.machine.seed ?? 0;
    const models = await Promise.all(dataByClass.map((_, c) => HelmholtzMachine.create({ ...this.machine, seed: seed + c })));
    try {
      const stats: EpochStats[][] = [];
      for (let c = 0; c < models.length; c++) stats.push(await models[c].fit(dataByClass[c], fit));
      this.dispose();
      this.models = models;
      return stats;
    } catch (e) {
      models.forEach((m) => m.dispose());
      throw e;
    }
  }

  /** Description length in bits of every row under every class's machine: rows x classes, row-major. */
  scores(x: Data, opts?: ScoreOptions): Float64Array {
    if (this.models.length === 0) throw new Error("the classifier has not been fitted; call fit(dataByClass) first");
    const o = options<ScoreOptions>("options", opts, ["samples"]);
    const samples = o.samples === undefined ? 10 : integerIn("samples", o.samples, 1, 1 << 20);
    const perClass = this.models.map((m) => m.descriptionLength(x, { samples }));
    const rows = perClass[0].length, classes = perClass.length;
    const out = new Float64Array(rows * classes);
    perClass.forEach((bits, c) => bits.forEach((b, r) => (out[r * classes + c] = b)));
    return out;
  }

  /** The label (class index) with the shortest description length, per row. */
  predict(x: Data, opts?: ScoreOptions): Int32Array {
    const s = this.scores(x, opts);
    const classes = this.models.length;
    return Int32Array.from({ length: s.length / classes }, (_, r) => {
      let best = 0;
      for (let c = 1; c < classes; c++) if (s[r * classes + c] < s[r * classes + best]) best = c;
      return best;
    });
  }

  /** Releases every machine. */
  dispose(): void {
    this.models.forEach((m) => m.dispose());
    this.models = [];
  }
}
