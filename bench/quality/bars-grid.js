// Runs several bars-init.js configurations one after another in one process (one line of JSON per
// configuration in a file), 16-8-1 machines, exact KL; appends to results/bars-init.jsonl.
//   node bench/quality/bars-grid.js configs.jsonl [seeds 1,2,3]
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diagnose } from "./bars-explore.js";
import { runOne } from "./bars-init.js";
import { RESULTS } from "./mnist-common.js";
import { median } from "../timing.js";

const configs = readFileSync(process.argv[2], "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#")).map((l) => JSON.parse(l));
const seeds = (process.argv[3] ?? "1,2,3").split(",").map(Number);
for (const cfg of configs) {
  const t0 = performance.now();
  const kls = [], nb = [], curves = [];
  for (const seed of seeds) {
    const { m, kl, curve } = await runOne(cfg, seed);
    kls.push(kl); nb.push(diagnose(m).distinctBars); curves.push(curve); m.dispose();
  }
  const secs = (performance.now() - t0) / 1000;
  console.log(`median ${median(kls).toFixed(3)}  KLs ${kls.map((k) => k.toFixed(3)).join(" ")}  bars ${nb.join(",")}  ${secs.toFixed(0)} s  ${JSON.stringify(cfg)}`);
  appendFileSync(join(RESULTS, "bars-init.jsonl"), JSON.stringify({ cfg, seeds, kls: kls.map((k) => +k.toFixed(4)), median: +median(kls).toFixed(4), bars: nb, curves: curves.map((c) => c.map((k) => +k.toFixed(4))), wallSeconds: +secs.toFixed(1) }) + "\n");
}
