// Node 20 has WebAssembly relaxed SIMD only behind a flag: the bench scripts that run the
// relaxed-SIMD build run themselves again with it.
import { spawnSync } from "node:child_process";
import { relaxedUnavailable } from "../dist/wasm.js";

const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";

/** Runs this script again with the flag if the runtime has relaxed SIMD only behind it (then sets the exit code and returns true). */
export function rerunWithRelaxedSimd() {
  if (!relaxedUnavailable() || process.execArgv.includes(RELAXED_FLAG)) return false;
  const { status } = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exitCode = status ?? 1;
  return true;
}
