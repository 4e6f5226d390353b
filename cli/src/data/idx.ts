// IDX files, the MNIST file format (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT"):
// two zero bytes, a type byte, a dimension count, then each dimension as a big-endian u32,
// then the values row-major. Files may be gzipped (detected by the gzip magic 1f 8b, not the name).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { CliError, oneLine } from "../errors.js";

export interface Idx {
  /** Sizes of each dimension, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** The values: unsigned bytes. */
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = { 0x08: "unsigned byte", 0x09: "signed byte", 0x0b: "short", 0x0c: "int", 0x0d: "float", 0x0e: "double" };

/** At most 2^31 values: more than any IDX data set this tool could train on. */
const MAX_VALUES = 2 ** 31 - 1;

/** Parses the bytes of an IDX file of unsigned bytes (type 0x08). `name` is used in error messages. */
export function parseIdx(bytes: Uint8Array, name: string): Idx {
  if (bytes.length < 4) throw new CliError(`${name}: not an IDX file: ${bytes.length} bytes, too short for the 4-byte magic number`);
  const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  const type = bytes[2];
  const rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || TYPE_NAMES[type] === undefined || rank === 0) {
    throw new CliError(`${name}: not an IDX file: wrong magic number ${magic} (expected 00 00 08 then the number of dimensions, e.g. 00 00 08 03 for images)`);
  }
  if (type !== 0x08) throw new CliError(`${name}: IDX values of type ${TYPE_NAMES[type]} (0x${type.toString(16).padStart(2, "0")}) are not supported; only unsigned bytes (0x08)`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new CliError(`${name}: truncated IDX file: ${bytes.length} bytes, but the header of ${rank} dimensions needs ${header}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  if (count > MAX_VALUES) throw new CliError(`${name}: IDX dimensions ${dims.join("x")} hold ${count} values, more than ${MAX_VALUES}`);
  const have = bytes.length - header;
  if (have < count) throw new CliError(`${name}: truncated IDX file: dimensions ${dims.join("x")} need ${count} bytes of data, the file has ${have}`);
  if (have > count) throw new CliError(`${name}: corrupt IDX file: ${have - count} bytes after the ${dims.join("x")} values`);
  return { dims, data: bytes.slice(header) };
}

/** Reads and parses an IDX file, gunzipping it first when it starts with the gzip magic. */
export function readIdx(path: string): Idx {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${oneLine(err)}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new CliError(`${path}: corrupt gzip data: ${oneLine(err)}`);
    }
  }
  return parseIdx(bytes, path);
}

/** Encodes unsigned bytes as an IDX file (used by tests and by anyone exporting data). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
