// wake-sleep recognize MODEL: the hidden codes the recognition model gives test rows.
import { intOption, parseCommand, requirePositional, stringOption } from "../args.js";
import { writeFileAtomic } from "../atomic.js";
import { say, type Command } from "../command.js";
import { evaluationRows } from "../data/binarization.js";
import { checkModelFitsData, chooseData, DATA_HELP, DATA_OPTIONS, describeData } from "../data-options.js";
import { CliError } from "../errors.js";
import { loadModel } from "../model-io.js";
import { readRunInfo } from "../run-info.js";

const help = `Usage: wake-sleep recognize MODEL [options]

Runs the recognition model of MODEL bottom-up on test rows of the data and shows one sample of
the chosen hidden layer's binary states for each row, with the row's label where the data have labels.
Without --data, uses the data recorded in the metrics.json beside MODEL, else mnist.

${DATA_HELP}

Options:
  --count N            rows to show (default 10), spread evenly over the test rows
  --layer L            hidden layer, 1 (just above the data) to the top (default: the top layer)
  --out FILE           also write every test row's code to FILE as CSV: label (or -1), then the states
  -h, --help           this help

Examples:
  wake-sleep recognize runs/2025-01-01T12-00-00/model.safetensors --count 20
  wake-sleep recognize shifter-model.safetensors --data shifter --out codes.csv`;

export const recognize: Command = {
  name: "recognize",
  summary: "hidden codes of test rows from the recognition model",
  help,
  async run(argv) {
    const p = parseCommand("recognize", argv, { ...DATA_OPTIONS, count: { type: "string" }, layer: { type: "string" }, out: { type: "string" } }, 1);
    if (p.values.help) {
      say(help);
      return 0;
    }
    const modelPath = requirePositional(p, "recognize", "MODEL");
    const count = intOption(p, "count", 1, 2 ** 31 - 1) ?? 10;
    const layerGiven = intOption(p, "layer", 1, 64);
    const out = stringOption(p, "out");
    const machine = await loadModel(modelPath);
    const top = machine.layers.length - 1;
    const layer = layerGiven ?? top;
    if (layer > top) throw new CliError(`--layer must be from 1 to ${top} for a model with layers [${machine.layers.join(", ")}], got ${layer}`);
    const chosen = chooseData(p, readRunInfo(modelPath));
    const { dataset } = chosen;
    checkModelFitsData(machine, dataset);
    const rows = evaluationRows(dataset.test, chosen.binarization);
    const n = dataset.test.rows;
    const labels = dataset.test.labels;
    const code = (r: number) => machine.recognize(rows.subarray(r * dataset.width, (r + 1) * dataset.width))[layer - 1];
    say(...describeData(chosen), `layer ${layer} of [${machine.layers.join(", ")}]: ${machine.layers[layer]} unit${machine.layers[layer] === 1 ? "" : "s"}; one sample from Q per row`, "test row  label  code");
    const shown = Math.min(count, n);
    for (let i = 0; i < shown; i++) {
      const r = Math.floor((i * n) / shown);
      say(`${String(r).padStart(8)}  ${(labels ? String(labels[r]) : "-").padStart(5)}  ${code(r).join("")}`);
    }
    if (out !== undefined) {
      const lines: string[] = [];
      for (let r = 0; r < n; r++) lines.push([labels ? labels[r] : -1, ...code(r)].join(","));
      writeFileAtomic(out, lines.join("\n") + "\n");
      say(`wrote the codes of ${n} test rows to ${out}`);
    }
    machine.dispose();
    return 0;
  },
};
