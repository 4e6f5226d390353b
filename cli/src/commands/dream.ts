// wake-sleep dream MODEL: fantasies from the generative model, as a PNG grid or CSV rows.
import { intOption, parseCommand, requirePositional, shapeOption, stringOption } from "../args.js";
import { writeFileAtomic } from "../atomic.js";
import { say, type Command } from "../command.js";
import { formatCsv } from "../data/csv.js";
import { guessShape } from "../data/split.js";
import { CliError } from "../errors.js";
import { loadModel } from "../model-io.js";
import { gridPng } from "../pictures/grid.js";

const help = `Usage: wake-sleep dream MODEL [options]

Samples fantasies from the generative model in MODEL: a top-layer state from its prior, then
each layer below given the one above, down to the visible units.

Options:
  --count N            how many fantasies (default 64)
  --out FILE           dreams.png (default): a PNG grid; a name ending in .csv, or -, writes 0/1 rows as CSV
  --shape HxW          picture shape of one row (default 28x28 for 784 units, 4x4 for 16, 4x8 for 32, else square or one row)
  -h, --help           this help

Each run continues the random stream saved in MODEL, so the same model file gives the same dreams.

Examples:
  wake-sleep dream runs/2025-01-01T12-00-00/model.safetensors --count 100 --out dreams.png
  wake-sleep dream model.safetensors --count 5 --out -`;

export const dream: Command = {
  name: "dream",
  summary: "fantasies from the generative model, as a PNG grid or CSV",
  help,
  async run(argv) {
    const p = parseCommand("dream", argv, { count: { type: "string" }, out: { type: "string" }, shape: { type: "string" } }, 1);
    if (p.values.help) {
      say(help);
      return 0;
    }
    const modelPath = requirePositional(p, "dream", "MODEL");
    const count = intOption(p, "count", 1, 100_000) ?? 64;
    const out = stringOption(p, "out") ?? "dreams.png";
    const shapeGiven = shapeOption(p);
    if (out !== "-" && !/\.(csv|png)$/i.test(out)) throw new CliError(`--out must name a .png or .csv file, or be - for CSV on stdout; got ${JSON.stringify(out)}`);
    const machine = await loadModel(modelPath);
    const width = machine.layers[0];
    const shape = shapeGiven ?? guessShape(width);
    if (shape[0] * shape[1] !== width) throw new CliError(`--shape ${shape.join("x")} has ${shape[0] * shape[1]} pixels, but the model has ${width} visible units`);
    const dreams = machine.dream(count);
    machine.dispose();
    if (out === "-") {
      process.stdout.write(formatCsv(dreams, width));
      return 0;
    }
    if (/\.csv$/i.test(out)) writeFileAtomic(out, formatCsv(dreams, width));
    else writeFileAtomic(out, gridPng(dreams, count, shape, Math.ceil(Math.sqrt(count))));
    say(`wrote ${count} dream${count === 1 ? "" : "s"} of ${width} units to ${out}`);
    return 0;
  },
};
