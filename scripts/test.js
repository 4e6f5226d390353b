// `npm test`: the as-pect kernel specs, then the vitest suites; ends with one line of totals.
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

// as-pect's summary, colour codes stripped: "[Tests]: <passed> / <total>".
const kernels = await run("npx", ["asp", "--config", "as-pect.config.js"]);
const plain = kernels.text.replace(/\x1b\[[0-9;]*m/g, "");
const aspect = plain.match(/\[Tests\]:\s*(\d+) \/ (\d+)/);
const kernelCounts = aspect ? { passed: +aspect[1], failed: +aspect[2] - +aspect[1] } : { passed: 0, failed: 1 };
if (!aspect) console.error("as-pect printed no test summary");

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

const passed = kernelCounts.passed + apiCounts.passed;
const failed = kernelCounts.failed + apiCounts.failed + (kernels.code !== 0 && kernelCounts.failed === 0 ? 1 : 0);
console.log(`\nkernels (as-pect): ${kernelCounts.passed} passed, ${kernelCounts.failed} failed`);
console.log(`api (vitest): ${apiCounts.passed} passed, ${apiCounts.failed} failed`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
