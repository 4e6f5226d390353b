// One worker thread of a threaded fit() or logLikelihoodAsync(): it instantiates the threads build on
// the machine's shared memory and trains its shard (assembly/shards.ts) on a fixed slice of every
// batch, meeting the other workers at barriers in shared memory, or estimates its slice of the rows.
// Started by src/threads.ts.
import { instantiate } from "../build/wake-sleep.js";
import type { ChunkJob, EstimateJob, WorkerStart } from "./threads.js";

type Kernels = Awaited<ReturnType<typeof instantiate>>;
type Reply = { bits: number } | { error: string };

let k: Kernels;
let start: WorkerStart;

async function handle(message: WorkerStart | ChunkJob | EstimateJob): Promise<Reply | undefined> {
  if ("module" in message) {
    start = message;
    k = await instantiate(message.module, { env: { memory: message.memory } });
    return undefined;
  }
  if ("estimate" in message) {
    estimate(message);
    return { bits: 0 };
  }
  return { bits: runChunk(message) };
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

// The batches of rows order[first .. first+count), this worker's slice of each (see slice()).
function runChunk(job: ChunkJob): number {
  const { index: t, threads: T } = start;
  const { desc, trainer, list, control } = job, shard = job.shards[t], shardTrainer = job.shardTrainers[t];
  const sync = new Int32Array(start.memory.buffer, control, 2);
  const barrier = () => {
    const generation = Atomics.load(sync, 1);
    if (Atomics.add(sync, 0, 1) === T - 1) {
      Atomics.store(sync, 0, 0);
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
  // Every worker counts the optimiser steps (the same count), and worker 0 records them when the
  // chunk is done.
  const steps = [0, 1, 2].map((source) => k.trainer_steps(trainer, source));
  // This worker's part of an optimiser step, once every shard has recorded the phase (shards.ts).
  const step = (source: number, rows: number) => k.shards_step(desc, trainer, list, T, t, source, rows, ++steps[source]);
  // Grouped-pass tables on this shard, built again after each update of P as in train_batches (trainer.ts).
  const [lo0, hi0] = slice([0, Math.min(job.batch, job.count)], t, T, 1);
  k.trainer_tables_begin(shard, shardTrainer, hi0 - lo0);
  let bits = 0;
  for (let b0 = job.first; b0 < job.first + job.count; b0 += job.batch) {
    const rows = Math.min(job.batch, job.first + job.count - b0);
    const [lo, hi] = slice([0, rows], t, T, 1);
    bits += k.wake_rows(shard, shardTrainer, job.data, job.kind, job.order, b0 + lo, hi - lo, true);
    barrier();
    step(0, rows);
    if (job.wakeQ) step(1, rows);
    barrier();
    k.trainer_acc_clear(shardTrainer);
    k.trainer_tables_refresh(shard);
    if (job.sleepQ) {
      k.sleep_rows(shard, shardTrainer, hi - lo, true);
      barrier();
      step(2, rows);
      barrier();
      k.trainer_acc_clear(shardTrainer);
    }
  }
  k.groups_release(shard);
  if (t === 0) steps.forEach((n, source) => k.trainer_set_steps(trainer, source, n));
  return bits;
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
