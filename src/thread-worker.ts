// One worker thread of a threaded fit() or logLikelihoodAsync(): it instantiates the threads build on
// the machine's shared memory and trains the shards it claims (assembly/shards.ts), each on its
// fixed slice of every batch, meeting the other workers at barriers in shared memory, or estimates
// its slice of the rows.
// Started by src/threads.ts.
import { instantiate } from "../build/wake-sleep.js";
import type { ChunkJob, EstimateJob, WorkerStart } from "./threads.js";

type Kernels = Awaited<ReturnType<typeof instantiate>>;
type Reply = { done: true } | { error: string };

let k: Kernels;
let start: WorkerStart;

async function handle(message: WorkerStart | ChunkJob | EstimateJob): Promise<Reply | undefined> {
  if ("module" in message) {
    start = message;
    k = await instantiate(message.module, { env: { memory: message.memory } });
    return undefined;
  }
  if ("estimate" in message) estimate(message);
  else runChunk(message);
  return { done: true };
}

// This worker's contiguous slice of the rows, on its own shard (its own random stream).
function estimate(job: EstimateJob): void {
  const t = start.index;
  const [lo, hi] = slice([0, job.rows], t, start.threads, 1);
  if (hi === lo) return;
  const data = job.data + lo * job.n0, out = job.out + 8 * lo;
  if (job.samples > 0) k.log_likelihood_rows(job.shards[t], data, hi - lo, job.samples, out, job.work[t], job.groups[t]);
  else k.exact_log_likelihood_rows(job.shards[t], data, hi - lo, out, job.work[t]);
}

// The batches of rows order[first .. first+count), each shard on its fixed slice of every batch
// (see slice()). A phase's shards are claimed from a counter: a thread that comes to a phase late
// (its core taken by other work, say) finds its shard taken by one that had none left.
function runChunk(job: ChunkJob): void {
  const { index: t, threads: T } = start;
  const { desc, trainer, list, control, shards, shardTrainers } = job, U = shards.length;
  // [0] threads arrived, [1] generation, [2] the next shard to claim.
  const sync = new Int32Array(start.memory.buffer, control, 3);
  const bits = new Float64Array(start.memory.buffer, job.bits, U);
  const barrier = () => {
    const generation = Atomics.load(sync, 1);
    if (Atomics.add(sync, 0, 1) === T - 1) {
      Atomics.store(sync, 0, 0);
      Atomics.store(sync, 2, 0);
      Atomics.add(sync, 1, 1);
      Atomics.notify(sync, 1);
      return;
    }
    // Spin first, for start.spinMs (see src/threads.ts), then sleep.
    const until = performance.now() + start.spinMs;
    for (let spins = 1; Atomics.load(sync, 1) === generation; spins++) {
      if ((spins & 1023) === 0 && performance.now() > until) Atomics.wait(sync, 1, generation);
    }
  };
  // Runs `work` on every shard this thread claims, with the shard's accumulator emptied first,
  // then meets the others.
  const phase = (rows: number, work: (u: number, lo: number, hi: number) => void) => {
    for (let u = Atomics.add(sync, 2, 1); u < U; u = Atomics.add(sync, 2, 1)) {
      const [lo, hi] = slice([0, rows], u, U, 1);
      k.trainer_acc_clear(shardTrainers[u]);
      work(u, lo, hi);
    }
    barrier();
  };
  // Every worker counts the optimiser steps (the same count), and worker 0 records them when the
  // chunk is done.
  const steps = [0, 1, 2].map((source) => k.trainer_steps(trainer, source));
  // This worker's part of an optimiser step, once every shard has recorded the phase (shards.ts).
  const step = (source: number, rows: number) => k.shards_step(desc, trainer, list, U, T, t, source, rows, ++steps[source]);
  for (let b0 = job.first; b0 < job.first + job.count; b0 += job.batch) {
    const rows = Math.min(job.batch, job.first + job.count - b0);
    phase(rows, (u, lo, hi) => (bits[u] += k.wake_rows(shards[u], shardTrainers[u], job.data, job.kind, job.order, b0 + lo, hi - lo)));
    step(0, rows);
    if (job.wakeQ) step(1, rows);
    barrier();
    if (job.sleepQ) {
      phase(rows, (u, lo, hi) => k.sleep_rows(shards[u], shardTrainers[u], hi - lo));
      step(2, rows);
      barrier();
    }
  }
  if (t === 0) steps.forEach((n, source) => k.trainer_set_steps(trainer, source, n));
}

// Worker t's part [from, to) of the range [a, b), cut at multiples of `unit` from a.
function slice([a, b]: readonly [number, number], t: number, T: number, unit: number): [number, number] {
  const units = (b - a) / unit;
  return [a + unit * Math.floor((units * t) / T), a + unit * Math.floor((units * (t + 1)) / T)];
}

async function reply(message: WorkerStart | ChunkJob | EstimateJob, post: (r: Reply | { ready: true }) => void): Promise<void> {
  try {
    const r = await handle(message);
    post(r ?? { ready: true });
  } catch (e) {
    post({ error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
}

if (typeof process === "object" && typeof process.versions?.node === "string" && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === "undefined") {
  const { parentPort } = await import("node:worker_threads");
  parentPort!.on("message", (m) => reply(m, (r) => parentPort!.postMessage(r)));
} else {
  const scope = globalThis as unknown as { onmessage: (e: MessageEvent) => void; postMessage: (m: unknown) => void };
  scope.onmessage = (e) => reply(e.data, (r) => scope.postMessage(r));
}
