// wake-sleep train: online wake-sleep on a data set, then test-set numbers, pictures and metrics.json.
import { join } from "node:path";
import { HelmholtzMachine, type EpochStats } from "wake-sleep";
import { intOption, layersOption, numberOption, parseCommand, shapeOption, stringOption } from "../args.js";
import { writeFileAtomic } from "../atomic.js";
import { say, type Command } from "../command.js";
import { CurveRecorder } from "../curve-recorder.js";
import { evaluationRows, trainingRows } from "../data/binarization.js";
import { checkModelFitsData, chooseData, DATA_HELP, DATA_OPTIONS, describeData, type ChosenData } from "../data-options.js";
import { CliError, EXIT_INTERRUPTED, EXIT_TERMINATED } from "../errors.js";
import { DEFAULT_LL_SAMPLES, describeEvaluation, evaluate, type Evaluation } from "../evaluate.js";
import { loadModel, saveModel } from "../model-io.js";
import { writePictures } from "../outputs.js";
import { trainingProgress } from "../progress.js";
import { makeRunFolder } from "../run-folder.js";
import { readRunInfo, type RunInfo } from "../run-info.js";
import type { CurvePoint } from "../pictures/curve.js";
import { chooseRecipe, type Recipe } from "../recipes.js";

const last = <T>(a: T[]): T | undefined => a[a.length - 1];

const help = `Usage: wake-sleep train [options]

Trains a Helmholtz machine with online wake-sleep (one wake step and one sleep step per row),
prints the test log-likelihood and description length, and writes a run folder:
model.safetensors, dreams.png, reconstructions.png, curve.png (the training curve), metrics.json.
Ctrl-C (or SIGTERM) stops at the next chunk of rows and saves a checkpoint (exit code 130, or 143);
--resume continues it.

${DATA_HELP}

Model and training:
  --layers N0,N1,...   units per layer, visible first (default 784,200,50; bars 16,8,1; shifter 32,24,1)
  --epochs N           passes over the training rows (default: mnist 60, fashion-mnist 5, bars 200, shifter 100, files 10)
  --learning-rate E    learning rate of the delta rules (default: 0.01; bars 0.02; shifter 0.05)
  --recipe NAME        classic: online wake-sleep at a constant rate (default, except for bars);
                       recruit (bars only, its default): pixel biases -4, idle middle units recruited
                       on unexplained rows for the first 10^6 examples, then the rate x0.7 per 10^5
  --seed S             seed of the machine's random stream (default 0)
  --resume FILE        continue training the model in FILE (its layers and random state; its learning rate unless given)

Output:
  --out DIR            run folder (default runs/<timestamp>)
  --samples K          importance samples per test row for the log-likelihood (default ${DEFAULT_LL_SAMPLES})
  --shape HxW          picture shape of one row (default from the data, e.g. 28x28)
  -h, --help           this help

Examples:
  wake-sleep train                                   the main job: MNIST, [784,200,50], 60 epochs
  wake-sleep train --data bars                       the bars problem of Hinton et al. (1995), exact KL
  wake-sleep train --data bars --recipe classic      the same with the 1995 rule alone (lr 0.1)
  wake-sleep train --epochs 10 --binarize dynamic --out runs/dyn
  wake-sleep train --resume runs/dyn/model.safetensors --epochs 5`;

