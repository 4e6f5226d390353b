// Model files: read with a clear message when they are missing or not wake-sleep models; written atomically.
import { readFileSync } from "node:fs";
import { HelmholtzMachine } from "wake-sleep";
import { writeFileAtomic } from "./atomic.js";
import { CliError, oneLine } from "./errors.js";

export async function loadModel(path: string): Promise<HelmholtzMachine> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read the model ${path}: ${oneLine(err)}`);
  }
  try {
    return await HelmholtzMachine.load(bytes);
  } catch (err) {
    throw new CliError(`${path} is not a usable wake-sleep model: ${oneLine(err)}`);
  }
}

export function saveModel(machine: HelmholtzMachine, path: string): void {
  writeFileAtomic(path, machine.save());
}
