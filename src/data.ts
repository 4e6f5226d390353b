// Data rows as the engine takes them: 0/1 bytes, or probabilities sampled afresh when shown.
import { show } from "./validate.js";

/** A flat row-major Uint8Array of 0/1, a Float32Array of probabilities in [0, 1], or rows of numbers. */
export type Data = Uint8Array | Float32Array | ArrayLike<number>[];
/** One vector of length layers[0]: 0/1 bytes, probabilities, or numbers. */
export type Vector = Uint8Array | Float32Array | ArrayLike<number>;

export interface Rows {
  /** Binary rows (u8) or probability rows (f32, dynamic binarization). */
  values: Uint8Array | Float32Array;
  rows: number;
}

/** Checks and normalises `data` (several rows of `width`). Throws naming `name` and the bad value. */
export function toRows(name: string, data: unknown, width: number): Rows {
  if (Array.isArray(data)) return fromNested(name, data, width);
  if (!(data instanceof Uint8Array) && !(data instanceof Float32Array)) {
    throw new TypeError(`${name} must be a Uint8Array of 0/1, a Float32Array of probabilities or an array of rows, got ${show(data)}`);
  }
  if (data.length === 0 || data.length % width !== 0) {
    throw new RangeError(`${name} must have a length that is a positive multiple of layers[0] = ${width}, got ${data.length}`);
  }
  checkValues(name, data);
  return { values: data, rows: data.length / width };
}

/** Checks one vector of length `width`. */
export function toVector(name: string, x: unknown, width: number): Rows {
  if (x instanceof Uint8Array || x instanceof Float32Array) {
    if (x.length !== width) throw new RangeError(`${name} must have length layers[0] = ${width}, got ${x.length}`);
    checkValues(name, x);
    return { values: x, rows: 1 };
  }
  if (isArrayLike(x)) return fromNested(name, [x], width, true);
  throw new TypeError(`${name} must be a Uint8Array, a Float32Array or an array of numbers, got ${show(x)}`);
}

function isArrayLike(x: unknown): x is ArrayLike<number> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function checkValues(name: string, data: Uint8Array | Float32Array): void {
  if (data instanceof Uint8Array) {
    const i = firstNonBinary(data);
    if (i >= 0) throw new RangeError(`${name}[${i}] must be 0 or 1, got ${data[i]}`);
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name}[${i}] must be a probability in [0, 1], got ${v}`);
  }
}

// The index of the first byte above 1, or -1: where the data is 4-byte aligned, 32 bytes per test
// (eight int32 words OR-ed, int32 so that the mask stays a small integer: twice as fast as a word
// at a time over Uint32Array), then byte by byte from the first block that fails.
function firstNonBinary(data: Uint8Array): number {
  let from = 0;
  if (data.byteOffset % 4 === 0) {
    const words = new Int32Array(data.buffer, data.byteOffset, data.length >> 2);
    const n = words.length, high = 0xfefefefe | 0;
    let w = 0;
    for (; w + 8 <= n; w += 8) {
      const any = words[w] | words[w + 1] | words[w + 2] | words[w + 3] | words[w + 4] | words[w + 5] | words[w + 6] | words[w + 7];
      if ((any & high) !== 0) break;
    }
    from = 4 * w;
  }
  for (let i = from; i < data.length; i++) if (data[i] > 1) return i;
  return -1;
}

// Rows of plain numbers become bytes when every value is 0 or 1, else probabilities.
function fromNested(name: string, data: unknown[], width: number, single = false): Rows {
  if (data.length === 0) throw new RangeError(`${name} must hold at least one row, got an empty array`);
  const out = new Float32Array(data.length * width);
  let binary = true;
  data.forEach((row, r) => {
    const where = single ? name : `${name}[${r}]`;
    if (!isArrayLike(row)) throw new TypeError(`${where} must be an array of numbers, got ${show(row)}`);
    if (row.length !== width) throw new RangeError(`${where} must have length layers[0] = ${width}, got ${row.length}`);
    for (let j = 0; j < width; j++) {
      const v = row[j];
      if (typeof v !== "number") throw new TypeError(`${where}[${j}] must be a number, got ${show(v)}`);
      if (!(v >= 0 && v <= 1)) throw new RangeError(`${where}[${j}] must be a probability in [0, 1], got ${v}`);
      if (v !== 0 && v !== 1) binary = false;
      out[r * width + j] = v;
    }
  });
  return { values: binary ? Uint8Array.from(out) : out, rows: data.length };
}
