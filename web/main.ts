// The demo page: controls, pictures, chart and drawing pad. All model work happens in worker.ts.
import { Chart } from "./chart.js";
import { DIGIT_WIDTH } from "./digits.js";
import { paintDigit, paintGrid } from "./paint.js";
import { Pad } from "./pad.js";
import type { FromWorker, ToWorker } from "./protocol.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  hidden: $<HTMLInputElement>("hidden"),
  rate: $<HTMLInputElement>("rate"),
  seed: $<HTMLInputElement>("seed"),
  start: $<HTMLButtonElement>("start"),
  pause: $<HTMLButtonElement>("pause"),
  reset: $<HTMLButtonElement>("reset"),
  exportButton: $<HTMLButtonElement>("export"),
  importButton: $<HTMLButtonElement>("import"),
  importFile: $<HTMLInputElement>("import-file"),
  status: $("status"),
  error: $("error"),
  layers: $("stat-layers"),
  seen: $("stat-seen"),
  speed: $("stat-speed"),
  bits: $("stat-bits"),
  real: $<HTMLCanvasElement>("real"),
  dreams: $<HTMLCanvasElement>("dreams"),
  seenByMachine: $<HTMLCanvasElement>("seen"),
  reconstruction: $<HTMLCanvasElement>("reconstruction"),
  padBits: $("pad-bits"),
  clear: $<HTMLButtonElement>("clear"),
};

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
const chart = new Chart($<HTMLCanvasElement>("chart"));
const pad = new Pad($<HTMLCanvasElement>("pad"), (x) => showDrawing(x));

let ready = false;
let running = false;
let speed = 0;
const replies = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 1;

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case "ready":
      ready = true;
      setStatus(`${msg.digits.toLocaleString("en")} MNIST digits loaded. Press Start.`);
      break;
    case "model":
      chart.clear();
      speed = 0;
      ui.layers.textContent = msg.layers.join("-");
      ui.seen.textContent = "0";
      ui.speed.textContent = "–";
      ui.bits.textContent = "–";
      ui.rate.value = String(msg.learningRate);
      if (msg.imported) {
        ui.hidden.value = msg.layers.slice(1).join(", ");
        setStatus(`Imported a ${msg.layers.join("-")} machine. Press Start to train it further.`);
      } else if (ready) {
        setStatus(`A fresh ${msg.layers.join("-")} machine. Press Start.`);
      }
      redrawPad();
      break;
    case "running":
      if (msg.running !== running) setStatus(msg.running ? "Training: one wake step and one sleep step per digit." : "Paused.");
      running = msg.running;
      break;
    case "progress":
      chart.add(msg.rowsSeen, msg.bits);
      speed = speed ? 0.8 * speed + 0.2 * msg.rowsPerSecond : msg.rowsPerSecond;
      ui.seen.textContent = msg.rowsSeen.toLocaleString("en");
      ui.speed.textContent = `${Math.round(speed).toLocaleString("en")} /s`;
      ui.bits.textContent = msg.bits.toFixed(1);
      break;
    case "pictures":
      paintGrid(ui.real, msg.real, msg.count, 6);
      paintGrid(ui.dreams, msg.dreams, msg.count, 6);
      break;
    case "pad":
      paintDigit(ui.reconstruction, msg.reconstruction);
      ui.padBits.replaceChildren(Object.assign(document.createElement("strong"), { textContent: `${msg.bits.toFixed(1)} bits` }), " to describe your drawing");
      break;
    case "export":
      download(msg.bytes, `wake-sleep-${msg.layers.join("-")}-${msg.rowsSeen}.safetensors`);
      setStatus("Exported the model as .safetensors.");
      break;
    case "reply": {
      const waiting = replies.get(msg.id);
      replies.delete(msg.id);
      if (msg.error !== undefined) waiting?.reject(new Error(msg.error));
      else waiting?.resolve(msg.result);
      break;
    }
    case "error":
      showError(msg.message);
      break;
  }
  updateButtons();
};
worker.onerror = (event) => showError(`the training worker failed: ${event.message || "it could not start"}`);

ui.start.onclick = () => send({ type: "run", running: true });
ui.pause.onclick = () => send({ type: "run", running: false });
ui.reset.onclick = () => reset();
ui.exportButton.onclick = () => send({ type: "export" });
ui.importButton.onclick = () => ui.importFile.click();
ui.clear.onclick = () => {
  pad.clear();
  for (const c of [ui.seenByMachine, ui.reconstruction]) c.getContext("2d")!.clearRect(0, 0, c.width, c.height);
  ui.padBits.textContent = "Draw a digit with mouse, finger or pen.";
};
ui.rate.onchange = () => {
  const rate = Number(ui.rate.value);
  if (rate > 0 && rate <= 1) send({ type: "rate", learningRate: rate });
  else setStatus("The learning rate must be a number in (0, 1].");
};
ui.hidden.onchange = ui.seed.onchange = () => setStatus("Press Reset to start a machine with these layers and seed.");
ui.importFile.onchange = async () => {
  const file = ui.importFile.files?.[0];
  ui.importFile.value = "";
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  send({ type: "import", bytes }, [bytes.buffer]);
};

function reset(): void {
  const hidden = ui.hidden.value.split(/[\s,;-]+/).filter(Boolean).map(Number);
  if (hidden.length < 1 || hidden.length > 4 || !hidden.every((n) => Number.isInteger(n) && n >= 1 && n <= 2000)) {
    setStatus("Hidden layers: one to four sizes from 1 to 2000, like 200, 50.");
    return;
  }
  const seed = Number(ui.seed.value);
  const learningRate = Number(ui.rate.value);
  if (!(Number.isInteger(seed) && seed >= 0) || !(learningRate > 0 && learningRate <= 1)) {
    setStatus("The seed must be a whole number ≥ 0 and the learning rate a number in (0, 1].");
    return;
  }
  send({ type: "reset", layers: [DIGIT_WIDTH, ...hidden], seed, learningRate });
}

function showDrawing(x: Uint8Array): void {
  paintDigit(ui.seenByMachine, x);
  send({ type: "pad", x });
}

// Asks the new machine about the drawing on the pad, if there is one.
function redrawPad(): void {
  const x = pad.vector();
  if (x) showDrawing(x);
}

function updateButtons(): void {
  ui.start.disabled = !ready || running;
  ui.pause.disabled = !running;
}

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function showError(message: string): void {
  console.error(`wake-sleep demo: ${message}`);
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function ask(message: { type: "selfTest" } | { type: "bench"; layers: number[]; rows: number }): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    replies.set(id, { resolve, reject });
    send({ ...message, id });
  });
}

// Hooks for tests/browser: the determinism run and the speed run of web/selftest.ts, in the worker.
Object.assign(window, {
  __wakeSleep: {
    selfTest: () => ask({ type: "selfTest" }),
    bench: (layers = [784, 200, 50], rows = 3000) => ask({ type: "bench", layers, rows }),
  },
});

reset();
updateButtons();
