// Messages between the page (main.ts) and the training worker (worker.ts).

export type ToWorker =
  /** A fresh machine of these layers; stops training. */
  | { type: "reset"; layers: number[]; seed: number; learningRate: number }
  | { type: "run"; running: boolean }
  | { type: "rate"; learningRate: number }
  /** A drawing, 784 bytes of 0/1: answered with "pad". */
  | { type: "pad"; x: Uint8Array }
  | { type: "export" }
  | { type: "import"; bytes: Uint8Array }
  /** Test hooks, answered with "reply" carrying the same id. */
  | { type: "selfTest"; id: number }
  | { type: "bench"; id: number; layers: number[]; rows: number };

export type FromWorker =
  | { type: "ready"; digits: number }
  /** The machine changed (reset or import). */
  | { type: "model"; layers: number[]; learningRate: number; imported: boolean }
  | { type: "running"; running: boolean }
  /** One chart point: the mean description length of the last block of training rows. */
  | { type: "progress"; rowsSeen: number; bits: number; rowsPerSecond: number }
  | { type: "pictures"; real: Uint8Array; dreams: Uint8Array; count: number }
  | { type: "pad"; reconstruction: Float32Array; bits: number }
  | { type: "export"; bytes: Uint8Array; layers: number[]; rowsSeen: number }
  | { type: "reply"; id: number; result?: unknown; error?: string }
  | { type: "error"; message: string };
