// Runs that must give the same answer in every runtime. The demo's worker runs them on request
// (window.__wakeSleep in main.ts) and tests/browser runs them in Node, with the same code and data.
import type { HelmholtzMachine } from "wake-sleep";
import type { Digits } from "./digits.js";

type Machine = typeof HelmholtzMachine;

/** The determinism check: a fresh machine, seed 7, one shuffled epoch over every 20th digit. */
export const SELF_TEST = { layers: [784, 64, 16], seed: 7, rows: 500, stride: 20 };

/** `count` rows of the digits, every `stride`-th from the first, as one flat array. */
export function pickRows(digits: Digits, count: number, stride: number): Uint8Array {
  if (count * stride > digits.rows) throw new RangeError(`pickRows: ${count} rows every ${stride} need ${count * stride} digits, have ${digits.rows}`);
  const out = new Uint8Array(count * digits.width);
  for (let i = 0; i < count; i++) out.set(digits.images.subarray(i * stride * digits.width, (i * stride + 1) * digits.width), i * digits.width);
  return out;
}

/** SHA-256 of save() after the SELF_TEST run, in hex. */
export async function selfTest(Machine: Machine, digits: Digits): Promise<{ sha256: string; bytes: number }> {
  const m = await Machine.create({ layers: SELF_TEST.layers, seed: SELF_TEST.seed });
  try {
    await m.fit(pickRows(digits, SELF_TEST.rows, SELF_TEST.stride), { epochs: 1, shuffle: true });
    const saved = m.save();
    return { sha256: await sha256Hex(saved), bytes: saved.length };
  } finally {
    m.dispose();
  }
}

/** Online wake-sleep speed: rows (one wake and one sleep step each) per second over one epoch of `rows` digits. */
export async function benchmark(Machine: Machine, digits: Digits, layers: number[], rows: number): Promise<{ rowsPerSecond: number }> {
  const data = pickRows(digits, rows, 1);
  const m = await Machine.create({ layers, seed: 1 });
  try {
    await m.fit(data.subarray(0, Math.min(rows, 200) * digits.width)); // warm-up: compile tiers, grow memory
    const started = performance.now();
    await m.fit(data, { epochs: 1, shuffle: true });
    return { rowsPerSecond: rows / ((performance.now() - started) / 1000) };
  } finally {
    m.dispose();
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
