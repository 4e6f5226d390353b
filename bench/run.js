// `npm run bench`: the benchmark harness of issue 5. Measures the SIMD peak and the hot kernels,
// runs the workloads W1-W4 on our library and W1, W2 on the peers (TF.js, and numpy where it is
// installed; interleaved), and writes bench/results.json and bench/RESULTS.md. See --help.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { machineInfo, loadMonitor, round } from "./machine.js";
import { buildPeak, measurePeak, kernelMicro } from "./kernels.js";
import { measureCores } from "./cores.js";
import { measureIndependentW2 } from "./independent.js";
import { loadDigits, w1Ours, w2Ours, w3Ours, w4Ours, profileFit, useBuild, PROFILED, LAYERS } from "./workloads.js";
import { relaxedUnavailable } from "../dist/wasm.js";
import { rerunWithRelaxedSimd } from "./relaxed.js";
import { interleave, summarize, median, now } from "./timing.js";
import { renderMarkdown } from "./report.js";
import { numpyInfo, numpyPeerOf, w1Numpy, w2Numpy } from "./peers/numpy.js";
import { chromiumSession } from "./browser.js";

const SECTIONS = ["kernels", "W1", "W2", "W3", "W4", "profile"];
const HELP = `usage: npm run bench [-- options]   (or node bench/run.js [options])
  --quick          small workloads and few repeats: a smoke test in about a minute
  --only A,B       run only these sections: ${SECTIONS.join(", ")} (case-insensitive)
  --no-peers       skip the peers (TF.js, numpy)
  --no-browser     skip W1 and W2 in headless Chromium (/usr/bin/chromium)
  --write          write bench/results.json and RESULTS.md even for a --quick or --only run
  --help           this text
A full run writes bench/results.json and bench/RESULTS.md; quick, --only and --no-peers runs
write build/bench/ (git-ignored) unless --write is given. W1 and W2 run on the plain and the
relaxed-SIMD build; where Node has relaxed SIMD behind --experimental-wasm-relaxed-simd (Node 20),
the harness runs itself again with that flag.`;
// W1 also runs on a machine trained this many epochs first (its activity settled), for reading
// W1 beyond the first epoch; the target is judged on the first epoch.
const W1_TRAINED_EPOCHS = 2;

// The targets of issue 5 and the reference figures it quotes (measured elsewhere), with the
// reference machine's SIMD peak per core (f32x4 mul + add), which the kernels section measures here.
const TARGETS = { w1: 40000, w2One: 40000, w2All: 65000 };
const REFERENCE_PEAK_GFLOPS = 35;
const REFERENCES = [
  { who: "TF.js, tfjs-backend-wasm", workload: "W1 online", value: 930, unit: "steps/s", here: ["W1", "tfjs-wasm"] },
  { who: "TF.js, tfjs-backend-wasm", workload: "W2 minibatch B = 100", value: 8100, unit: "vectors/s", here: ["W2", "tfjs-wasm"] },
  { who: "PyTorch", workload: "W1 online", value: 5700, unit: "steps/s" },
  { who: "numpy", workload: "W1 online", value: 3100, unit: "steps/s", here: ["W1", "numpy"] },
  { who: "numpy, 1 core", workload: "W2 minibatch B = 100", value: 39000, unit: "vectors/s", here: ["W2", "numpy-1t"] },
  { who: "numpy, both cores", workload: "W2 minibatch B = 100", value: 43500, unit: "vectors/s", here: ["W2", "numpy-2t"] },
];

// How the Chromium contenders run, for the workloads' descriptions.
const CHROMIUM_NOTE = "\"in headless Chromium\": the same runs in Debian's Chromium (see Machine), on the browser bundle (dist/browser/) in a cross-origin isolated page (bench/browser.js), timed there; per CPU-second divides by the CPU time of its renderer process.";

class UsageError extends Error {}

