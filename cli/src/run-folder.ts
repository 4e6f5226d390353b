// Where a training run writes: --out DIR, or a fresh runs/<timestamp>/ under the current directory.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CliError, oneLine } from "./errors.js";

export function makeRunFolder(out: string | undefined, now = new Date()): string {
  let dir = out;
  if (dir === undefined) {
    const stamp = now.toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
    dir = join("runs", stamp);
    for (let k = 2; existsSync(dir); k++) dir = join("runs", `${stamp}-${k}`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CliError(`cannot create the run folder ${dir}: ${oneLine(err)}`);
  }
  return dir;
}
