// W2's ceiling on all cores: the one-thread W2 run in one worker thread alone and in one worker
// per logical CPU at once, each worker training its own machine on its own copy of the digits, in
// alternating rounds. Nothing is shared and no one waits at a barrier, so the all-at-once total
// is the most data-parallel W2 could reach on this machine if threads cost nothing: the machine's
// limit (shared caches and memory, and on a virtual machine whatever the host takes back when
// every vCPU is busy), against which W2 on threads is judged.
import { Worker } from "node:worker_threads";
import { summarize } from "./timing.js";
import { round } from "./machine.js";
import { ask, nextMessage } from "./cores.js";

const WORKER_URL = new URL("./independent-worker.js", import.meta.url);

/**
 * Medians over `rounds` alternating rounds: one worker's vectors/s alone, the summed vectors/s of
 * `cores` workers at once (and their range), and the median of the per-round ratios of the two.
 * `digits` as from loadDigits().
 */
export async function measureIndependentW2(digits, cores, { rounds = 5 } = {}) {
  const workers = Array.from({ length: cores }, () => new Worker(WORKER_URL, { workerData: { digits: { train: digits.train, trainRows: digits.trainRows } } }));
  const one = [], all = [];
  try {
    await Promise.all(workers.map(nextMessage));
    for (let r = 0; r < rounds; r++) {
      one.push(await ask(workers[0], "run"));
      all.push((await Promise.all(workers.map((w) => ask(w, "run")))).reduce((a, b) => a + b, 0));
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const a = summarize(one), b = summarize(all), ratio = summarize(all.map((v, i) => v / one[i]));
  return { threads: cores, rounds, one: round(a.median, 0), allAtOnce: round(b.median, 0), allRange: [round(b.min, 0), round(b.max, 0)], ratio: round(ratio.median, 2) };
}
