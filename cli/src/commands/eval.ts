// wake-sleep eval MODEL: test-set log-likelihood and description length of a saved model.
import { intOption, parseCommand, requirePositional } from "../args.js";
import { say, type Command } from "../command.js";
import { evaluationRows } from "../data/binarization.js";
import { checkModelFitsData, chooseData, DATA_HELP, DATA_OPTIONS, describeData } from "../data-options.js";
import { DEFAULT_LL_SAMPLES, describeEvaluation, evaluate } from "../evaluate.js";
import { loadModel } from "../model-io.js";
import { readRunInfo } from "../run-info.js";

const help = `Usage: wake-sleep eval MODEL [options]

Evaluates the model file MODEL (model.safetensors) on the test rows of the data: the mean
log-likelihood in nats by importance sampling with K samples from the recognition model, the
description length in bits, and for bars the exact KL(true || model) in bits.
Without --data, uses the data recorded in the metrics.json beside MODEL, else mnist.

${DATA_HELP}

Options:
  --samples K          importance samples per test row (default ${DEFAULT_LL_SAMPLES}; papers use 1,000 or more)
  --json               print the numbers as one JSON object instead of text
  -h, --help           this help

Examples:
  wake-sleep eval runs/2025-01-01T12-00-00/model.safetensors --samples 1000
  wake-sleep eval model.safetensors --data bars`;

export const evalCommand: Command = {
  name: "eval",
  summary: "test-set log-likelihood (nats) and description length (bits) of a model",
  help,
  async run(argv) {
    const p = parseCommand("eval", argv, { ...DATA_OPTIONS, samples: { type: "string" }, json: { type: "boolean" } }, 1);
    if (p.values.help) {
      say(help);
      return 0;
    }
    const modelPath = requirePositional(p, "eval", "MODEL");
    const samples = intOption(p, "samples", 1, 1 << 20) ?? DEFAULT_LL_SAMPLES;
    const machine = await loadModel(modelPath);
    const chosen = chooseData(p, readRunInfo(modelPath));
    const { dataset } = chosen;
    checkModelFitsData(machine, dataset);
    const json = p.values.json === true;
    if (!json) say(...describeData(chosen), `model: ${modelPath}, layers [${machine.layers.join(", ")}]`);
    const e = evaluate(machine, dataset, evaluationRows(dataset.test, chosen.binarization), samples);
    if (json) say(JSON.stringify({ model: modelPath, layers: machine.layers, data: dataset.name, binarization: chosen.binarization, ...e }));
    else say(...describeEvaluation(e, dataset, machine));
    machine.dispose();
    return 0;
  },
};
