// Issue "Beyond the 1995 paper", point 5, exactly as stated: `wake-sleep train --data bars --seed S
// --out DIR` with the CLI's defaults for seeds 1..5, then the exact KL(true || model) of each saved
// DIR/model.safetensors by `wake-sleep eval --json`, and the median. Writes results/bars-cli.json.
//   node bench/quality/bars-cli.js [--seeds 1,2,3,4,5] [-- extra train options, e.g. --recipe classic]
import { execFileSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RESULTS } from "./mnist-common.js";
import { machineInfo } from "../machine.js";
import { median } from "../timing.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../cli/dist/bin/wake-sleep.js");
const args = process.argv.slice(2);
const dash = args.indexOf("--");
const extra = dash >= 0 ? args.slice(dash + 1) : [];
const i = args.indexOf("--seeds");
const seeds = (i >= 0 && (dash < 0 || i < dash) ? args[i + 1] : "1,2,3,4,5").split(",").map(Number);

const work = mkdtempSync(join(tmpdir(), "bars-cli-"));
const kls = [], seconds = [];
try {
  for (const seed of seeds) {
    const out = join(work, `seed${seed}`), t = performance.now();
    execFileSync(process.execPath, [BIN, "train", "--data", "bars", "--seed", String(seed), "--samples", "10", "--out", out, ...extra], { stdio: "ignore" });
    seconds.push((performance.now() - t) / 1000);
    const e = JSON.parse(execFileSync(process.execPath, [BIN, "eval", join(out, "model.safetensors"), "--samples", "10", "--json"], { encoding: "utf8" }));
    kls.push(e.klBits);
    console.log(`seed ${seed}: KL(true || model) = ${e.klBits.toFixed(4)} bits from ${out}/model.safetensors (train ${seconds.at(-1).toFixed(1)} s)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const med = median(kls);
console.log(`median ${med.toFixed(4)} bits over seeds ${seeds.join(",")}; target <= 0.10: ${med <= 0.1 ? "reached" : "NOT reached"}`);
const tag = [seeds.join(",") === "1,2,3,4,5" ? "" : `s${seeds[0]}-${seeds.at(-1)}`, extra.join("").replace(/[^a-z0-9]+/gi, "")].filter(Boolean).join("-");
const path = join(RESULTS, `bars-cli${tag ? "-" + tag : ""}.json`);
writeFileSync(path + ".tmp", JSON.stringify({ command: `wake-sleep train --data bars --seed S --out DIR ${extra.join(" ")}`.trim(), seeds, kls: kls.map((k) => +k.toFixed(4)), median: +med.toFixed(4), trainSeconds: seconds.map((s) => +s.toFixed(1)), machine: machineInfo(), finished: new Date().toISOString() }, null, 1) + "\n");
renameSync(path + ".tmp", path);
