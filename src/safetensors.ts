// The safetensors container, F32 only: an 8-byte little-endian header length, a JSON header
// (padded with spaces to a multiple of 8 bytes), then the raw little-endian tensor data.
// see: https://huggingface.co/docs/safetensors (format description).

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Bounds on what a decode will look at, so a hostile file cannot make it work without end. */
export const MAX_HEADER_BYTES = 1 << 20;
/** Characters of a file's own text quoted in an error message. */
const MAX_QUOTED = 80;

/**
 * A value from an untrusted file, for an error message: JSON, cut to MAX_QUOTED characters. A
 * header of up to 1 MiB can hold a name that long or arrays nested so deep that JSON.stringify
 * would overflow the stack; the message should say what is wrong, not echo the file or crash.
 */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    return Array.isArray(value) ? "an array nested too deep to show" : "an object nested too deep to show";
  }
  return clip(text);
}

/** A name from an untrusted file (a tensor's, a key's), cut to `max` characters. */
export function clip(text: string, max = MAX_QUOTED): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

export function encodeSafetensors(tensors: [string, Tensor][], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const [, t] of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

export interface Decoded {
  metadata: Record<string, string>;
  tensors: Map<string, Tensor>;
}

/** Parses and checks a file; every inconsistency throws an Error that says what is wrong. */
export function decodeSafetensors(bytes: Uint8Array): Decoded {
  // Bytes another thread can change while they are checked are copied first (and TextDecoder
  // refuses views of shared memory).
  if (typeof SharedArrayBuffer === "function" && bytes.buffer instanceof SharedArrayBuffer) bytes = bytes.slice();
  if (bytes.length < 8) throw new Error(`safetensors: file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new Error(`safetensors: header length ${headerLength} runs past the end of the ${bytes.length}-byte file or the ${MAX_HEADER_BYTES}-byte header limit`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    throw new Error(`safetensors: header is not valid UTF-8 JSON (${(e as Error).message.slice(0, 2 * MAX_QUOTED)})`);
  }
  if (!isPlainObject(header)) throw new Error("safetensors: header must be a JSON object");
  const metadata = readMetadata(header.__metadata__);
  const entries = Object.entries(header).filter(([name]) => name !== "__metadata__").map(([name, e]) => readEntry(name, e));
  entries.sort((a, b) => a.begin - b.begin);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) {
      throw new Error(`safetensors: tensor ${clip(e.name)} starts at byte ${e.begin} of the data, expected ${expected} (offsets must tile the data without gaps or overlaps)`);
    }
    expected = e.end;
  }
  if (dataStart + expected !== bytes.length) {
    throw new Error(`safetensors: the tensors cover ${expected} bytes of data but the file holds ${bytes.length - dataStart}`);
  }
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const data = new Float32Array(e.shape.reduce((a, b) => a * b, 1));
    for (let i = 0, at = dataStart + e.begin; i < data.length; i++, at += 4) data[i] = view.getFloat32(at, true);
    tensors.set(e.name, { shape: e.shape, data });
  }
  return { metadata, tensors };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function readMetadata(m: unknown): Record<string, string> {
  if (m === undefined) return {};
  if (!isPlainObject(m)) throw new Error("safetensors: __metadata__ must be an object of strings");
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== "string") throw new Error(`safetensors: __metadata__.${clip(k)} must be a string, got ${quote(v)}`);
  }
  return m as Record<string, string>;
}

function readEntry(name: string, e: unknown): { name: string; shape: number[]; begin: number; end: number } {
  if (!isPlainObject(e)) throw new Error(`safetensors: tensor ${clip(name)} must be an object`);
  if (e.dtype !== "F32") throw new Error(`safetensors: tensor ${clip(name)} has dtype ${quote(e.dtype)}; only F32 is supported`);
  const { shape, data_offsets: offsets } = e;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`safetensors: tensor ${clip(name)} has shape ${quote(shape)}; expected an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
    throw new Error(`safetensors: tensor ${clip(name)} has data_offsets ${quote(offsets)}; expected [begin, end] with 0 <= begin <= end`);
  }
  const elements = shape.reduce((a: number, b: number) => a * b, 1);
  if (offsets[1] - offsets[0] !== 4 * elements) {
    throw new Error(`safetensors: tensor ${clip(name)} has shape ${quote(shape)} (${4 * elements} bytes) but data_offsets span ${offsets[1] - offsets[0]} bytes`);
  }
  return { name, shape, begin: offsets[0], end: offsets[1] };
}
