// Worker threads for fit({ threads }): worker_threads in Node, module Web Workers in browsers, all
// on one machine's shared wasm memory (see src/thread-worker.ts and assembly/shards.ts).
import { isNode, threadsBuildMissing } from "./wasm.js";

/** What a worker needs once: the threads build, the shared memory, and which worker it is. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  index: number;
  threads: number;
  /** How long a thread at a barrier spins before it sleeps: 0 with more threads than processors. */
  spinMs: number;
}

/**
 * One chunk of batches: rows order[first .. first+count) of `data` (u8 or f32 rows by `kind`) in
 * batches of `batch`, on the machine `desc` with trainer record `trainer`, over U shards: shard u,
 * with trainer record shardTrainers[u], trains on slice u of every batch, in whichever thread
 * claims it, and adds its wake bits to the f64 at bits + 8u. `list` holds the shards, then their
 * trainer records, as i32s (for shards_step); `control` is the barrier and the claim counter
 * (three i32s).
 */
export interface ChunkJob {
  first: number;
  count: number;
  batch: number;
  data: number;
  kind: number;
  order: number;
  wakeQ: boolean;
  sleepQ: boolean;
  desc: number;
  trainer: number;
  list: number;
  control: number;
  bits: number;
  shards: number[];
  shardTrainers: number[];
}

/**
 * Log-likelihoods of rows [0, rows) of u8 0/1 `data` (rows of n0 bytes) into f64 `out`: worker t
 * takes its contiguous slice of the rows on shard shards[t], with work space work[t] and a
 * grouped-pass record groups[t] (assembly/groups.ts). samples = K for the importance-sampled
 * estimate, 0 for the exact one.
 */
export interface EstimateJob {
  estimate: true;
  data: number;
  n0: number;
  rows: number;
  samples: number;
  out: number;
  shards: number[];
  work: number[];
  groups: number[];
}

// Spinning at a barrier keeps a thread's core: a thread asleep in Atomics.wait gives it back, and on
// a virtual machine getting it back after the notify can take milliseconds, far longer than the
// imbalance of a phase. With more threads than processors, a spinning thread would hold up the one
// it waits for, so then they sleep at once.
const SPIN_MS = 2;

interface Port {
  post(message: unknown): void;
  next(): Promise<unknown>;
  terminate(): void;
}

/** Why threads cannot be used here, or undefined if they can. */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer !== "function") return "SharedArrayBuffer is not available";
  if (threadsBuildMissing()) return "this bundle (wake-sleep/inline) has no threads build; pass its .wasm to initThreadsWasm() first";
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (!isNode()) {
    if (g.crossOriginIsolated !== true) return "the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
    if (typeof g.Worker !== "function") return "Web Workers are not available";
  }
  return undefined;
}

/** The number of logical processors, for threads: "auto". */
export async function availableThreads(): Promise<number> {
  if (isNode()) {
    const os = await import("node:os");
    return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  }
  return Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1);
}

export class ThreadPool {
  private constructor(private readonly ports: Port[]) {}

  get size(): number {
    return this.ports.length;
  }

  static async start(threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ThreadPool> {
    const ports = await Promise.all(Array.from({ length: threads }, () => spawn()));
    const pool = new ThreadPool(ports);
    try {
      const spinMs = threads <= (await availableThreads()) ? SPIN_MS : 0;
      await pool.each(ports.map((_, index): WorkerStart => ({ module, memory, index, threads, spinMs })));
    } catch (e) {
      pool.terminate();
      throw e;
    }
    return pool;
  }

  /** Runs the job on every worker; resolves when all are done. */
  async run(job: ChunkJob | EstimateJob): Promise<void> {
    await this.each(this.ports.map(() => job));
  }

  terminate(): void {
    for (const p of this.ports) p.terminate();
  }

  private async each(messages: unknown[]): Promise<unknown[]> {
    this.ports.forEach((p, i) => p.post(messages[i]));
    const replies = await Promise.all(this.ports.map((p) => p.next()));
    const failed = replies.find((r) => typeof r === "object" && r !== null && "error" in r) as { error: string } | undefined;
    if (failed) throw new Error(`wake-sleep: a worker thread failed: ${failed.error}`);
    return replies;
  }
}

const WORKER_URL = new URL("./thread-worker.js", import.meta.url);

// A worker with a promise per reply (each message gets exactly one).
async function spawn(): Promise<Port> {
  const waiting: ((m: unknown) => void)[] = [];
  const receive = (m: unknown) => waiting.shift()?.(m);
  const fail = (e: unknown) => receive({ error: e instanceof Error ? e.message : String(e) });
  let post: (m: unknown) => void;
  let terminate: () => void;
  let busy: (on: boolean) => void = () => undefined;
  if (isNode()) {
    const { Worker } = await import("node:worker_threads");
    const w = new Worker(WORKER_URL);
    w.on("message", receive);
    w.on("error", fail);
    // Referenced only while a reply is awaited, so that an idle pool does not keep Node running.
    w.unref();
    busy = (on) => (on ? w.ref() : w.unref());
    post = (m) => w.postMessage(m);
    terminate = () => void w.terminate();
  } else {
    const w = new Worker(WORKER_URL, { type: "module" });
    w.onmessage = (e) => receive(e.data);
    w.onerror = (e) => fail(e.message);
    post = (m) => w.postMessage(m);
    terminate = () => w.terminate();
  }
  return {
    post: (m) => post(m),
    next: () => {
      busy(true);
      return new Promise((resolve) => waiting.push((m) => (busy(waiting.length > 0), resolve(m))));
    },
    terminate: () => {
      terminate();
      while (waiting.length > 0) waiting.shift()!({ error: "the machine was disposed" });
    },
  };
}