function parseArgs(argv) {
  const o = { quick: false, only: undefined, peers: true, browser: true, write: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--no-peers") o.peers = false;
    else if (a === "--no-browser") o.browser = false;
    else if (a === "--write") o.write = true;
    else if (a === "--help" || a === "-h") { console.log(HELP); process.exit(0); }
    else if (a === "--only" || a.startsWith("--only=")) {
      const v = a === "--only" ? argv[++i] : a.slice(7);
      if (!v) throw new UsageError("--only needs a list, e.g. --only W1,W3");
      o.only = v.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
        const hit = SECTIONS.find((x) => x.toLowerCase() === s.toLowerCase());
        if (!hit) throw new UsageError(`--only: unknown section ${JSON.stringify(s)}; known: ${SECTIONS.join(", ")}`);
        return hit;
      });
    } else throw new UsageError(`unknown argument ${JSON.stringify(a)}\n${HELP}`);
  }
  return o;
}

function settings(quick) {
  return quick
    ? {
        kernels: { samples: 21, targetMs: 2 }, peak: { samples: 11, targetMs: 5 },
        repeats: 2, warmup: 1,
        peerW1: { wasm: { steps: 100, maxSeconds: 2 }, cpu: { steps: 30, maxSeconds: 2 }, numpy: 100 },
        peerW2: { wasm: { batches: 4, maxSeconds: 2 }, cpu: { batches: 1, maxSeconds: 2 } },
        w3: { rows: 50, repeats: 1, budgetSeconds: 0 }, w4: { examples: 2e5, repeats: 1 },
      }
    : {
        kernels: { samples: 41, targetMs: 2 }, peak: { samples: 21, targetMs: 5 },
        repeats: 5, warmup: 1,
        peerW1: { wasm: { steps: 1000, maxSeconds: 4 }, cpu: { steps: 300, maxSeconds: 4 }, numpy: 1500 },
        peerW2: { wasm: { batches: 20, maxSeconds: 4 }, cpu: { batches: 5, maxSeconds: 4 } },
        w3: { repeats: 3, budgetSeconds: 120 }, w4: { examples: 2e6, repeats: 3 },
      };
}