export const train: Command = {
  name: "train",
  summary: "train a machine on a data set; write model, pictures and metrics.json",
  help,
  async run(argv) {
    const p = parseCommand(
      "train",
      argv,
      {
        ...DATA_OPTIONS,
        layers: { type: "string" },
        epochs: { type: "string" },
        "learning-rate": { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        samples: { type: "string" },
        resume: { type: "string" },
        shape: { type: "string" },
        recipe: { type: "string" },
      },
      0,
    );
    if (p.values.help) {
      say(help);
      return 0;
    }
    const layersGiven = layersOption(p);
    const epochsGiven = intOption(p, "epochs", 1, 1e9);
    const rateGiven = numberOption(p, "learning-rate", 100);
    const seed = intOption(p, "seed", 0, Number.MAX_SAFE_INTEGER);
    const samples = intOption(p, "samples", 1, 1 << 20) ?? DEFAULT_LL_SAMPLES;
    const shapeGiven = shapeOption(p);
    const resume = stringOption(p, "resume");
    if (resume !== undefined && seed !== undefined) throw new CliError("--seed cannot be combined with --resume: the model file carries its random state");

    const run = resume !== undefined ? readRunInfo(resume) : undefined;
    const chosen = chooseData(p, run);
    const { dataset } = chosen;
    const shape = checkShape(shapeGiven ?? dataset.shape, dataset.width);
    const recipe = chooseRecipe(stringOption(p, "recipe") ?? run?.recipe, dataset);
    const epochs = epochsGiven ?? recipe.epochs;

    let machine: HelmholtzMachine;
    if (resume !== undefined) {
      machine = await loadModel(resume);
      if (layersGiven && layersGiven.join(",") !== machine.layers.join(",")) {
        throw new CliError(`--layers ${layersGiven.join(",")} does not match the resumed model's layers ${machine.layers.join(",")}`);
      }
      if (rateGiven !== undefined) machine.learningRate = rateGiven;
    } else {
      const layers = layersGiven ?? dataset.defaults.layers;
      if (layers[0] !== dataset.width) throw new CliError(`--layers must start with the data's width ${dataset.width}, got ${layers.join(",")}`);
      machine = await HelmholtzMachine.create({ layers, seed: seed ?? 0, learningRate: rateGiven ?? recipe.learningRate });
      recipe.initialize(machine);
    }
    checkModelFitsData(machine, dataset);

    const folder = makeRunFolder(stringOption(p, "out"));
    const modelPath = join(folder, "model.safetensors");
    const firstEpoch = (run?.epochsDone ?? 0) + 1;
    const rows = trainingRows(dataset.train, chosen.binarization);
    say(
      ...describeData(chosen),
      `machine: [${machine.layers.join(", ")}], ${resume ? `resumed from ${resume}` : `new, seed ${seed ?? 0}`}, learning rate ${machine.learningRate}`,
      `training: ${recipe.description} (one wake and one sleep step per row), ${epochs} epoch${epochs === 1 ? "" : "s"} of ${dataset.train.rows} rows (epochs ${firstEpoch}..${firstEpoch + epochs - 1}), rows shuffled each epoch`,
      `run folder: ${folder}`,
    );

    const controller = new AbortController();
    const progress = trainingProgress(epochs * dataset.train.rows, firstEpoch);
    let exitCode = EXIT_INTERRUPTED;
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(exitCode);
      exitCode = signal === "SIGTERM" ? EXIT_TERMINATED : EXIT_INTERRUPTED;
      controller.abort();
      progress.note("interrupted: stopping at the next chunk and saving a checkpoint (Ctrl-C again to quit without saving)");
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    const curve = new CurveRecorder(firstEpoch, epochs * dataset.train.rows);
    let partialRows = 0;
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let stats: EpochStats[];
    try {
      stats = await machine.fit(rows, {
        ...recipe.fitOptions(machine.epochsTrained, dataset.train.rows),
        epochs,
        signal: controller.signal,
        onProgress: (pr) => {
          progress.update(pr);
          curve.add(pr);
          partialRows = pr.epochEnd ? 0 : pr.rowsDone;
        },
      });
    } finally {
      progress.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const rowsTrained = stats.length * dataset.train.rows + (controller.signal.aborted ? partialRows : 0);
    const interrupted = controller.signal.aborted;
    const record: TrainRecord = { chosen, recipe, machine, resume, run, firstEpoch, stats, curve: curve.points, seconds, cpuSeconds, rowsTrained, epochsPlanned: epochs, interrupted, partialRows };

    saveModel(machine, modelPath);
    if (interrupted) {
      writeFileAtomic(join(folder, "metrics.json"), metricsJson(record) + "\n");
      say(
        `interrupted after ${stats.length} complete epoch${stats.length === 1 ? "" : "s"}${partialRows > 0 ? ` and ${partialRows} rows of the next` : ""} (${rowsTrained} rows in ${seconds.toFixed(1)} s)`,
        `checkpoint saved: ${modelPath} and ${join(folder, "metrics.json")}`,
        `continue with: wake-sleep train --resume ${modelPath} --epochs ${epochs - stats.length}`,
      );
      machine.dispose();
      return exitCode;
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);

    const last = stats.at(-1);
    say(
      `trained ${stats.length} epoch${stats.length === 1 ? "" : "s"} (${rowsTrained.toLocaleString("en-US")} rows) in ${seconds.toFixed(1)} s (CPU ${cpuSeconds.toFixed(1)} s), ${Math.round(rowsTrained / seconds).toLocaleString("en-US")} rows/s; last epoch's training DL ${last ? last.descriptionLength.toFixed(2) : "-"} bits`,
    );
    const testRows = evaluationRows(dataset.test, chosen.binarization);
    record.evaluation = evaluate(machine, dataset, testRows, samples);
    say(...describeEvaluation(record.evaluation, dataset, machine));
    const written = writePictures(machine, folder, testRows, dataset, shape, [...(run?.curve ?? []), ...curve.points], epochMeans(run, stats, firstEpoch));
    writeFileAtomic(join(folder, "metrics.json"), metricsJson(record) + "\n");
    say(`wrote ${folder}/: model.safetensors, ${written.join(", ")}, metrics.json`);
    machine.dispose();
    return 0;
  },
};

interface TrainRecord {
  chosen: ChosenData;
  recipe: Recipe;
  machine: HelmholtzMachine;
  resume?: string;
  run?: RunInfo;
  firstEpoch: number;
  stats: EpochStats[];
  curve: CurvePoint[];
  seconds: number;
  cpuSeconds: number;
  rowsTrained: number;
  epochsPlanned: number;
  interrupted: boolean;
  partialRows: number;
  evaluation?: Evaluation;
}

function checkShape(shape: [number, number], width: number): [number, number] {
  if (shape[0] * shape[1] !== width) throw new CliError(`--shape ${shape[0]}x${shape[1]} has ${shape[0] * shape[1]} pixels, but rows have ${width} values`);
  return shape;
}

function epochMeans(run: RunInfo | undefined, stats: EpochStats[], firstEpoch: number): CurvePoint[] {
  const before = (run?.epochStats ?? []).map((s) => ({ epoch: s.epoch, bits: s.descriptionLength }));
  return [...before, ...stats.map((s) => ({ epoch: firstEpoch - 1 + s.epoch, bits: s.descriptionLength }))];
}

function metricsJson(r: TrainRecord): string {
  const { dataset, binarization, limit } = r.chosen;
  const epochStats = [
    ...(r.run?.epochStats ?? []),
    ...r.stats.map((s) => ({ epoch: r.firstEpoch - 1 + s.epoch, descriptionLength: s.descriptionLength, seconds: s.seconds })),
  ];
  const e = r.evaluation;
  return JSON.stringify(
    {
      command: "train",
      createdAt: new Date().toISOString(),
      data: { name: dataset.name, description: dataset.description, split: dataset.split, width: dataset.width, trainRows: dataset.train.rows, testRows: dataset.test.rows, ...(limit !== undefined ? { limit } : {}) },
      binarization,
      machine: { layers: r.machine.layers, learningRate: r.machine.learningRate, resumedFrom: r.resume ?? null },
      training: {
        algorithm: "online wake-sleep: one wake step and one sleep step per row, rows shuffled each epoch",
        recipe: r.recipe.name,
        recipeDescription: r.recipe.description,
        ...(last(r.stats)?.recruited !== undefined ? { unitsRecruited: last(r.stats)!.recruited } : {}),
        epochsPlanned: r.epochsPlanned,
        epochsThisRun: r.stats.length,
        epochsDone: r.firstEpoch - 1 + r.stats.length,
        rowsThisRun: r.rowsTrained,
        seconds: r.seconds,
        cpuSeconds: r.cpuSeconds,
        rowsPerSecond: r.rowsTrained / Math.max(1e-9, r.seconds),
        interrupted: r.interrupted,
        ...(r.interrupted ? { rowsOfUnfinishedEpoch: r.partialRows } : {}),
        epochStats,
        curve: [...(r.run?.curve ?? []), ...r.curve],
      },
      test: e
        ? {
            rows: e.rows,
            logLikelihoodNats: e.logLikelihood.nats,
            logLikelihoodSamples: e.logLikelihood.samples,
            logLikelihoodSeconds: e.logLikelihood.seconds,
            ...(e.exactLogLikelihood ? { exactLogLikelihoodNats: e.exactLogLikelihood.nats } : {}),
            descriptionLengthBits: e.descriptionLength.bits,
            descriptionLengthSamples: e.descriptionLength.samples,
            ...(e.klBits !== undefined ? { klTrueModelBits: e.klBits } : {}),
            ...(e.shiftAgreement !== undefined ? { topUnitShiftAgreement: e.shiftAgreement } : {}),
          }
        : null,
    },
    null,
    2,
  );
}
