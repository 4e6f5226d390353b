// The long fuzz run of HelmholtzMachine.load with mutated model files (the short one is in
// tests/robustness/fuzz.test.ts; the mutators and the oracle are in tests/robustness/fuzz-core.js).
//
//   npm run build
//   node scripts/fuzz.js --cases 100000 --seed 1
//   node scripts/fuzz.js --seed 1 --first 4711 --cases 1    # replay one case
//
// Prints the case count, how many files were rejected and accepted, the longest time any single
// load took (and which case that was), the counts per mutation kind, and every disagreement with
// the oracle. The cases run in a worker thread; the main thread is a watchdog that stops the run
// and names the case if one case takes longer than --hang-seconds (a load that never returns
// could not otherwise be reported). Exit code 0 when there is no failure, 1 otherwise.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const DEFAULTS = { cases: 100000, seed: 1, first: 0, hangSeconds: 60, dist: "dist" };

if (isMainThread) await main();
else await work();

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const shared = new Int32Array(new SharedArrayBuffer(4));
  shared[0] = -1;
  const started = Date.now();
  const worker = new Worker(new URL(import.meta.url), { workerData: { ...args, shared } });
  console.log(`fuzz: ${args.cases} cases from ${args.first}, seed ${args.seed}, library ${args.dist}/, node ${process.version}`);

  // Watchdog: the worker writes the index of the case it is on; the same index for longer than
  // the limit is a hang.
  let seen = -1, since = Date.now();
  const watchdog = setInterval(() => {
    const now = Atomics.load(shared, 0);
    if (now !== seen) { seen = now; since = Date.now(); return; }
    if (Date.now() - since > args.hangSeconds * 1000) {
      console.error(`fuzz: case ${now} (seed ${args.seed}) has run for more than ${args.hangSeconds} s: a hang. Replay: node scripts/fuzz.js --seed ${args.seed} --first ${now} --cases 1`);
      clearInterval(watchdog);
      worker.terminate().then(() => process.exit(1));
    }
  }, 250);

  worker.on("message", (m) => {
    if (m.type === "progress") console.log(`fuzz: ${m.done} cases, ${m.rejected} rejected, ${m.accepted} accepted, longest ${m.maxMs.toFixed(1)} ms, ${m.failures} failures, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (m.type === "done") {
      clearInterval(watchdog);
      report(m.stats, args, (Date.now() - started) / 1000);
      process.exit(m.stats.failureCount === 0 && m.stats.cases === args.cases ? 0 : 1);
    }
  });
  worker.on("error", (e) => {
    clearInterval(watchdog);
    console.error(`fuzz: the run itself failed at case ${Atomics.load(shared, 0)}:`, e);
    process.exit(1);
  });
}

async function work() {
  const { cases, seed, first, dist, shared } = workerData;
  // The library as built by `npm run build`, or another build given by --dist.
  const root = dist === DEFAULTS.dist ? new URL("../dist/", import.meta.url).href : pathToFileURL(resolve(dist) + "/").href;
  const { HelmholtzMachine } = await import(new URL("index.js", root).href);
  const { mulberry32 } = await import(new URL("problems/random.js", root).href);
  const { runFuzz } = await import("../tests/robustness/fuzz-core.js");
  const every = Math.max(1, Math.min(10000, Math.floor(cases / 10)));
  const stats = await runFuzz({ HelmholtzMachine, mulberry32 }, {
    cases, seed, first,
    onCase: (i) => Atomics.store(shared, 0, i),
    onProgress: (s) => {
      if (s.cases % every === 0 && s.cases < cases) {
        parentPort.postMessage({ type: "progress", done: s.cases, rejected: s.rejected, accepted: s.accepted, maxMs: s.maxMs, failures: s.failureCount });
      }
    },
  });
  parentPort.postMessage({ type: "done", stats });
}

function report(stats, args, seconds) {
  const lines = [
    "",
    `cases:    ${stats.cases} (seed ${args.seed}, cases ${args.first}..${args.first + stats.cases - 1})`,
    `rejected: ${stats.rejected} (each with an Error that says what is wrong)`,
    `accepted: ${stats.accepted} (each loaded exactly the values the file holds)`,
    `longest single case: ${stats.maxMs.toFixed(1)} ms (case ${stats.slowest?.case}, ${stats.slowest?.kinds}, ${stats.slowest?.bytes} bytes)`,
    `failures: ${stats.failureCount}`,
    `time:     ${seconds.toFixed(0)} s`,
    "",
    "by mutation (first mutation of the case): rejected / accepted",
    ...Object.entries(stats.byKind).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `  ${k.padEnd(16)} ${String(v.rejected).padStart(7)} / ${v.accepted}`),
  ];
  for (const f of stats.failures) lines.push(`FAIL case ${f.case} (${f.kinds} on ${f.base}): ${f.problems.join("; ")}`);
  console.log(lines.join("\n"));
}

function parseArgs(argv) {
  const out = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "").replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in DEFAULTS)) throw new Error(`fuzz: unknown option ${argv[i]}; known: --cases --seed --first --hang-seconds --dist`);
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`fuzz: ${argv[i]} needs a value`);
    if (typeof DEFAULTS[key] === "number") {
      out[key] = Number(v);
      if (!Number.isSafeInteger(out[key]) || out[key] < 0) throw new Error(`fuzz: ${argv[i]} must be a non-negative integer, got ${v}`);
    } else out[key] = v;
  }
  return out;
}