const t0 = now();
const log = (msg) => process.stderr.write(`[${((now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);

// Medians and spreads of a workload's contenders, and ours/peer ratios of the medians.
function collect(records, contenders) {
  const out = {};
  for (const c of contenders) {
    const rec = records.get(c.id);
    if (rec.error || rec.runs.length === 0) {
      out[c.id] = { available: false, error: rec.error ?? "no runs", ...(c.threads ? { threads: c.threads } : {}) };
      continue;
    }
    const s = summarize(rec.runs.map((r) => r.value));
    // Work per CPU-second of this process: near what the run would reach with a core to itself.
    const perCpu = summarize(rec.runs.map((r) => (r.value * r.seconds) / r.cpuSeconds));
    const extra = rec.runs.at(-1);
    out[c.id] = {
      available: true,
      ...(c.threads ? { threads: c.threads } : {}),
      median: round(s.median, 1), min: round(s.min, 1), max: round(s.max, 1), n: s.n,
      values: s.values.map((v) => round(v, 1)),
      perCpuSecond: round(perCpu.median, 1),
      ...(Number.isFinite(extra.descriptionLength) ? { lastDescriptionLengthBits: round(extra.descriptionLength, 2) } : {}),
      ...(extra.steps !== undefined ? { stepsPerRun: rec.runs.map((r) => r.steps) } : {}),
      ...(extra.note ? { note: extra.note } : {}),
    };
  }
  const ratios = {}, ratiosPerCpuSecond = {};
  for (const [id, c] of Object.entries(out)) {
    if (!id.startsWith("ours") || !c.available) continue;
    for (const peer of ["tfjs-wasm", "tfjs-cpu", numpyPeerOf(id)]) {
      if (!out[peer]?.available) continue;
      ratios[`${id}/${peer}`] = round(c.median / out[peer].median, 2);
      ratiosPerCpuSecond[`${id}/${peer}`] = round(c.perCpuSecond / out[peer].perCpuSecond, 2);
    }
  }
  return { contenders: out, ratios, ratiosPerCpuSecond, paired: paired(records, out) };
}

// Our variants (the relaxed-SIMD build, descriptionLength: false) against our default, and ours in
// Chromium against ours in Node on the same build, in the same rounds: the median of the per-round
// ratios, which the machine's drift between rounds moves far less than the ratio of the medians.
function paired(records, out) {
  const result = {};
  for (const id of Object.keys(out)) {
    const m = /^ours-(?:relaxed|nodl)(-\d+t)?$/.exec(id);
    const base = m ? `ours${m[1] ?? ""}` : id.startsWith("ours-chromium") ? id.replace("-chromium", "") : undefined;
    if (!base || !out[id].available || !out[base]?.available) continue;
    const a = records.get(base).runs, b = records.get(id).runs;
    const perRound = b.slice(0, a.length).map((r, i) => r.value / a[i].value);
    result[`${id}/${base}`] = { median: round(median(perRound), 3), values: perRound.map((x) => round(x, 3)) };
  }
  return result;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (rerunWithRelaxedSimd()) return;
  const relaxedWhyNot = relaxedUnavailable();
  const want = (s) => !opts.only || opts.only.includes(s);
  const full = !opts.quick && !opts.only && opts.peers;
  const S = settings(opts.quick);
  const args = process.argv.slice(2).join(" ");
  const command = process.env.npm_lifecycle_event === "bench" ? `npm run bench${args ? ` -- ${args}` : ""}` : `node bench/run.js${args ? ` ${args}` : ""}`;
  const monitor = loadMonitor();
  let browser, browserCpuSeconds = 0;
  const machine = machineInfo();
  log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, V8 ${machine.v8}`);
  const results = {
    schema: 1,
    date: new Date().toISOString(),
    command,
    options: { quick: opts.quick, only: opts.only ?? SECTIONS, peers: opts.peers, repeats: S.repeats, warmupRounds: S.warmup },
    machine,
    relaxedSimd: { available: !relaxedWhyNot, ...(relaxedWhyNot ? { why: relaxedWhyNot } : {}), nodeFlags: process.execArgv },
    workloads: {},
  };

  if (want("kernels")) {
    log("building the peak kernel (bench/kernels/peak.ts)");
    const build = buildPeak();
    const peak = await measurePeak(S.peak);
    log(`SIMD peak ${peak.gflops} GFLOP/s (${JSON.stringify(peak.variants)})`);
    const micro = await kernelMicro({ peak, ...S.kernels });
    // The kernels with exp and log1p polynomials again, on the relaxed-SIMD build (fused multiply-adds).
    if (!relaxedWhyNot) {
      const relaxed = await kernelMicro({ peak, ...S.kernels, build: "relaxed", only: ["sample_logistic", "logistic_f32", "logistic_delta", "delta_rule"] });
      micro.rows.push(...relaxed.rows);
      micro.peakSamples.push(...relaxed.peakSamples);
    }
    const pooled = summarize(micro.peakSamples);
    results.peak = {
      gflops: round(pooled.median, 2), best: round(pooled.max, 2), samples: pooled.n,
      variant: peak.variant, variants: peak.variants, build,
    };
    results.kernels = micro.rows;
    if (machine.cores > 1) {
      results.cores = await measureCores(peak, machine.cores);
      log(`SIMD peak on ${machine.cores} threads at once: ${results.cores.allCoresGflops} GFLOP/s, x${results.cores.ratio} one thread's`);
    }
    log(`SIMD peak alongside the kernels: median ${results.peak.gflops}, best ${results.peak.best} GFLOP/s`);
    for (const k of results.kernels) log(`${k.kernel}${k.build === "plain" ? "" : ` (${k.build})`} [${k.shape}]: ${k.nsPerElement} ns/element, ${k.pctOfPeak}% of peak`);
  }

  const needDigits = ["W1", "W2", "W3", "profile"].some(want);
  const digits = needDigits ? (log("loading the MNIST split"), loadDigits()) : undefined;
  let peer;
  if (opts.peers && (want("W1") || want("W2"))) {
    peer = await import("./peers/tfjs.js");
    results.peers = await peer.peerInfo();
    results.numpy = numpyInfo();
  }
  const cores = machine.cores;
  if (opts.browser && (want("W1") || want("W2"))) browser = chromiumSession(digits);

  if (want("W1")) {
    log(`W1: online training ${JSON.stringify(LAYERS)}, ${digits.trainRows} digits per run`);
    const contenders = [w1Ours(digits), w1Ours(digits, "relaxed"), w1Ours(digits, "plain", W1_TRAINED_EPOCHS), w1Ours(digits, "plain", 0, false)];
    if (peer) for (const b of peer.BACKENDS) contenders.push(peer.w1Peer(digits, b, S.peerW1[b]));
    if (peer) contenders.push(w1Numpy(digits, S.peerW1.numpy));
    if (browser) contenders.push(browser.w1("plain"), browser.w1("relaxed"));
    const rec = await interleave(contenders, { repeats: S.repeats, warmup: S.warmup, log });
    results.workloads.W1 = {
      unit: "steps/s", layers: LAYERS,
      description: `One wake and one sleep step per row (online, as in the paper), ε = 0.01. Ours: one epoch over the ${digits.trainRows.toLocaleString("en-US")} binarized training digits from a fresh machine (seed 1) per run, timed around fit() (so it includes fit's argument checks and copies); "trained machine": the same epoch timed after ${W1_TRAINED_EPOCHS} untimed ones on that machine, when its units' activity has fallen from about half of every layer to its learned codes, so the binary kernels have fewer active rows to add (the dense peers' work does not depend on it); "descriptionLength: false": the fresh machine's epoch without fit()'s running estimate of the description length, which the peers do not compute (the same samples and updates, bit for bit). ${peer ? `TF.js (bench/peers/tfjs.js): ${S.peerW1.wasm.steps.toLocaleString("en-US")} (wasm) / ${S.peerW1.cpu.steps} (cpu) online steps per run after 20 untimed ones, each run cut at ${S.peerW1.wasm.maxSeconds} s. numpy (bench/peers/numpy_ws.py, BLAS on one thread): ${S.peerW1.numpy.toLocaleString("en-US")} online steps per run after 20 untimed ones, timed inside its process. ` : ""}${browser ? `${CHROMIUM_NOTE} ` : ""}One untimed warm-up round first.`,
      ...collect(rec, contenders),
    };
  }

  await useBuild("plain"); // the profile, W3 and W4 run on the default build
  if (want("profile")) {
    results.profiles = {};
    for (const [workload, options] of Object.entries(PROFILED)) {
      log(`profiling one ${workload} epoch`);
      results.profiles[workload] = { options, ...(await profileFit(digits, options)) };
    }
  }

  if (want("W2")) {
    log("W2: minibatch training, B = 100");
    const threads = cores > 1 ? [1, cores] : [1];
    const contenders = ["plain", "relaxed"].flatMap((simd) => threads.map((t) => w2Ours(digits, t, simd)));
    contenders.push(...threads.map((t) => w2Ours(digits, t, "plain", false)));
    if (peer) for (const b of peer.BACKENDS) contenders.push(peer.w2Peer(digits, b, S.peerW2[b]));
    if (peer) for (const t of threads) contenders.push(w2Numpy(digits, t));
    if (browser) for (const simd of ["plain", "relaxed"]) contenders.push(...threads.map((t) => browser.w2(t, simd)));
    const rec = await interleave(contenders, { repeats: S.repeats, warmup: S.warmup, log });
    results.workloads.W2 = {
      unit: "vectors/s", batchSize: 100, layers: LAYERS,
      description: `A batch, in ours and in both peers alike: a wake phase on B = 100 vectors with the parameters held fixed and the mean of its updates applied to P, then a sleep phase on 100 fantasies of the updated P with the parameters held fixed and the mean of its updates applied to Q (README, "Minibatches"). Ours: fit(data, { batchSize: 100, threads }) for one epoch over the ${digits.trainRows.toLocaleString("en-US")} digits, threads = ${threads.join(" and ")}, timed after an untimed fit of 200 rows on the same fresh machine (seed 1) that starts its worker threads; "descriptionLength: false" as in W1.${peer ? ` TF.js (single-threaded: tfjs-backend-wasm has no threads in Node): ${S.peerW2.wasm.batches} (wasm) / ${S.peerW2.cpu.batches} (cpu) batches per run after 2 untimed ones, each run cut at ${S.peerW2.wasm.maxSeconds} s, updates averaged over the batch. numpy (bench/peers/numpy_ws.py; BLAS on ${threads.join(" and ")} threads): one epoch per run after one untimed batch, timed inside its process.` : ""}${browser ? ` ${CHROMIUM_NOTE} Threads there are Web Workers.` : ""} One untimed warm-up round first.`,
      ...collect(rec, contenders),
    };
    if (cores > 1) {
      log(`W2: ${cores} independent one-thread runs at once, the ceiling for ${cores} threads`);
      results.workloads.W2.independent = await measureIndependentW2(digits, cores, { rounds: S.repeats });
    }
  }

  await useBuild("plain");
  if (want("W4")) {
    log(`W4: bars, ${S.w4.examples} examples`);
    results.workloads.W4 = await w4Ours({ ...S.w4, log });
  }

  if (want("W3")) {
    log(`W3: log-likelihood, K = 1000, ${S.w3.rows ?? digits.testRows} test digits`);
    results.workloads.W3 = await w3Ours(digits, { ...S.w3, threads: cores > 1 ? [1, cores] : [1], log });
  }

  if (browser) {
    results.browser = await browser.info();
    browserCpuSeconds = await browser.cpuSeconds();
    await browser.close();
  }
  results.targets = targets(results.workloads, cores, results);
  results.references = REFERENCES;
  results.load = monitor.stop(browserCpuSeconds);
  results.durationSeconds = results.load.seconds;

  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = full || opts.write ? `${root}bench/` : `${root}build/bench/`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}results.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${dir}RESULTS.md`, renderMarkdown(results));
  log(`wrote ${dir}results.json and ${dir}RESULTS.md`);
  for (const t of results.targets) log(`target ${t.what} >= ${t.target} ${t.unit}: ${t.measured === undefined ? "not available" : Math.round(t.measured)} -> ${t.met ? "met" : "not met"}`);
}

// Each target with the measured median, and that median scaled to the issue's reference machine
// by each peer (ours / the peer in this run x the peer's reference figure there, REFERENCES) and
// by the SIMD peak (the reference's per core against the one measured here on the threads used).
function targets(w, cores, { peak, cores: allCores }) {
  const out = [];
  const peakHere = (threads) => (threads > 1 ? allCores?.allCoresGflops : peak?.gflops);
  const from = (workload, id, what, target, unit, threads = 1) => {
    const c = w[workload].contenders[id];
    if (!c) return; // not run (the Chromium rows with --no-browser)
    const scaledBy = (peerId) => {
      const peer = w[workload].contenders[peerId];
      const reference = REFERENCES.find((x) => x.here?.[0] === workload && x.here?.[1] === peerId)?.value;
      return c?.available && peer?.available && reference ? (c.median / peer.median) * reference : undefined;
    };
    out.push({
      what, target, unit,
      measured: c?.available ? c.median : undefined,
      measuredPerCpuSecond: c?.available ? c.perCpuSecond : undefined,
      scaledByPeer: scaledBy("tfjs-wasm"),
      scaledByNumpy: scaledBy(numpyPeerOf(id)),
      scaledByPeak: c?.available && peakHere(threads) ? (c.median * REFERENCE_PEAK_GFLOPS * threads) / peakHere(threads) : undefined,
      met: !!c?.available && c.median >= target,
      ...(c && !c.available ? { note: c.error } : {}),
    });
  };
  const variants = [["", "", "ours"], ["relaxed-", ", relaxed-SIMD build", "ours-relaxed"], ["nodl-", ", no description length", "ours-nodl"],
    ["chromium-", ", in headless Chromium", "ours-chromium"], ["chromium-relaxed-", ", in headless Chromium, relaxed-SIMD build", "ours-chromium-relaxed"]];
  for (const [build, suffix, w1Id] of variants) {
    if (w.W1) from("W1", w1Id, `W1 online training, one core${suffix}`, TARGETS.w1, "steps/s");
    if (w.W2) {
      from("W2", `ours-${build}1t`, `W2 minibatch B = 100, one core${suffix}`, TARGETS.w2One, "vectors/s");
      if (cores > 1) from("W2", `ours-${build}${cores}t`, `W2 minibatch B = 100, all ${cores} cores${suffix}`, TARGETS.w2All, "vectors/s", cores);
    }
  }
  return out;
}

main().catch((e) => {
  console.error(e instanceof UsageError ? `bench: ${e.message}` : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
