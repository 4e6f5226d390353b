// `npm test`: the as-pect kernel specs on the plain and the relaxed-SIMD build, then the vitest
// suites; ends with one line of totals.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        text += chunk;
        (stream === child.stdout ? process.stdout : process.stderr).write(chunk);
      });
    }
    child.on("close", (code) => resolve({ code, text }));
  });
}

// The kernel specs on one build: as-pect's summary, colour codes stripped: "[Tests]: <passed> / <total>".
async function kernelSpecs(nodeFlags, asConfig) {
  const args = [...nodeFlags, "--enable-source-maps", "node_modules/@as-pect/cli/lib/test.js", "--config", "as-pect.config.js", "--as-config", asConfig];
  const { code, text } = await run(process.execPath, args);
  const aspect = text.replace(/\x1b\[[0-9;]*m/g, "").match(/\[Tests\]:\s*(\d+) \/ (\d+)/);
  if (!aspect) console.error(`as-pect printed no test summary (${asConfig})`);
  const counts = aspect ? { passed: +aspect[1], failed: +aspect[2] - +aspect[1] } : { passed: 0, failed: 1 };
  return code !== 0 && counts.failed === 0 ? { ...counts, failed: 1 } : counts;
}

// The plain build, then the relaxed-SIMD build (Node 20 runs it behind a flag).
const { relaxedUnavailable } = await import("../dist/wasm.js");
const relaxedFlags = relaxedUnavailable() ? ["--experimental-wasm-relaxed-simd"] : [];
const plainKernels = await kernelSpecs([], "as-pect.asconfig.json");
const relaxedKernels = await kernelSpecs(relaxedFlags, "as-pect.relaxed.asconfig.json");

const report = "build/vitest-report.json";
rmSync(report, { force: true });
const api = await run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`]);
let apiCounts = { passed: 0, failed: 1 };
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  apiCounts = { passed: json.numPassedTests, failed: json.numFailedTests + (api.code !== 0 && json.numFailedTests === 0 ? 1 : 0) };
} catch {
  console.error("vitest wrote no report");
}

const passed = plainKernels.passed + relaxedKernels.passed + apiCounts.passed;
const failed = plainKernels.failed + relaxedKernels.failed + apiCounts.failed;
console.log(`\nkernels (as-pect), plain build: ${plainKernels.passed} passed, ${plainKernels.failed} failed`);
console.log(`kernels (as-pect), relaxed-SIMD build: ${relaxedKernels.passed} passed, ${relaxedKernels.failed} failed`);
console.log(`api (vitest): ${apiCounts.passed} passed, ${apiCounts.failed} failed`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
