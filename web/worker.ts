// The training worker: owns the machine and the digits, trains in blocks of rows so that the page
// can ask for dreams, reconstructions and the model file between blocks.
import { HelmholtzMachine } from "wake-sleep";
import { mulberry32 } from "../src/problems/random.js";
import { DIGIT_WIDTH, readDigits, type Digits } from "./digits.js";
import { benchmark, selfTest } from "./selftest.js";
import type { FromWorker, ToWorker } from "./protocol.js";

// A dedicated worker's global scope has the same postMessage / onmessage shape as a Worker object.
const scope = globalThis as unknown as Worker;
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

const PICTURES = 36;
const BLOCK_MS = 150;
const PICTURES_MS = 400;

const digits: Promise<Digits> = fetch(new URL("./digits.bin.gz", import.meta.url))
  .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`fetching digits.bin.gz failed with HTTP ${r.status}`))))
  .then((b) => readDigits(new Uint8Array(b)));

let machine: HelmholtzMachine | undefined;
let running = false;
let looping = false;
let rowsSeen = 0;
let blockRows = 64;
let lastPictures = 0;
// The order digits are shown in: a permutation of the rows, drawn afresh from `random` at each pass.
let order = new Uint32Array(0);
let cursor = 0;
let random = mulberry32(0);

// Every use of the machine goes through this queue, one at a time: fit() must finish before dream().
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(task: () => T | Promise<T>): Promise<T> {
  const result = queue.then(task);
  queue = result.catch(() => undefined);
  return result;
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  handle(event.data).catch((error: unknown) => post({ type: "error", message: messageOf(error) }));
};

digits.then(
  (d) => post({ type: "ready", digits: d.rows }),
  (error: unknown) => post({ type: "error", message: messageOf(error) }),
);

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case "reset":
      setRunning(false);
      return exclusive(async () => {
        const next = await HelmholtzMachine.create({ layers: msg.layers, seed: msg.seed, learningRate: msg.learningRate });
        replace(next, false);
        random = mulberry32(msg.seed);
        order = new Uint32Array(0);
        await sendPictures();
      });
    case "import":
      setRunning(false);
      return exclusive(async () => {
        const next = await HelmholtzMachine.load(msg.bytes);
        if (next.layers[0] !== DIGIT_WIDTH) {
          next.dispose();
          throw new Error(`this model has ${next.layers[0]} visible units; the demo's digits need ${DIGIT_WIDTH} (28 x 28)`);
        }
        replace(next, true);
        await sendPictures();
      });
    case "run":
      setRunning(msg.running);
      if (running && !looping) void trainWhileRunning();
      return;
    case "rate":
      return exclusive(() => {
        if (machine) machine.learningRate = msg.learningRate;
      });
    case "pad":
      return exclusive(() => {
        if (!machine) return;
        const reconstruction = machine.reconstruct(msg.x);
        const [bits] = machine.descriptionLength(msg.x, { samples: 100 });
        post({ type: "pad", reconstruction, bits }, [reconstruction.buffer]);
      });
    case "export":
      return exclusive(() => {
        if (!machine) return;
        const bytes = machine.save();
        post({ type: "export", bytes, layers: [...machine.layers], rowsSeen }, [bytes.buffer]);
      });
    case "selfTest":
      return reply(msg.id, async () => selfTest(HelmholtzMachine, await digits));
    case "bench":
      return reply(msg.id, async () => benchmark(HelmholtzMachine, await digits, msg.layers, msg.rows));
  }
}

function replace(next: HelmholtzMachine, imported: boolean): void {
  machine?.dispose();
  machine = next;
  rowsSeen = 0;
  post({ type: "model", layers: [...next.layers], learningRate: next.learningRate, imported });
}

function setRunning(value: boolean): void {
  running = value;
  post({ type: "running", running });
}

async function reply(id: number, task: () => Promise<unknown>): Promise<void> {
  try {
    post({ type: "reply", id, result: await exclusive(task) });
  } catch (error) {
    post({ type: "reply", id, error: messageOf(error) });
  }
}

async function trainWhileRunning(): Promise<void> {
  looping = true;
  try {
    while (running) await exclusive(trainBlock);
  } catch (error) {
    setRunning(false);
    post({ type: "error", message: messageOf(error) });
  } finally {
    looping = false;
  }
}

// One block of about BLOCK_MS: online wake-sleep over the next rows of the current order.
async function trainBlock(): Promise<void> {
  if (!running || !machine) return;
  const { images, rows } = await digits;
  const n = blockRows;
  const block = new Uint8Array(n * DIGIT_WIDTH);
  for (let i = 0; i < n; i++) {
    const r = nextRow(rows);
    block.set(images.subarray(r * DIGIT_WIDTH, (r + 1) * DIGIT_WIDTH), i * DIGIT_WIDTH);
  }
  const started = performance.now();
  const [stats] = await machine.fit(block, { shuffle: false });
  const ms = Math.max(1, performance.now() - started);
  rowsSeen += n;
  blockRows = Math.max(16, Math.min(8192, Math.round((n * BLOCK_MS) / ms)));
  post({ type: "progress", rowsSeen, bits: stats.descriptionLength, rowsPerSecond: (1000 * n) / ms });
  if (performance.now() - lastPictures > PICTURES_MS) await sendPictures();
}

function ensureOrder(rows: number): void {
  if (order.length === rows) return;
  order = Uint32Array.from({ length: rows }, (_, i) => i);
  shuffle(order, random);
  cursor = 0;
}

function nextRow(rows: number): number {
  ensureOrder(rows);
  if (cursor === rows) {
    shuffle(order, random);
    cursor = 0;
  }
  return order[cursor++];
}

// The latest real digits shown to the machine beside as many of its dreams.
async function sendPictures(): Promise<void> {
  if (!machine) return;
  const { images, rows } = await digits;
  ensureOrder(rows);
  const real = new Uint8Array(PICTURES * DIGIT_WIDTH);
  for (let i = 0; i < PICTURES; i++) {
    const r = order[(((cursor - 1 - i) % rows) + rows) % rows];
    real.set(images.subarray(r * DIGIT_WIDTH, (r + 1) * DIGIT_WIDTH), i * DIGIT_WIDTH);
  }
  const dreams = machine.dream(PICTURES);
  lastPictures = performance.now();
  post({ type: "pictures", real, dreams, count: PICTURES }, [real.buffer, dreams.buffer]);
}

function shuffle(a: Uint32Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
